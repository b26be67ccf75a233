import { describe, expect, test } from 'vitest';
import { judge, interpret, summarize } from './judge.js';
import { resolveCases } from './cases/resolve.js';
import { loadProfile } from './profile/load.js';
import type { Observation, Outcome, ResolvedCase } from './model.js';

const profile = loadProfile('intermediate').profile;
const cases = resolveCases(profile, 'server');
const byId = (id: string): ResolvedCase => cases.find((c) => c.id === id)!;

function obs(outcome: Outcome, extra: Partial<Observation> = {}): Observation {
  return { outcome, alert: null, httpStatus: null, tlsVersion: 'TLSv1.3', cipher: null, detail: outcome, durationMs: 1, ...extra };
}

const accepted = { controlAccepted: true } as const;

// One fixture per outcome class, with what it means for a reject case and an accept case.
const fixtures: [string, Observation, 'pass' | 'fail' | 'inconclusive', 'pass' | 'fail' | 'inconclusive'][] = [
  ['handshake-alert', obs('handshake-alert', { alert: { code: 48, name: 'unknown_ca' } }), 'pass', 'fail'],
  ['post-handshake-alert', obs('post-handshake-alert', { alert: { code: 45, name: 'certificate_expired' } }), 'pass', 'fail'],
  ['tcp-reset', obs('tcp-reset'), 'pass', 'fail'],
  ['closed-no-data', obs('closed-no-data'), 'pass', 'fail'],
  ['http-status 400 (nginx refusal)', obs('http-status', { httpStatus: 400 }), 'pass', 'fail'],
  ['http-status 403', obs('http-status', { httpStatus: 403 }), 'pass', 'fail'],
  ['http-status 200', obs('http-status', { httpStatus: 200 }), 'fail', 'pass'],
  ['http-status 404 (not a refusal by default)', obs('http-status', { httpStatus: 404 }), 'fail', 'pass'],
  ['accepted (tls mode)', obs('accepted'), 'fail', 'pass'],
  ['timeout', obs('timeout'), 'inconclusive', 'inconclusive'],
  ['harness-error', obs('harness-error'), 'inconclusive', 'inconclusive'],
];

describe('judge', () => {
  test.each(fixtures)('%s: reject case and accept case', (_name, o, onReject, onAccept) => {
    expect(judge(byId('server/client-auth/expired'), o, profile, accepted).verdict).toBe(onReject);
    expect(judge(byId('server/client-auth/valid'), o, profile, accepted).verdict).toBe(onAccept);
  });

  test('a refusal is inconclusive, never pass, when the positive control was not accepted', () => {
    const refused = obs('handshake-alert', { alert: { code: 48, name: 'unknown_ca' } });
    const v = judge(byId('server/client-auth/expired'), refused, profile, { controlAccepted: false, controlSummary: 'HTTP 400' });
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain('positive control');
    expect(judge(byId('server/client-auth/expired'), refused, profile, { controlAccepted: null }).verdict).toBe('inconclusive');
  });

  test('an acceptance of a reject case is a fail even when the control failed', () => {
    // Only refusals need the control to mean something; letting a bad certificate in is wrong regardless.
    expect(judge(byId('server/client-auth/expired'), obs('http-status', { httpStatus: 200 }), profile, { controlAccepted: false }).verdict).toBe('fail');
  });

  test('the profile decides which HTTP statuses are refusals', () => {
    const custom = { ...profile, rejection: { httpStatuses: [404] } };
    expect(interpret(obs('http-status', { httpStatus: 404 }), custom)).toBe('rejected');
    expect(interpret(obs('http-status', { httpStatus: 400 }), custom)).toBe('accepted');
  });

  test('a skipped case is skip, whatever was observed', () => {
    const c = byId('server/client-auth/unexpected-identity');
    expect(c.skip).toBeDefined();
    expect(judge(c, null, profile, accepted)).toEqual({ verdict: 'skip', reason: 'the profile has no clientIdentity rule' });
  });

  test('property cases judge the peer certificate facts', () => {
    const peer = { authorized: false, authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', hostnameMatches: true, hostnameError: null, subject: 'CN=x', issuer: 'CN=ca', validTo: '' };
    const trusted = byId('server/certificate/trusted');
    expect(judge(trusted, obs('http-status', { httpStatus: 200, peer }), profile, accepted).verdict).toBe('fail');
    expect(judge(trusted, obs('http-status', { httpStatus: 200, peer: { ...peer, authorized: true } }), profile, accepted).verdict).toBe('pass');
    expect(judge(trusted, obs('timeout'), profile, accepted).verdict).toBe('inconclusive');
    const host = byId('server/certificate/hostname');
    expect(judge(host, obs('http-status', { peer: { ...peer, hostnameMatches: false, hostnameError: 'mismatch' } }), profile, accepted).verdict).toBe('fail');
  });

  test('verdicts are identical for identical inputs', () => {
    const o = obs('closed-no-data');
    expect(judge(byId('server/client-auth/no-cert'), o, profile, accepted)).toEqual(judge(byId('server/client-auth/no-cert'), o, profile, accepted));
  });
});

describe('summarize', () => {
  const pass = { verdict: 'pass' as const, reason: '' };
  const fail = { verdict: 'fail' as const, reason: '' };
  const inconclusive = { verdict: 'inconclusive' as const, reason: '' };
  test('a failed required case makes the run non-conformant; a failed recommended one does not', () => {
    expect(summarize([{ case: byId('server/client-auth/expired'), observation: null, verdict: fail }]).verdict).toBe('non-conformant');
    expect(summarize([{ case: byId('server/client-auth/eku-absent'), observation: null, verdict: fail }]).verdict).toBe('conformant');
    expect(summarize([{ case: byId('server/client-auth/expired'), observation: null, verdict: inconclusive }]).verdict).toBe('inconclusive');
    const waived = { ...byId('server/client-auth/expired'), waived: 'legacy partner until 2027' };
    expect(summarize([{ case: waived, observation: null, verdict: fail }, { case: byId('server/client-auth/valid'), observation: null, verdict: pass }])).toMatchObject({
      verdict: 'conformant',
      fail: 1,
      pass: 1,
    });
  });
});

describe('profile expectations', () => {
  test('modern makes RSA-2048 a required rejection and TLS 1.2 a required refusal', () => {
    const modern = resolveCases(loadProfile('modern').profile, 'server');
    const m = (id: string) => modern.find((c) => c.id === id)!;
    expect([m('server/client-auth/rsa-2048').expect, m('server/client-auth/rsa-2048').severity]).toEqual(['reject', 'required']);
    expect([m('server/client-auth/eku-absent').expect, m('server/client-auth/eku-absent').severity]).toEqual(['reject', 'required']);
    expect([m('server/protocol/tls1.2').expect, m('server/protocol/tls1.2').severity]).toEqual(['reject', 'required']);
    expect([byId('server/client-auth/rsa-2048').expect, byId('server/client-auth/rsa-2048').severity]).toEqual(['accept', 'recommended']);
    expect(byId('server/client-auth/eku-absent').severity).toBe('recommended');
  });
});
