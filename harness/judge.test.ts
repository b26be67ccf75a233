import { describe, expect, test } from 'vitest';
import { judge, judgeServedConnection, interpret, summarize } from './judge.js';
import { connectionObservation, type SeenConnection } from './peers/case-server.js';
import { resolveCases } from './cases/resolve.js';
import { loadProfile } from './profile/load.js';
import type { FallbackFacts, Observation, Outcome, RenegotiationFacts, ResolvedCase, SessionFacts, SessionVersionFacts } from './model.js';

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
  ['grpc-status 0 OK', obs('grpc-status', { httpStatus: 200, grpcStatus: 0, alpn: 'h2' }), 'fail', 'pass'],
  ['grpc-status 12 UNIMPLEMENTED (any gRPC answer completes the call)', obs('grpc-status', { httpStatus: 200, grpcStatus: 12, alpn: 'h2' }), 'fail', 'pass'],
  ['grpc-status 16 UNAUTHENTICATED', obs('grpc-status', { httpStatus: 200, grpcStatus: 16, alpn: 'h2' }), 'pass', 'fail'],
  ['grpc-status 7 PERMISSION_DENIED', obs('grpc-status', { httpStatus: 200, grpcStatus: 7, alpn: 'h2' }), 'pass', 'fail'],
  ['http-status 403 over HTTP/2', obs('http-status', { httpStatus: 403, alpn: 'h2' }), 'pass', 'fail'],
  // Neither an accepted call nor a refusal the profile names (issue 17): the accept case fails, and so does the reject case.
  ['malformed-answer: grpc-status "zzz"', obs('malformed-answer', { httpStatus: 200, grpcStatus: null, alpn: 'h2' }), 'fail', 'fail'],
  ['malformed-answer: HTTP 500 to a gRPC call', obs('malformed-answer', { httpStatus: 500, grpcStatus: null, alpn: 'h2' }), 'fail', 'fail'],
  ['malformed-answer: HTTP 400 to a gRPC call (a refusal the profile names)', obs('malformed-answer', { httpStatus: 400, grpcStatus: null, alpn: 'h2' }), 'pass', 'fail'],
  ['timeout', obs('timeout'), 'inconclusive', 'inconclusive'],
  ['harness-error', obs('harness-error'), 'inconclusive', 'inconclusive'],
];

describe('judge', () => {
  test.each(fixtures)('%s: reject case and accept case', (_name, o, onReject, onAccept) => {
    expect(judge(byId('server/client-auth/expired'), o, profile, accepted).verdict).toBe(onReject);
    expect(judge(byId('server/client-auth/valid'), o, profile, accepted).verdict).toBe(onAccept);
  });

  test('a malformed answer is never a pass of a reject case, whatever the control saw, and the reason says what was seen', () => {
    const bad = obs('malformed-answer', { httpStatus: 200, grpcStatus: null, detail: 'grpc-status "zzz" is not a gRPC status code (a decimal integer 0-16)' });
    for (const controlAccepted of [true, false, null]) {
      const v = judge(byId('server/client-auth/expired'), bad, profile, { controlAccepted });
      expect(v.verdict).toBe('fail');
      expect(v.reason).toContain('grpc-status "zzz"');
    }
    expect(interpret(bad, profile)).toBe('malformed');
    expect(judge(byId('server/client-auth/valid'), bad, profile, accepted).reason).toMatch(/not an accepted call: grpc-status "zzz"/);
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

  test('an accept case refused while the positive control was refused too is inconclusive, not a failure of what it varies', () => {
    // A gRPC server answers an http/1.1-only ClientHello with alert 120: the control and tls1.2 fail alike.
    const alpn = obs('handshake-alert', { alert: { code: 120, name: 'no_application_protocol' }, tlsVersion: null });
    const v = judge(byId('server/protocol/tls1.2'), alpn, profile, { controlAccepted: false, controlSummary: 'handshake alert 120 no_application_protocol' });
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toMatch(/positive control was not accepted either \(handshake alert 120/);
    expect(judge(byId('server/client-auth/valid-chain'), alpn, profile, { controlAccepted: false }).verdict).toBe('inconclusive');
    // The control itself still fails, and with an accepted control the refusal is a failure.
    expect(judge(byId('server/client-auth/valid'), alpn, profile, { controlAccepted: false }).verdict).toBe('fail');
    expect(judge(byId('server/client-auth/valid-chain'), alpn, profile, accepted).verdict).toBe('fail');
  });

  test('gRPC statuses are refusals only where the profile lists them', () => {
    expect(interpret(obs('grpc-status', { grpcStatus: 16 }), profile)).toBe('rejected');
    const custom = { ...profile, rejection: { ...profile.rejection, grpcStatuses: [16] } };
    expect(interpret(obs('grpc-status', { grpcStatus: 7 }), custom)).toBe('accepted');
    expect(judge(byId('server/client-auth/valid'), obs('grpc-status', { grpcStatus: 16 }), profile, accepted).reason).toContain('gRPC status 16 UNAUTHENTICATED');
  });

  test('the profile decides which HTTP statuses are refusals', () => {
    const custom = { ...profile, rejection: { ...profile.rejection, httpStatuses: [404] } };
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

describe('session ticket lifetime', () => {
  const limited = { ...profile, tls: { ...profile.tls, maxSessionLifetimeSeconds: 300 } };
  const c = resolveCases(limited, 'server').find((x) => x.id === 'server/session/ticket-lifetime')!;
  const v13 = (lifetimes: number[], extra: Partial<SessionVersionFacts> = {}): SessionVersionFacts => ({ version: 'TLSv1.3', status: 'negotiated', sessions: lifetimes.length, tickets: lifetimes.length, lifetimes, detail: 'TLSv1.3 handshake completed', ...extra });
  const v12 = (extra: Partial<SessionVersionFacts> = {}): SessionVersionFacts => ({ version: 'TLSv1.2', status: 'not-spoken', sessions: 0, tickets: 0, lifetimes: [], detail: 'refused', ...extra });
  const run = (session: SessionFacts, p = limited) => judge(c, obs('accepted', { session }), p, accepted);

  test('required when the profile sets a maximum, info otherwise (and then it only reports)', () => {
    expect([c.expect, c.severity]).toEqual(['property', 'required']);
    const info = byId('server/session/ticket-lifetime');
    expect(info.severity).toBe('info');
    expect(judge(info, obs('accepted', { session: { versions: [v13([7200, 7200]), v12()] } }), profile, accepted)).toEqual({
      verdict: 'pass',
      reason: 'no limit in the profile (tls.maxSessionLifetimeSeconds); TLS 1.3 tickets announce 7200 s; TLS 1.2 not spoken',
    });
  });

  test('a lifetime above the maximum fails, naming both; at or below it passes and says resumption was not checked', () => {
    expect(run({ versions: [v13([7200, 7200]), v12()] })).toEqual({ verdict: 'fail', reason: 'announces 7200 s; the profile allows at most 300 s (TLS 1.3 tickets announce 7200 s; TLS 1.2 not spoken)' });
    expect(run({ versions: [v13([300]), v12({ status: 'negotiated', sessions: 1, tickets: 1, lifetimes: [3600] })] }).reason).toMatch(/^announces 3600 s; the profile allows at most 300 s/);
    const ok = run({ versions: [v13([300, 300]), v12()] });
    expect(ok.verdict).toBe('pass');
    expect(ok.reason).toBe("announces at most 300 s, within the profile's 300 s (TLS 1.3 tickets announce 300 s; TLS 1.2 not spoken); resumption after 300 s not checked (run with --slow to offer a session again after 300 s)");
  });

  test('no ticket passes and says so; a TLS 1.2 session id is noted as unannounced', () => {
    expect(run({ versions: [v13([]), v12()] })).toEqual({ verdict: 'pass', reason: 'issues no session ticket, so there is nothing to resume by ticket (TLS 1.3: no ticket; TLS 1.2 not spoken)' });
    const sid = run({ versions: [v13([]), v12({ status: 'negotiated', sessions: 1 })] });
    expect(sid.verdict).toBe('pass');
    expect(sid.reason).toContain('session id only, its lifetime is not announced');
    expect(sid.reason).toContain('not checked (run with --slow');
  });

  test('a TLS 1.2 ticket of unspecified lifetime (hint 0) is inconclusive without --slow', () => {
    const v = run({ versions: [v13([300]), v12({ status: 'negotiated', sessions: 1, tickets: 1, lifetimes: [0] })] });
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain('an unspecified lifetime (hint 0)');
  });

  test('--slow: a late resumption fails whatever was announced; a late refusal passes only when an immediate one was resumed', () => {
    const late = (atOnce: boolean | null, after: boolean | null) => run({ versions: [v13([300], { resumedAtOnce: atOnce, resumedAfterWait: after }), v12()], waitedSeconds: 305 });
    expect(late(true, true)).toMatchObject({ verdict: 'fail', reason: expect.stringMatching(/^resumed a TLS 1\.3 session offered 305 s after it was issued; the profile allows at most 300 s/) });
    expect(late(true, false)).toMatchObject({ verdict: 'pass', reason: expect.stringMatching(/; refused to resume after 305 s$/) });
    expect(late(false, false)).toMatchObject({ verdict: 'pass', reason: expect.stringMatching(/does not resume TLS 1\.3 sessions at all \(not even at once\)$/) });
    expect(late(null, false).verdict).toBe('inconclusive');
    expect(late(true, null).verdict).toBe('inconclusive');
  });

  test('no handshake at either version is inconclusive', () => {
    expect(run({ versions: [v13([], { status: 'failed', detail: 'no handshake within 5000 ms' }), v12()] }).verdict).toBe('inconclusive');
    expect(run({ versions: [v13([], { status: 'not-spoken' }), v12()] }).verdict).toBe('inconclusive');
    expect(judge(c, obs('accepted'), limited, accepted).verdict).toBe('inconclusive');
  });
});

describe('renegotiation and fallback SCSV', () => {
  const reneg = byId('server/protocol/renegotiation');
  const fallback = byId('server/protocol/fallback-scsv');
  const r = (result: RenegotiationFacts['result'], detail: string) => judge(reneg, obs('accepted', { renegotiation: { result, alert: null, detail } }), profile, accepted);
  const f = (result: FallbackFacts['result'], detail: string) =>
    judge(fallback, obs('handshake-alert', { fallback: { spoken: ['TLSv1.3', 'TLSv1.2'], fallbackVersion: result === 'not-applicable' ? null : 'TLSv1.2', result, alert: null, detail } }), profile, accepted);

  test('recommended property cases', () => {
    expect([reneg.expect, reneg.severity, fallback.expect, fallback.severity]).toEqual(['property', 'recommended', 'property', 'recommended']);
  });

  test('renegotiation: accepted fails, refused or ignored passes, no TLS 1.2 skips, a failed connection is inconclusive', () => {
    expect(r('accepted', 'the target completed a client-initiated renegotiation of the TLS 1.2 connection').verdict).toBe('fail');
    expect(r('refused', 'the target refused the renegotiation (alert 100 no_renegotiation)')).toEqual({ verdict: 'pass', reason: 'refused the renegotiation (alert 100 no_renegotiation)' });
    expect(r('ignored', 'the target neither renegotiated nor refused within 5000 ms').verdict).toBe('pass');
    expect(r('not-applicable', 'the target refused a TLS 1.2 handshake (alert 70 protocol_version)')).toMatchObject({ verdict: 'skip', reason: expect.stringContaining('TLS 1.3 has no renegotiation') });
    expect(r('failed', 'no TLS 1.2 handshake within 5000 ms').verdict).toBe('inconclusive');
  });

  test('fallback: alert 86 passes, another refusal passes with a note, a downgraded handshake fails, one version skips', () => {
    expect(f('inappropriate-fallback', 'alert 86 inappropriate_fallback to a TLSv1.2 ClientHello').verdict).toBe('pass');
    expect(f('other-refusal', 'alert 40 handshake_failure')).toMatchObject({ verdict: 'pass', reason: expect.stringContaining('not with the inappropriate_fallback (86) alert') });
    expect(f('accepted', 'ServerHello TLSv1.2')).toMatchObject({ verdict: 'fail', reason: expect.stringContaining('can force TLSv1.2') });
    expect(f('not-applicable', 'the target speaks only TLSv1.3: there is no lower version to fall back to')).toEqual({ verdict: 'skip', reason: 'the target speaks only TLSv1.3: there is no lower version to fall back to' });
    expect(f('no-answer', 'timeout').verdict).toBe('inconclusive');
  });
});

describe('what a client offers', () => {
  const clientCases = resolveCases(profile, 'client');
  const versions = clientCases.find((c) => c.id === 'client/protocol/offered-versions')!;
  const suites = clientCases.find((c) => c.id === 'client/cipher/offered-suites')!;
  const seen = (offered: { versions: string[]; suites: string[] }) => obs('accepted', { offered });

  test('offered versions outside tls.versions fail (recommended: completing one is the required finding); inside pass', () => {
    expect(versions.severity).toBe('recommended');
    expect(judge(versions, seen({ versions: ['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1'], suites: [] }), profile, accepted)).toEqual({
      verdict: 'fail',
      reason: "offers TLSv1.1, TLSv1 outside the profile's TLSv1.2, TLSv1.3 (offered: TLSv1.3, TLSv1.2, TLSv1.1, TLSv1)",
    });
    expect(judge(versions, seen({ versions: ['TLSv1.3', 'TLSv1.2'], suites: [] }), profile, accepted)).toEqual({ verdict: 'pass', reason: 'offers TLSv1.3, TLSv1.2' });
    const modern = loadProfile('modern').profile;
    const m = resolveCases(modern, 'client').find((c) => c.id === 'client/protocol/offered-versions')!;
    expect(judge(m, seen({ versions: ['TLSv1.3', 'TLSv1.2'], suites: [] }), modern, accepted).verdict).toBe('fail');
  });

  test('offered suites outside both allowlists fail (recommended), by IANA name', () => {
    expect(suites.severity).toBe('recommended');
    const v = judge(suites, seen({ versions: ['TLSv1.3'], suites: ['TLS_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_128_CBC_SHA', '0xffee'] }), profile, accepted);
    expect(v).toEqual({ verdict: 'fail', reason: "offers 2 of 4 suites outside the profile's allowlists: TLS_RSA_WITH_AES_128_CBC_SHA, 0xffee" });
    expect(judge(suites, seen({ versions: ['TLSv1.3'], suites: ['TLS_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'] }), profile, accepted).verdict).toBe('pass');
  });

  test('no ClientHello read is inconclusive', () => {
    expect(judge(versions, obs('no-connection', { tlsVersion: null }), profile, accepted).verdict).toBe('inconclusive');
  });
});

describe('protocol versions: required only by tls.requiredVersions', () => {
  const refused = obs('handshake-alert', { alert: { code: 70, name: 'protocol_version' } });
  const tls12 = (p: typeof profile) => resolveCases(p, 'server').find((c) => c.id === 'server/protocol/tls1.2')!;

  test('under intermediate, refusing TLS 1.2 is a recommended note: a TLS 1.3-only target stays conformant', () => {
    const c = tls12(profile);
    expect(c).toMatchObject({ expect: 'accept', severity: 'recommended' });
    const r = { case: c, observation: refused, verdict: judge(c, refused, profile, accepted) };
    expect(r.verdict.verdict).toBe('fail');
    const control = { case: byId('server/client-auth/valid'), observation: obs('http-status', { httpStatus: 200 }), verdict: { verdict: 'pass' as const, reason: '' } };
    expect(summarize([control, r]).verdict).toBe('conformant');
  });

  test('a profile that requires TLS 1.2 fails a target that refuses it', () => {
    const strict = { ...profile, tls: { ...profile.tls, requiredVersions: ['TLSv1.2' as const] } };
    const c = tls12(strict);
    expect(c).toMatchObject({ expect: 'accept', severity: 'required' });
    const control = { case: byId('server/client-auth/valid'), observation: obs('http-status', { httpStatus: 200 }), verdict: { verdict: 'pass' as const, reason: '' } };
    expect(summarize([control, { case: c, observation: refused, verdict: judge(c, refused, strict, accepted) }]).verdict).toBe('non-conformant');
  });

  test('an allowed TLS 1.0 that is not required is information only; a forbidden one must be refused', () => {
    const legacy = { ...profile, tls: { ...profile.tls, versions: ['TLSv1' as const, 'TLSv1.2' as const, 'TLSv1.3' as const] } };
    expect(resolveCases(legacy, 'server').find((c) => c.id === 'server/protocol/tls1.0')).toMatchObject({ expect: 'accept', severity: 'info' });
    expect(byId('server/protocol/tls1.0')).toMatchObject({ expect: 'reject', severity: 'required' });
  });
});

describe('summary verdict', () => {
  const fail = (id: string) => ({ case: byId(id), observation: obs('http-status', { httpStatus: 200 }), verdict: { verdict: 'fail' as const, reason: '' } });
  test('a positive control that was not accepted makes the run inconclusive, even with required failures', () => {
    expect(summarize([fail('server/client-auth/valid'), fail('server/client-auth/expired')]).verdict).toBe('inconclusive');
    const controlPass = { ...fail('server/client-auth/valid'), verdict: { verdict: 'pass' as const, reason: '' } };
    expect(summarize([controlPass, fail('server/client-auth/expired')]).verdict).toBe('non-conformant');
  });
});

describe('client certificate cases', () => {
  const clientCases = resolveCases(profile, 'client');
  const presented = clientCases.find((c) => c.id === 'client/certificate/presented')!;
  const client = (extra: Record<string, unknown>) => ({
    exitCode: 1, signal: null, timedOut: false, stdoutTail: '', stderrTail: '', connected: true, handshakeCompleted: false,
    request: null, presentedCertPem: null, presentedAuthorized: false, presentedError: null, observedAt: new Date().toISOString(), ...extra,
  });

  test('a handshake that ended before it completed says nothing about the certificate: inconclusive, never "presented no certificate"', () => {
    const ended = obs('closed-no-data', { detail: 'the client closed the connection during the handshake (ERR_SSL_NO_APPLICATION_PROTOCOL)', client: client({}) });
    const v = judge(presented, ended, profile, accepted);
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toMatch(/before a CertificateRequest was sent/);
    expect(v.reason).not.toMatch(/presented no certificate/);
  });

  test('a completed handshake without a certificate fails', () => {
    const none = obs('accepted', { client: client({ handshakeCompleted: true, request: 'GET / HTTP/1.1' }) });
    expect(judge(presented, none, profile, accepted)).toEqual({ verdict: 'fail', reason: 'the client presented no certificate when the server requested one' });
  });
});

describe('client/certificate/key-not-printed', () => {
  const c = resolveCases(profile, 'client').find((x) => x.id === 'client/certificate/key-not-printed')!;
  const client = (printed?: ('stdout' | 'stderr')[]) =>
    obs('accepted', {
      client: { exitCode: 0, signal: null, timedOut: false, stdoutTail: '', stderrTail: '', connected: true, handshakeCompleted: true, request: 'GET / HTTP/1.1', presentedCertPem: null, presentedAuthorized: false, presentedError: null, observedAt: new Date().toISOString(), ...(printed ? { printedKeyMaterial: printed } : {}) },
    });

  test('is a required check', () => {
    expect(c).toMatchObject({ expect: 'property', severity: 'required' });
  });

  test('fails where the client printed key material, naming the stream; passes where it printed none', () => {
    expect(judge(c, client(['stderr']), profile, accepted)).toMatchObject({ verdict: 'fail', reason: expect.stringContaining('on stderr') });
    expect(judge(c, client(['stdout', 'stderr']), profile, accepted).reason).toContain('on stdout and stderr');
    expect(judge(c, client([]), profile, accepted).verdict).toBe('pass');
    // Reports written before the field existed re-judge as "printed nothing".
    expect(judge(c, client(), profile, accepted).verdict).toBe('pass');
  });

  test('without a client run there is nothing to judge', () => {
    expect(judge(c, obs('timeout'), profile, accepted).verdict).toBe('inconclusive');
  });
});

// `serve` and startServerMatrix: what a case's reference server saw of one connection, judged here.
describe('judgeServedConnection', () => {
  const clientCases = resolveCases(profile, 'client');
  const clientCase = (id: string) => clientCases.find((c) => c.id === id)!;
  const seen = (over: Partial<SeenConnection> = {}): SeenConnection => ({
    handshakeCompleted: true,
    tlsVersion: 'TLSv1.3',
    cipher: 'TLS_AES_128_GCM_SHA256',
    presentedCertPem: '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n',
    presentedAuthorized: true,
    presentedError: null,
    request: 'GET / HTTP/1.1',
    alert: null,
    error: null,
    resetDuringHandshake: false,
    ...over,
  });
  const at = '2026-01-01T00:00:00.000Z';

  test('a request over an expired server certificate fails with the case rationale; a refusal passes', () => {
    const expired = clientCase('client/server-auth/expired');
    const wrong = judgeServedConnection(expired, connectionObservation(seen(), 'request', at), profile);
    expect(wrong.verdict).toBe('fail');
    expect(wrong.reason).toBe(`accepted (request sent (GET / HTTP/1.1)) but must be refused: ${expired.rationale}`);
    const alert = connectionObservation(seen({ handshakeCompleted: false, request: null, alert: { code: 45, name: 'certificate_expired' } }), 'alert', at);
    expect(alert).toMatchObject({ outcome: 'handshake-alert', detail: 'the client sent alert 45 certificate_expired' });
    expect(judgeServedConnection(expired, alert, profile)).toEqual({ verdict: 'pass', reason: 'refused (handshake alert 45 certificate_expired)' });
  });

  test('the valid server: a request with a client certificate passes; without one it fails (mutual TLS)', () => {
    const valid = clientCase('client/server-auth/valid');
    expect(judgeServedConnection(valid, connectionObservation(seen(), 'request', at), profile).verdict).toBe('pass');
    const noCert = judgeServedConnection(valid, connectionObservation(seen({ presentedCertPem: null }), 'request', at), profile);
    expect(noCert.verdict).toBe('fail');
    expect(noCert.reason).toContain('presented no client certificate');
    // A close without a request at the valid server is a refusal of a valid server: wrong.
    expect(judgeServedConnection(valid, connectionObservation(seen({ request: null }), 'closed', at), profile).verdict).toBe('fail');
  });

  test('a reset during the handshake is a tcp-reset, a refusal', () => {
    const o = connectionObservation(seen({ handshakeCompleted: false, request: null, resetDuringHandshake: true }), 'closed', at);
    expect(o.outcome).toBe('tcp-reset');
    expect(judgeServedConnection(clientCase('client/server-auth/self-signed'), o, profile).verdict).toBe('pass');
  });
});

describe('suite sweeps (server/cipher/*)', () => {
  const sweepObs = (handshakeSeen: boolean | undefined, accepted: string[] = []) =>
    obs('handshake-alert', { detail: 'the target completed no handshake: no ClientHello got a ServerHello (TLSv1.3: alert 80 internal_error (fatal))', sweep: { version: 'TLSv1.2', accepted, inconclusive: [], offered: 300, ...(handshakeSeen === undefined ? {} : { handshakeSeen }) } });
  const c = byId('server/cipher/tls1.2-suites');

  test('no suite accepted from a target that completed no handshake at all: inconclusive, never "accepts no suite"', () => {
    const v = judge(c, sweepObs(false), profile, accepted);
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain('alert 80 internal_error');
  });

  test('no suite accepted from a target that completes handshakes (a TLS 1.3-only server): pass', () => {
    expect(judge(c, sweepObs(true), profile, accepted)).toEqual({ verdict: 'pass', reason: 'accepts no TLSv1.2 suite' });
    // A report written before handshakeSeen was recorded re-judges as it was judged.
    expect(judge(c, sweepObs(undefined), profile, accepted).verdict).toBe('pass');
  });

  test('a suite outside the allowlist fails whatever else was seen', () => {
    expect(judge(c, sweepObs(false, ['TLS_RSA_WITH_RC4_128_SHA']), profile, accepted).verdict).toBe('fail');
  });
});

describe('answer-within cases (pathological, denial of service): an answer in time is required, which answer is information', () => {
  const deep = resolveCases(profile, undefined, 'deep');
  const long = deep.find((c) => c.id === 'server/pathological/long-chain-12')!;
  const cycle = deep.find((c) => c.id === 'server/pathological/issuer-cycle')!;
  const clientLong = deep.find((c) => c.id === 'client/pathological/long-chain-12')!;
  const clientRun = (connected: boolean) => ({ exitCode: null, signal: 'SIGKILL', timedOut: true, stdoutTail: '', stderrTail: '', connected, handshakeCompleted: false, request: null, printedKeyMaterial: [] }) as unknown as Observation['client'];

  test('every pathological case is required and answer-within; no other deep case is', () => {
    const within = deep.filter((c) => c.answerWithin).map((c) => c.id);
    expect(within.length).toBe(18);
    expect(within.every((id) => /^(server|client)\/pathological\//.test(id))).toBe(true);
    expect(deep.filter((c) => c.family === 'pathological').every((c) => c.answerWithin && c.severity === 'required')).toBe(true);
    expect(long.expect).toBe('accept');
    expect(cycle.expect).toBe('reject');
  });

  test('no answer within the bound fails, with the bound in the reason', () => {
    const v = judge(long, obs('timeout', { detail: 'no answer within 1500 ms while waiting for an HTTP response', answerBoundMs: 1500 }), profile, accepted);
    expect(v.verdict).toBe('fail');
    expect(v.reason).toMatch(/^did not answer \(neither accepted nor refused\) within 1500 ms/);
    // Whatever the control saw: silence is the target's, not the control's.
    expect(judge(cycle, obs('timeout', { answerBoundMs: 1500 }), profile, { controlAccepted: false }).verdict).toBe('fail');
  });

  test('either answer in time passes, and the reason says which one, against the reference expectation', () => {
    const ok = judge(long, obs('http-status', { httpStatus: 200, answerBoundMs: 1500 }), profile, accepted);
    expect(ok).toMatchObject({ verdict: 'pass' });
    expect(ok.reason).toMatch(/^answered within 1500 ms: accepted \(HTTP 200\), as the reference expectation \(accept\)/);
    const refused = judge(long, obs('handshake-alert', { alert: { code: 48, name: 'unknown_ca' }, answerBoundMs: 1500 }), profile, accepted);
    expect(refused).toMatchObject({ verdict: 'pass' });
    expect(refused.reason).toMatch(/refused \(handshake alert 48 unknown_ca\), unlike the reference expectation \(accept\)/);
    // An accepted reject-expectation case passes too: acceptance is information here.
    expect(judge(cycle, obs('accepted'), profile, accepted).verdict).toBe('pass');
  });

  test('a refusal while the control was refused proves no bound: inconclusive', () => {
    expect(judge(cycle, obs('handshake-alert', { alert: { code: 48, name: 'unknown_ca' } }), profile, { controlAccepted: false, controlSummary: 'HTTP 400' }).verdict).toBe('inconclusive');
  });

  test('a harness fault, or a client that never reached the reference server, stays inconclusive', () => {
    expect(judge(long, obs('harness-error', { detail: 'ERR_SSL_...: the harness could not build its TLS context' }), profile, accepted).verdict).toBe('inconclusive');
    expect(judge(clientLong, obs('no-connection', { client: clientRun(false) }), profile, accepted).verdict).toBe('inconclusive');
    expect(judge(clientLong, obs('timeout', { client: clientRun(false), detail: 'the client was killed after 1500 ms without connecting' }), profile, accepted).verdict).toBe('inconclusive');
    const killed = judge(clientLong, obs('timeout', { client: clientRun(true), detail: 'the client was killed after 1500 ms without sending a request', answerBoundMs: 1500 }), profile, accepted);
    expect(killed.verdict).toBe('fail');
    expect(killed.reason).toMatch(/within 1500 ms/);
  });
});
