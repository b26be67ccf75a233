import { describe, expect, test } from 'vitest';
// The revocation causes of a failed control (issue 16 §3); harness/run/control-hint.test.ts holds the rest.
import type { CaseResult, Observation, ResolvedCase } from '../model.js';
import { clientRevocationCause, controlFailure } from './control-hint.js';
import { withRevocationNote } from './revocation-facts.js';

// The one-line hint of a failed positive control names the revocation cause the observation shows
// (issue 16 §3: a stale CRL was reported as "trust client-ca.pem"), or says the observation cannot tell.
const obs = (o: Partial<Observation>): Observation => ({ outcome: 'handshake-alert', alert: null, httpStatus: null, tlsVersion: 'TLSv1.3', cipher: null, detail: '', durationMs: 1, ...o });
const control = { id: 'server/client-auth/valid', title: '', role: 'server', recipe: { kind: 'client-handshake', cert: 'client/valid' }, refs: [], expect: 'accept', severity: 'required', rationale: '' } as unknown as ResolvedCase;
const hint = (o: Partial<Observation>) => controlFailure({ case: control, observation: obs(o), verdict: { verdict: 'fail', reason: '' } } as CaseResult, '/certs', { presentedSubject: 'CN=x' });

describe('control hint', () => {
  test('alert 45 on a current certificate: a stale CRL (or the clock), not trust', () => {
    const h = hint({ alert: { code: 45, name: 'certificate_expired' } });
    expect(h).toContain('CRL');
    expect(h).toContain('nextUpdate');
    expect(h).not.toContain('configure it to trust');
  });

  test('alert 44 on the valid certificate: a CRL or OCSP answer that lists it', () => {
    expect(hint({ alert: { code: 44, name: 'certificate_revoked' } })).toContain('/certs/trust/client-crl.pem');
  });

  test('alert 48: trust or a missing CRL, and it says the observation cannot tell which', () => {
    const h = hint({ alert: { code: 48, name: 'unknown_ca' } });
    expect(h).toContain('configure it to trust /certs/trust/client-ca.pem');
    expect(h).toContain('unable to get certificate CRL');
    expect(h).toContain('cannot tell');
  });

  test('HTTP 400: the cause named when the answer names it, otherwise where to read it', () => {
    expect(hint({ outcome: 'http-status', httpStatus: 400, detail: 'HTTP 400: client SSL certificate verify error: (3:unable to get certificate CRL)' })).toContain('lacks the CRL of a CA in the chain');
    expect(hint({ outcome: 'http-status', httpStatus: 400, detail: 'HTTP 400 ... CRL has expired' })).toContain('past its nextUpdate');
    const unknown = hint({ outcome: 'http-status', httpStatus: 400, detail: 'HTTP 400 The SSL certificate error' });
    expect(unknown).toContain('the cause is not in the answer');
    expect(unknown).toContain('"unable to get certificate CRL"');
  });

  test('other certificate alerts keep the trust step', () => {
    expect(hint({ alert: { code: 42, name: 'bad_certificate' } })).toContain('configure it to trust /certs/trust/client-ca.pem');
  });
});

describe('a valid chain refused like a missing CRL', () => {
  const validChain = { ...control, id: 'server/client-auth/valid-chain', recipe: { kind: 'client-handshake', cert: 'client/valid-chain' } } as ResolvedCase;
  const fail = { verdict: 'fail' as const, reason: 'refused (alert 48 unknown_ca) but must be accepted: the server must build the path' };

  test('alert 48 or HTTP 400: the reason also names the missing intermediate CRL', () => {
    expect(withRevocationNote(fail, obs({ alert: { code: 48, name: 'unknown_ca' } }), validChain).reason).toContain('lacks the CRL of a CA in this chain');
    expect(withRevocationNote(fail, obs({ outcome: 'http-status', httpStatus: 400 }), validChain).reason).toContain('unable to get certificate CRL');
  });

  test('another refusal, a pass, or a reject case: unchanged', () => {
    expect(withRevocationNote(fail, obs({ alert: { code: 42, name: 'bad_certificate' } }), validChain)).toEqual(fail);
    expect(withRevocationNote({ verdict: 'pass', reason: 'ok' }, obs({ alert: { code: 48, name: 'unknown_ca' } }), validChain).reason).toBe('ok');
    expect(withRevocationNote(fail, obs({ alert: { code: 48, name: 'unknown_ca' } }), { ...validChain, expect: 'reject' })).toEqual(fail);
  });
});

describe('client control', () => {
  test('gnutls refusing {crl}: the hint names the issuers file; an unrelated failure: null', () => {
    expect(clientRevocationCause('Processed 1 CA certificate(s).\nError setting the x509 CRL file: Error in the CRL verification.')).toContain('trust/server-crl-issuers.pem');
    expect(clientRevocationCause('verify error:num=3:unable to get certificate CRL')).toContain('not only the first');
    expect(clientRevocationCause('curl: (60) SSL certificate problem: unable to get local issuer certificate')).toBeNull();
  });
});
