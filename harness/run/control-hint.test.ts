import { describe, expect, test } from 'vitest';
import { resolveCases } from '../cases/resolve.js';
import type { Observation } from '../model.js';
import { loadProfile } from '../profile/load.js';
import { controlFailure } from './control-hint.js';

const profile = loadProfile('intermediate').profile;
const control = resolveCases(profile, 'server').find((c) => c.positiveControl)!;
const line = (o: Partial<Observation>) =>
  controlFailure(
    { case: control, observation: { outcome: 'malformed-answer', alert: null, httpStatus: null, tlsVersion: 'TLSv1.3', cipher: null, detail: '', durationMs: 1, ...o }, verdict: { verdict: 'fail', reason: '' } },
    '/certs',
    { presentedSubject: 'CN=conformance-client', profile },
  );

describe('the control line for answers no gRPC server sends (issue 17)', () => {
  test('a malformed gRPC answer says what was seen, in one bounded line', () => {
    const l = line({ httpStatus: 200, detail: `grpc-status "zzz" is not a gRPC status code (a decimal integer 0-16)\n${'x'.repeat(2000)}` });
    expect(l).toContain('(a malformed gRPC answer (HTTP 200))');
    expect(l).toContain('not as gRPC does (grpc-status "zzz" is not a gRPC status code');
    expect(l).not.toContain('\n');
    expect(l.length).toBeLessThan(700);
  });

  test('a bare HTTP 403 or 400 to the call reads as the refusal it is', () => {
    expect(line({ httpStatus: 403 })).toContain('its application refused the identity (HTTP 403 to the gRPC call)');
    expect(line({ httpStatus: 400 })).toContain('refused the certificate at the HTTP layer (HTTP 400 to the gRPC call');
  });

  test('alert 80 to the control: the target failed before judging any certificate', () => {
    expect(line({ outcome: 'handshake-alert', alert: { code: 80, name: 'internal_error' }, tlsVersion: null })).toContain("check the server's TLS configuration");
  });
});
