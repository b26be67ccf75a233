import { describe, expect, test } from 'vitest';
import { judge } from '../judge.js';
import type { Observation } from '../model.js';
import { profileSchema } from '../profile/schema.js';
import { resolveCases } from './resolve.js';

// The revocation and path cases as the profile resolves them, and judged: the expectation and
// severity come from `revocation` per role; the path cases are required whatever it says.
const profile = (revocation?: object) => profileSchema.parse({ name: 'p', ...(revocation ? { revocation } : {}) });
const find = (p: ReturnType<typeof profile>, id: string) => resolveCases(p).find((c) => c.id === id)!;

const PATH = ['expired-intermediate', 'intermediate-no-basic-constraints', 'path-length-exceeded', 'name-constraints-violated', 'unknown-critical-extension'];

describe('revocation setting', () => {
  test('default: both revoked cases expect a refusal, recommended (a target that does not check is not failed)', () => {
    const p = profile();
    expect(p.revocation).toEqual({ server: 'recommended', client: 'recommended', clientFailMode: 'closed' });
    expect(find(p, 'server/client-auth/revoked')).toMatchObject({ expect: 'reject', severity: 'recommended' });
    expect(find(p, 'client/server-auth/revoked')).toMatchObject({ expect: 'reject', severity: 'recommended' });
  });

  test('required and off, per role', () => {
    const p = profile({ server: 'required', client: 'off' });
    expect(find(p, 'server/client-auth/revoked')).toMatchObject({ expect: 'reject', severity: 'required' });
    expect(find(p, 'server/client-auth/revoked').rationale).toContain('revocation.server: required');
    expect(find(p, 'client/server-auth/revoked').skip).toBe('the profile does not ask for revocation checks (revocation.client: off)');
  });

  test('client/revocation: fail closed by default (reject, the severity of revocation.client); open makes the undetermined ones info accept; must-staple ignores the fail mode', () => {
    const undetermined = ['crl-stale', 'ocsp-unknown', 'ocsp-bad-signature', 'ocsp-no-answer', 'crl-no-answer'];
    for (const n of undetermined) {
      expect(find(profile(), `client/revocation/${n}`), n).toMatchObject({ expect: 'reject', severity: 'recommended' });
      expect(find(profile({ client: 'required' }), `client/revocation/${n}`), n).toMatchObject({ expect: 'reject', severity: 'required' });
      expect(find(profile({ client: 'required', clientFailMode: 'open' }), `client/revocation/${n}`), n).toMatchObject({ expect: 'accept', severity: 'info' });
      expect(find(profile({ client: 'off' }), `client/revocation/${n}`).skip, n).toContain('revocation.client: off');
    }
    expect(find(profile({ client: 'required', clientFailMode: 'open' }), 'client/revocation/must-staple-missing')).toMatchObject({ expect: 'reject', severity: 'required' });
    expect(() => profile({ clientFailMode: 'soft' })).toThrow();
  });

  test('an unknown value is a profile error', () => {
    expect(() => profile({ server: 'sometimes' })).toThrow();
  });

  test('path cases are required under every revocation setting; no-san is recommended, ip-as-dns required', () => {
    for (const p of [profile(), profile({ server: 'off', client: 'off' })]) {
      for (const name of PATH) {
        expect(find(p, `server/client-auth/${name}`)).toMatchObject({ expect: 'reject', severity: 'required' });
        expect(find(p, `client/server-auth/${name}`)).toMatchObject({ expect: 'reject', severity: 'required' });
      }
    }
    expect(find(profile(), 'client/server-auth/no-san').severity).toBe('recommended');
    expect(find(profile(), 'client/server-auth/ip-as-dns').severity).toBe('required');
  });
});

describe('judged', () => {
  const obs = (o: Partial<Observation>): Observation => ({ outcome: 'accepted', alert: null, httpStatus: null, tlsVersion: 'TLSv1.3', cipher: null, detail: '', durationMs: 1, ...o });
  const ctx = { controlAccepted: true };

  test('a revoked certificate let in fails; refused with certificate_revoked passes; off skips', () => {
    const c = find(profile({ server: 'required' }), 'server/client-auth/revoked');
    expect(judge(c, obs({ outcome: 'http-status', httpStatus: 200 }), profile(), ctx).verdict).toBe('fail');
    expect(judge(c, obs({ outcome: 'handshake-alert', alert: { code: 44, name: 'certificate_revoked' } }), profile(), ctx).verdict).toBe('pass');
    const off = find(profile({ server: 'off' }), 'server/client-auth/revoked');
    expect(judge(off, null, profile(), ctx).verdict).toBe('skip');
  });
});
