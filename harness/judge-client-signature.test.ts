import { describe, expect, test } from 'vitest';
import { judge } from './judge.js';
import { combineRepeats } from './run/execute.js';
import { resolveCases } from './cases/resolve.js';
import { loadProfile } from './profile/load.js';
import type { CaseResult, ClientSignatureFacts, ClientSignatureRun, Observation, Outcome, ResolvedCase } from './model.js';

/** The rules of the issue-16 judge hunks: the wrong-key case, requests-client-ca, and --repeat's combination. */

const profile = loadProfile('intermediate').profile;
const cases = resolveCases(profile, 'server');
const byId = (id: string): ResolvedCase => cases.find((c) => c.id === id)!;
const WRONG_KEY = byId('server/client-auth/certificate-verify-wrong-key');
const REQUESTS_CA = byId('server/certificate/requests-client-ca');
const ctx = { controlAccepted: true } as const;

function obs(outcome: Outcome, extra: Partial<Observation> = {}): Observation {
  return { outcome, alert: null, httpStatus: null, tlsVersion: 'TLSv1.3', cipher: null, detail: outcome, durationMs: 1, ...extra };
}
const ok = obs('http-status', { httpStatus: 200 });
const decryptError = obs('handshake-alert', { alert: { code: 51, name: 'decrypt_error' } });
const protocolVersion = obs('handshake-alert', { alert: { code: 70, name: 'protocol_version' } });

function facts(runs: ClientSignatureRun[], extra: Partial<ClientSignatureFacts> = {}): Observation {
  return { ...(runs[0]?.wrongKey ?? ok), clientSignature: { runs, certificateRequest: null, serverFlightRead: true, ...extra } };
}

describe('certificate-verify-wrong-key', () => {
  test('a wrong key refused where the right key got in passes; a version the target does not speak is named, not failed', () => {
    const v = judge(WRONG_KEY, facts([{ version: 'TLSv1.3', control: ok, wrongKey: decryptError }, { version: 'TLSv1.2', control: protocolVersion, wrongKey: protocolVersion }]), profile, ctx);
    expect(v.verdict).toBe('pass');
    expect(v.reason).toMatch(/TLS 1\.3: right key accepted, wrong key refused.*TLS 1\.2 not checked/);
  });

  test('a wrong key let in on any version fails', () => {
    const v = judge(WRONG_KEY, facts([{ version: 'TLSv1.3', control: ok, wrongKey: decryptError }, { version: 'TLSv1.2', control: ok, wrongKey: ok }]), profile, ctx);
    expect(v.verdict).toBe('fail');
    expect(v.reason).toMatch(/^TLS 1\.2: accepted a CertificateVerify signed with another key/);
  });

  test('a refusal without an accepted right-key control is inconclusive: the prober, not the signature, may have been refused', () => {
    const v = judge(WRONG_KEY, facts([{ version: 'TLSv1.3', control: obs('handshake-alert', { alert: { code: 40, name: 'handshake_failure' } }), wrongKey: decryptError }]), profile, ctx);
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toMatch(/could not complete a handshake with this target/);
  });

  test('a timeout to the wrong key is no answer, not a refusal', () => {
    expect(judge(WRONG_KEY, facts([{ version: 'TLSv1.3', control: ok, wrongKey: obs('timeout') }]), profile, ctx).verdict).toBe('inconclusive');
  });

  test('a prober that did not run (--protocol grpc) is skipped with its reason, never a pass', () => {
    const v = judge(WRONG_KEY, facts([], { notRun: 'not checked: HTTP/1.1 only' }), profile, ctx);
    expect(v).toEqual({ verdict: 'skip', reason: 'not checked: HTTP/1.1 only' });
  });

  test('an HTTP/2-only target (alert 120 to ALPN http/1.1 on every control) is skipped, not passed for refusing the wrong key', () => {
    const noAlpn = obs('handshake-alert', { alert: { code: 120, name: 'no_application_protocol' } });
    const v = judge(WRONG_KEY, facts([{ version: 'TLSv1.3', control: noAlpn, wrongKey: noAlpn }]), profile, ctx);
    expect(v.verdict).toBe('skip');
    expect(v.reason).toMatch(/HTTP\/2-only/);
  });
});

describe('requests-client-ca', () => {
  const run: ClientSignatureRun = { version: 'TLSv1.3', control: ok, wrongKey: null };
  test('names the client CA: pass; names others: fail; names none: fail; no request after a full server flight: fail', () => {
    expect(judge(REQUESTS_CA, facts([run], { certificateRequest: { certificateAuthorities: ['CN=client CA'], namesClientCa: true } }), profile, ctx).verdict).toBe('pass');
    expect(judge(REQUESTS_CA, facts([run], { certificateRequest: { certificateAuthorities: ['CN=other'], namesClientCa: false } }), profile, ctx).reason).toMatch(/names CN=other, not the client CA/);
    expect(judge(REQUESTS_CA, facts([run], { certificateRequest: { certificateAuthorities: [], namesClientCa: false } }), profile, ctx).reason).toMatch(/names no CA/);
    expect(judge(REQUESTS_CA, facts([run], { certificateRequest: null, serverFlightRead: true }), profile, ctx).verdict).toBe('fail');
    expect(judge(REQUESTS_CA, facts([run], { certificateRequest: null, serverFlightRead: false }), profile, ctx).verdict).toBe('inconclusive');
  });
});

describe('--repeat', () => {
  const c = byId('server/client-auth/untrusted-ca');
  const result = (v: 'pass' | 'fail' | 'inconclusive', o: Observation): CaseResult => ({ case: c, observation: o, verdict: { verdict: v, reason: v === 'fail' ? 'accepted (HTTP 200)' : v === 'pass' ? 'refused (HTTP 403)' : 'no answer' } });
  const refused = obs('http-status', { httpStatus: 403 });
  test('one acceptance in n fails "accepted k of n" with the accepting observation', () => {
    const r = combineRepeats([result('pass', refused), result('fail', ok), result('pass', refused), result('fail', ok)]);
    expect(r.verdict).toEqual({ verdict: 'fail', reason: 'accepted 2 of 4: accepted (HTTP 200)' });
    expect(r.observation).toBe(ok);
  });
  test('refused every time passes; a run without an answer makes it inconclusive', () => {
    expect(combineRepeats([result('pass', refused), result('pass', refused)]).verdict.reason).toBe('refused 2 of 2: refused (HTTP 403)');
    expect(combineRepeats([result('pass', refused), result('inconclusive', obs('timeout'))]).verdict).toEqual({ verdict: 'inconclusive', reason: 'refused 1 of 2, no clear answer 1 of 2: no answer' });
  });
});
