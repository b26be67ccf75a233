import { describe, expect, test } from 'vitest';
import { whereValues } from '../probes/client-command-probe.js';
import { loopbackHosts } from './client-image-target.js';

describe('loopbackHosts', () => {
  test('a case that verifies a name: that name on 127.0.0.1, once', () => {
    expect(loopbackHosts(whereValues(8443, 'api.mtls-conformance.localhost').values)).toEqual([{ host: 'api.mtls-conformance.localhost', ipAddress: '127.0.0.1' }]);
  });

  test('a case that verifies an address: no entry (the {resolve} name is for curl, not the resolver)', () => {
    expect(loopbackHosts(whereValues(8443).values)).toEqual([]);
    expect(loopbackHosts({ host: '::1', name: '::1' })).toEqual([]);
  });
});
