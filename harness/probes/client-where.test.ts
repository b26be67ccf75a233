import { expect, test } from 'vitest';
import { substitute, whereValues } from './client-command-probe.js';

// Where a client under test finds the reference server (README "Testing a client program"): the
// address by default, a .localhost name (RFC 6761 §6.3) for the cases that verify a DNS name.

test('an address case: {url} and {name} are 127.0.0.1; {resolve} is a harmless curl entry', () => {
  const w = whereValues(4433);
  expect(w.values).toMatchObject({ url: 'https://127.0.0.1:4433/', host: '127.0.0.1', name: '127.0.0.1', connect: '127.0.0.1:4433', resolve: 'api.mtls-conformance.localhost:4433:127.0.0.1' });
  expect(w.env).toMatchObject({ CONFORMANCE_URL: 'https://127.0.0.1:4433/', CONFORMANCE_SERVERNAME: '127.0.0.1', CONFORMANCE_CONNECT: '127.0.0.1:4433' });
});

test('a name case: {url} carries the name, {connect} still the address', () => {
  const w = whereValues(4433, 'api.mtls-conformance.localhost');
  expect(w.values).toMatchObject({ url: 'https://api.mtls-conformance.localhost:4433/', host: 'api.mtls-conformance.localhost', name: 'api.mtls-conformance.localhost', connect: '127.0.0.1:4433' });
  expect(substitute('curl --resolve {resolve} {url}', w.values)).toBe('curl --resolve api.mtls-conformance.localhost:4433:127.0.0.1 https://api.mtls-conformance.localhost:4433/');
  expect(substitute('s_client -connect {connect} -servername {name} {other}', w.values)).toBe('s_client -connect 127.0.0.1:4433 -servername api.mtls-conformance.localhost {other}');
});
