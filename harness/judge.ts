import { informativeLine } from './process/informative-line.js';
import type { Profile } from './profile/schema.js';
import { certificateFacts, RULES, type CertificateFacts, type RuleName } from './policy/certificate-policy.js';
import { grpcStatusName } from './tls/grpc-status.js';
import type { CaseResult, ClientSignatureFacts, Observation, ResolvedCase, SessionVersionFacts, Severity, Verdict, VerdictValue } from './model.js';

/**
 * Observations become verdicts here and nowhere else. Pure: the same case, observation,
 * profile and control give the same verdict, so a recorded run can be re-judged.
 */

/** malformed: an answer that is neither an accepted round trip nor a refusal the profile names (judged in `judge`). */
export type Interpretation = 'accepted' | 'rejected' | 'malformed' | 'unknown';

/** For a profile recorded before rejection.grpcStatuses existed (re-judging an old run). */
const DEFAULT_GRPC_REJECTIONS = [16, 7];

/** What an observation means under the profile's rejection rules (PRODUCT.md verdict rules). */
export function interpret(obs: Observation, profile: Profile): Interpretation {
  switch (obs.outcome) {
    case 'accepted':
      return 'accepted';
    case 'http-status':
      return obs.httpStatus !== null && profile.rejection.httpStatuses.includes(obs.httpStatus) ? 'rejected' : 'accepted';
    case 'grpc-status':
      // Any gRPC answer completes the round trip; UNAUTHENTICATED and PERMISSION_DENIED are the application refusing the identity.
      return obs.grpcStatus != null && (profile.rejection.grpcStatuses ?? DEFAULT_GRPC_REJECTIONS).includes(obs.grpcStatus) ? 'rejected' : 'accepted';
    case 'malformed-answer':
      // A gRPC call answered with a bare HTTP refusal the profile names (nginx's 400 for a bad client
      // certificate, a proxy's 403 in front of the service) is that refusal; anything else is malformed.
      return obs.httpStatus !== null && obs.httpStatus !== 200 && profile.rejection.httpStatuses.includes(obs.httpStatus) ? 'rejected' : 'malformed';
    case 'handshake-alert':
    case 'post-handshake-alert':
    case 'tcp-reset':
    case 'closed-no-data':
      return 'rejected';
    case 'timeout':
    case 'harness-error':
    case 'no-connection':
      return 'unknown';
  }
}

/** Short human form of an observation: `alert 48 unknown_ca`, `HTTP 400`, `timeout`. */
export function describeObservation(obs: Observation): string {
  switch (obs.outcome) {
    case 'handshake-alert':
      return `handshake alert ${obs.alert?.code} ${obs.alert?.name}`;
    case 'post-handshake-alert':
      return `alert ${obs.alert?.code} ${obs.alert?.name} after the handshake`;
    case 'http-status':
      return `HTTP ${obs.httpStatus}${obs.alpn === 'h2' ? ' over HTTP/2' : ''}`;
    case 'grpc-status':
      return `gRPC status ${obs.grpcStatus} ${grpcStatusName(obs.grpcStatus ?? -1)}`;
    case 'malformed-answer':
      return `a malformed gRPC answer (HTTP ${obs.httpStatus ?? 'status unknown'})`;
    case 'tcp-reset':
      return 'TCP reset';
    case 'closed-no-data':
      return 'closed without data';
    case 'accepted':
      return obs.client?.request ? `request sent (${obs.client.request})` : 'accepted';
    case 'timeout':
      return 'timeout';
    case 'harness-error':
      return `harness error`;
    case 'no-connection':
      return `no connection (exit ${obs.client?.exitCode ?? '?'})`;
  }
}

export interface JudgeContext {
  /** Whether the positive control of this case's role was accepted; null when it did not run. */
  controlAccepted: boolean | null;
  /** What the control observed, for the reason of inconclusive rejections. */
  controlSummary?: string;
}

const verdict = (v: VerdictValue, reason: string): Verdict => ({ verdict: v, reason });

export function judge(c: ResolvedCase, obs: Observation | null, profile: Profile, ctx: JudgeContext): Verdict {
  if (c.skip) return verdict('skip', c.skip);
  if (!obs) return verdict('inconclusive', 'the case was not probed');

  // Exit code 89 is the client-target contract's "not implemented" (README): skip, with its reason.
  if (obs.client?.exitCode === 89) return verdict('skip', `the client reports this as not implemented: ${lastLine(obs.client.stderrTail) || 'exit code 89'}`);
  if (c.answerWithin) return judgeAnswerWithin(c, obs, profile, ctx);
  if (obs.clientSignature) return c.property === 'requests-client-ca' ? judgeRequestsClientCa(obs.clientSignature) : judgeClientSignature(c, obs.clientSignature, profile);
  if (c.expect === 'property' && c.property === 'client-key-not-printed') return judgeKeyNotPrinted(obs);
  if (c.expect === 'property') return c.property?.startsWith('client-cert-') ? judgeClientCertificate(c, obs, profile) : judgeProperty(c, obs, profile);
  if (obs.outcome === 'no-connection') {
    const why = `the client ended (exit ${obs.client?.exitCode ?? 'none'}) without connecting to the reference server${obs.client?.stderrTail ? `: ${informativeLine(obs.client.stderrTail) ?? lastLine(obs.client.stderrTail)}` : ''}`;
    return c.expect === 'accept' ? verdict('fail', why) : verdict('inconclusive', `${why}, so it cannot have judged the server`);
  }

  const seen = describeObservation(obs);
  const meaning = interpret(obs, profile);
  if (meaning === 'unknown') {
    return verdict('inconclusive', `expected ${c.expect === 'accept' ? 'acceptance' : 'a refusal'} but observed ${seen}: ${obs.detail}`);
  }
  if (meaning === 'malformed') {
    // Neither acceptance nor a refusal the profile names. An accept case was not accepted. A reject
    // case fails too, whatever the control saw: the request got past TLS to the application, and
    // the answer is not a refusal the partner can recognise, so the certificate was not visibly
    // refused (inconclusive would let a target hide acceptance behind a broken answer).
    return c.expect === 'accept'
      ? verdict('fail', `observed ${seen}, not an accepted call: ${obs.detail}`)
      : verdict('fail', `observed ${seen}, not a refusal the profile names (the request reached the application): ${obs.detail}`);
  }
  if (c.expect === 'accept') {
    if (meaning === 'accepted') return verdict('pass', `accepted (${seen})`);
    // The valid certificate over the default protocol was refused too: this refusal most likely has
    // the same cause (trust, ALPN, the request), not the version or certificate this case varies.
    if (!c.positiveControl && ctx.controlAccepted === false) {
      return verdict('inconclusive', `refused (${seen}), but the positive control was not accepted either (${ctx.controlSummary ?? 'refused'}), so this refusal says nothing about what the case varies`);
    }
    return verdict('fail', `refused (${seen}) but the profile expects acceptance: ${c.rationale}`);
  }
  // expect reject. Letting a bad certificate in is wrong whatever the control saw; a refusal only
  // means something once a valid certificate is known to get in.
  if (meaning === 'accepted') return verdict('fail', `accepted (${seen}) but must be refused: ${c.rationale}`);
  if (!c.positiveControl && ctx.controlAccepted !== true) {
    const why = ctx.controlAccepted === null ? 'did not run' : `was not accepted (${ctx.controlSummary ?? 'refused'})`;
    return verdict('inconclusive', `observed ${seen}, but the positive control ${why}, so a refusal proves nothing`);
  }
  return verdict('pass', `refused (${seen})`);
}

/**
 * A denial-of-service case (harness/cases/deep/pathological.ts; limbo's `denial-of-service`
 * feature): required is an answer, acceptance or refusal, within the bound; no answer fails. Which
 * answer is information, so the reason names it beside the reference expectation. A harness fault
 * (harness-error) or a client that never reached the reference server says nothing about the
 * target's answer: inconclusive, as elsewhere.
 */
function judgeAnswerWithin(c: ResolvedCase, obs: Observation, profile: Profile, ctx: JudgeContext): Verdict {
  const within = obs.answerBoundMs !== undefined ? `within ${obs.answerBoundMs} ms` : 'within the bound';
  if (obs.outcome === 'no-connection' || (obs.outcome === 'timeout' && obs.client && !obs.client.connected)) {
    return verdict('inconclusive', `the client never connected to the reference server, so it never saw the chain: ${obs.detail}`);
  }
  if (obs.outcome === 'timeout') return verdict('fail', `did not answer (neither accepted nor refused) ${within} (--timeout): ${obs.detail}`);
  const seen = describeObservation(obs);
  const meaning = interpret(obs, profile);
  if (meaning === 'unknown') return verdict('inconclusive', `observed ${seen}, not an answer of the target: ${obs.detail}`);
  const answer = meaning === 'accepted' ? `accepted (${seen})` : meaning === 'rejected' ? `refused (${seen})` : `answered with ${seen}`;
  const reference = `${(meaning === 'accepted') === (c.expect === 'accept') ? 'as' : 'unlike'} the reference expectation (${c.expect}), which is information here`;
  // A refusal while the valid certificate is refused too may come before the costly work: it proves no bound.
  if (meaning === 'rejected' && !c.positiveControl && ctx.controlAccepted !== true) {
    return verdict('inconclusive', `refused (${seen}), but the positive control ${ctx.controlAccepted === null ? 'did not run' : `was not accepted (${ctx.controlSummary ?? 'refused'})`}, so the refusal may come before the work the case is about`);
  }
  return verdict('pass', `answered ${within}: ${answer}, ${reference}`);
}

/**
 * One connection a client made to a case's reference server under `serve`: judged as the case is in a
 * run, with the positive control taken as given (each connection stands alone; the person or program
 * driving the client decides what it tried). An accepting client must also have presented a
 * certificate: mutual TLS (RFC 8446 §4.4.2), which a run judges as client/certificate/presented.
 */
export function judgeServedConnection(c: ResolvedCase, obs: Observation, profile: Profile): Verdict {
  const v = judge(c, obs, profile, { controlAccepted: true });
  if (v.verdict === 'pass' && c.expect === 'accept' && obs.client?.handshakeCompleted && !obs.client.presentedCertPem) {
    return verdict('fail', `${v.reason}, but presented no client certificate when the server asked for one (RFC 8446 §4.4.2): a partner server requiring mutual TLS refuses it (client/certificate/presented)`);
  }
  return v;
}

function judgeSuites(c: ResolvedCase, obs: Observation, profile: Profile): Verdict {
  const sweep = obs.sweep;
  if (!sweep) return verdict('inconclusive', `no suite sweep was recorded (${obs.detail})`);
  const allowed = new Set<string>(sweep.version === 'TLSv1.3' ? profile.tls.ciphers13 : profile.tls.ciphers12);
  const outside = sweep.accepted.filter((s) => !allowed.has(s));
  if (outside.length > 0) return verdict('fail', `accepts ${outside.length} suite${outside.length > 1 ? 's' : ''} outside the profile's allowlist: ${outside.join(', ')}`);
  // Accepting nothing is a finding only about a target that completes handshakes at all: one that
  // answers every ClientHello with an alert (80 internal_error, a broken certificate setup) refuses every suite too.
  if (sweep.accepted.length === 0 && sweep.handshakeSeen === false) return verdict('inconclusive', `accepts no ${sweep.version} suite, but proves nothing by it: ${obs.detail}`);
  if (sweep.inconclusive.length > 0) return verdict('inconclusive', `no clear answer for ${sweep.inconclusive.join(', ')}`);
  return verdict('pass', sweep.accepted.length > 0 ? `accepts only allowed suites: ${sweep.accepted.join(', ')}` : `accepts no ${sweep.version} suite`);
}

const VERSION_LABEL: Record<string, string> = { 'TLSv1.3': 'TLS 1.3', 'TLSv1.2': 'TLS 1.2' };

/** What one version's connection announced, as a clause: `TLS 1.3 tickets announce 7200 s`. */
function describeSessions(v: SessionVersionFacts): string {
  const label = VERSION_LABEL[v.version] ?? v.version;
  if (v.status === 'not-spoken') return `${label} not spoken`;
  if (v.status === 'failed') return `${label} not observed (${v.detail})`;
  if (v.tickets === 0) return v.sessions > 0 && v.version === 'TLSv1.2' ? `${label}: no ticket (session id only, its lifetime is not announced)` : `${label}: no ticket`;
  const known = v.lifetimes.filter((l) => l > 0);
  const unspecified = v.lifetimes.length - known.length;
  const distinct = [...new Set(known)].sort((a, b) => b - a);
  const parts = [...(distinct.length ? [distinct.map((l) => `${l} s`).join(', ')] : []), ...(unspecified ? ['an unspecified lifetime (hint 0)'] : [])];
  return `${label} ${v.tickets > 1 ? 'tickets announce' : 'ticket announces'} ${parts.join(' and ')}`;
}

/** server/session/ticket-lifetime: the longest lifetime announced against the profile's maximum; with --slow, the late resumption. */
function judgeSessionLifetime(obs: Observation, profile: Profile): Verdict {
  const s = obs.session;
  if (!s) return verdict('inconclusive', `no session facts were recorded (${obs.detail})`);
  const max = profile.tls.maxSessionLifetimeSeconds;
  const seen = s.versions.filter((v) => v.status === 'negotiated');
  const summary = s.versions.map(describeSessions).join('; ');
  if (seen.length === 0) {
    return s.versions.some((v) => v.status === 'failed')
      ? verdict('inconclusive', `no full handshake with the valid certificate completed: ${summary}`)
      : verdict('inconclusive', `the target refused both TLS 1.3 and TLS 1.2 handshakes with the valid certificate: ${summary}`);
  }
  const lifetimes = seen.flatMap((v) => v.lifetimes);
  const longest = lifetimes.length ? Math.max(...lifetimes) : null;
  if (max === null) return verdict('pass', `no limit in the profile (tls.maxSessionLifetimeSeconds); ${summary}`);

  const resumed = seen.filter((v) => v.resumedAfterWait === true);
  if (resumed.length > 0) {
    return verdict('fail', `resumed a ${resumed.map((v) => VERSION_LABEL[v.version]).join(' and a ')} session offered ${s.waitedSeconds} s after it was issued; the profile allows at most ${max} s (${summary})`);
  }
  if (longest !== null && longest > max) return verdict('fail', `announces ${longest} s; the profile allows at most ${max} s (${summary})`);

  const resumable = seen.filter((v) => v.sessions > 0);
  // With --slow a late refusal counts only where a session offered at once was resumed (the control).
  const unclear = resumable.filter((v) => v.resumedAfterWait == null || v.resumedAtOnce == null);
  const never = resumable.filter((v) => v.resumedAtOnce === false);
  const late =
    s.waitedSeconds === undefined
      ? resumable.length > 0
        ? `; resumption after ${max} s not checked (run with --slow to offer a session again after ${max} s)`
        : ''
      : `; ${[
          ...(resumable.length > never.length ? [`refused to resume after ${s.waitedSeconds} s`] : []),
          ...(never.length ? [`does not resume ${never.map((v) => VERSION_LABEL[v.version]).join(' or ')} sessions at all (not even at once)`] : []),
        ].join('; ')}`;
  const unspecified = seen.some((v) => v.lifetimes.some((l) => l === 0));
  if (unspecified && s.waitedSeconds === undefined) {
    return verdict('inconclusive', `announces no lifetime for its tickets (${summary}); run with --slow to check it refuses them after ${max} s`);
  }
  if (s.waitedSeconds !== undefined && unclear.length > 0) {
    return verdict('inconclusive', `${summary}; a resumption attempt did not complete, so the late refusal proves nothing: ${unclear.map((v) => v.detail).join('; ')}`);
  }
  if (seen.every((v) => v.tickets === 0)) {
    return verdict('pass', `issues no session ticket, so there is nothing to resume by ticket (${summary})${late}`);
  }
  return verdict('pass', `announces at most ${longest} s, within the profile's ${max} s (${summary})${late}`);
}

function judgeRenegotiation(obs: Observation): Verdict {
  const r = obs.renegotiation;
  if (!r) return verdict('inconclusive', `no renegotiation was attempted (${obs.detail})`);
  switch (r.result) {
    case 'accepted':
      return verdict('fail', `${r.detail}: any client can make it do a full handshake's work on demand`);
    case 'refused':
      return verdict('pass', r.detail.replace(/^the target /, ''));
    case 'ignored':
      return verdict('pass', `did not renegotiate: ${r.detail.replace(/^the target /, '')}`);
    case 'not-applicable':
      return verdict('skip', `${r.detail}; TLS 1.3 has no renegotiation`);
    case 'failed':
      return verdict('inconclusive', r.detail);
  }
}

function judgeFallback(obs: Observation): Verdict {
  const f = obs.fallback;
  if (!f) return verdict('inconclusive', `no fallback ClientHello was sent (${obs.detail})`);
  switch (f.result) {
    case 'inappropriate-fallback':
      return verdict('pass', f.detail);
    case 'other-refusal':
      // The same version without the SCSV was accepted: the SCSV made the difference, only the alert is not RFC 7507's.
      return verdict('pass', `refused the downgrade, though not with the inappropriate_fallback (86) alert RFC 7507 §3 prescribes: ${f.detail}`);
    case 'accepted':
      return verdict('fail', `completed a downgraded handshake: ${f.detail}; an attacker who breaks the first handshake can force ${f.fallbackVersion}`);
    case 'not-applicable':
      return verdict('skip', f.detail);
    case 'no-answer':
      return verdict('inconclusive', f.detail);
  }
}

/** client/protocol/offered-versions and client/cipher/offered-suites, from the ClientHello the control's server read. */
function judgeOffered(c: ResolvedCase, obs: Observation, profile: Profile): Verdict {
  const offered = obs.offered;
  if (!offered) {
    const why = obs.client && !obs.client.connected ? 'the client never connected' : 'the client sent no ClientHello the harness could read';
    return verdict('inconclusive', `${why} (${describeObservation(obs)})`);
  }
  if (c.property === 'offered-versions') {
    const allowed = new Set<string>(profile.tls.versions);
    const outside = offered.versions.filter((v) => !allowed.has(v));
    return outside.length > 0
      ? verdict('fail', `offers ${outside.join(', ')} outside the profile's ${profile.tls.versions.join(', ')} (offered: ${offered.versions.join(', ')})`)
      : verdict('pass', `offers ${offered.versions.join(', ')}`);
  }
  const allowed = new Set<string>([...profile.tls.ciphers13, ...profile.tls.ciphers12]);
  const outside = offered.suites.filter((s) => !allowed.has(s));
  return outside.length > 0
    ? verdict('fail', `offers ${outside.length} of ${offered.suites.length} suites outside the profile's allowlists: ${outside.join(', ')}`)
    : verdict('pass', `offers only allowed suites: ${offered.suites.join(', ')}`);
}

function judgeProperty(c: ResolvedCase, obs: Observation, profile: Profile): Verdict {
  if (c.property === 'suites-allowed') return judgeSuites(c, obs, profile);
  if (c.property === 'session-lifetime') return judgeSessionLifetime(obs, profile);
  if (c.property === 'renegotiation-refused') return judgeRenegotiation(obs);
  if (c.property === 'fallback-refused') return judgeFallback(obs);
  if (c.property === 'offered-versions' || c.property === 'offered-suites') return judgeOffered(c, obs, profile);
  const peer = obs.peer;
  if (!peer) return verdict('inconclusive', `the handshake did not get far enough to see the target's certificate (${describeObservation(obs)})`);
  switch (c.property) {
    case 'peer-trusted':
      return peer.authorized
        ? verdict('pass', `chains to a trusted CA (issuer: ${peer.issuer})`)
        : verdict('fail', `not trusted: ${peer.authorizationError} (issuer: ${peer.issuer}); pass the CA that issued it with --target-ca`);
    case 'peer-hostname':
      return peer.hostnameMatches ? verdict('pass', `the certificate names the host (subject: ${peer.subject})`) : verdict('fail', peer.hostnameError ?? 'hostname mismatch');
    case 'peer-chain-complete':
      if (!peer.chain) return verdict('inconclusive', 'the chain the target sends could not be read');
      if (peer.chain.complete) return verdict('pass', peer.chain.detail);
      // Untrusted altogether is server/certificate/trusted's finding; this case is about what is sent.
      if (!peer.authorized) return verdict('inconclusive', `the certificate does not chain to a trusted CA at all (see server/certificate/trusted): ${peer.chain.detail}`);
      return verdict('fail', `${peer.chain.detail}; verification only succeeds with a local copy of the intermediate`);
    default: {
      const rule = PEER_RULES[c.property ?? ''];
      if (!rule) return verdict('inconclusive', `no rule to judge property ${String(c.property)}`);
      const facts = certificateFacts(pemToDer(peer.certPem));
      const finding = RULES[rule](facts, 'server', profile, { now: Date.parse(peer.observedAt) });
      return finding ? verdict('fail', `${finding.message} [${finding.rule}]`) : verdict('pass', describeFacts(rule, facts, profile, 'server'));
    }
  }
}

const PEER_RULES: Record<string, RuleName> = {
  'peer-eku': 'eku',
  'peer-key-strength': 'key-strength',
  'peer-validity-period': 'validity-period',
  'peer-not-expired': 'not-expired',
  'peer-renewal-window': 'renewal-window',
  'peer-signature-algorithm': 'signature-algorithm',
  'peer-end-entity': 'end-entity',
};

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}

const CLIENT_RULES: Record<string, RuleName> = {
  'client-cert-eku': 'eku',
  'client-cert-key-strength': 'key-strength',
  'client-cert-validity-period': 'validity-period',
  'client-cert-not-expired': 'not-expired',
  'client-cert-renewal-window': 'renewal-window',
  'client-cert-identity': 'identity',
  'client-cert-end-entity': 'end-entity',
};

/**
 * server/client-auth/certificate-verify-wrong-key: a wrong-key CertificateVerify let in fails on any
 * version; a refusal counts only on a version where the same prober's right-key control was
 * accepted (otherwise the prober, not the signature, may be what the target refused).
 */
function judgeClientSignature(c: ResolvedCase, f: ClientSignatureFacts, profile: Profile): Verdict {
  // A limit of the prober (HTTP/1.1 only), not a finding about the target: skipped, with the reason.
  if (f.notRun) return verdict('skip', f.notRun);
  const label = (v: string) => VERSION_LABEL[v] ?? v;
  const accepted = f.runs.filter((r) => r.wrongKey && interpret(r.wrongKey, profile) === 'accepted');
  if (accepted.length > 0) {
    return verdict('fail', `${accepted.map((r) => `${label(r.version)}: accepted a CertificateVerify signed with another key (${describeObservation(r.wrongKey!)})`).join('; ')}: ${c.rationale}`);
  }
  const usable = f.runs.filter((r) => interpret(r.control, profile) === 'accepted');
  const skipped = f.runs.filter((r) => !usable.includes(r)).map((r) => `${label(r.version)} not checked: the right-key control was not accepted (${describeObservation(r.control)}: ${r.control.detail})`);
  if (usable.length === 0 && f.runs.length > 0 && f.runs.every((r) => r.control.alert?.code === 120)) {
    return verdict('skip', 'not checked: the target refuses ALPN http/1.1 (alert 120 no_application_protocol), an HTTP/2-only server, and the CertificateVerify prober speaks HTTP/1.1 only');
  }
  if (usable.length === 0) return verdict('inconclusive', `the prober could not complete a handshake with this target: ${skipped.join('; ') || 'no version to try'}`);
  const unclear = usable.filter((r) => !r.wrongKey || interpret(r.wrongKey, profile) !== 'rejected');
  if (unclear.length > 0) return verdict('inconclusive', unclear.map((r) => `${label(r.version)}: no clear answer to the wrong key (${r.wrongKey ? `${describeObservation(r.wrongKey)}: ${r.wrongKey.detail}` : 'not sent'})`).join('; '));
  const refused = usable.map((r) => `${label(r.version)}: right key accepted, wrong key refused (${describeObservation(r.wrongKey!)})`);
  return verdict('pass', [...refused, ...skipped].join('; '));
}

/** server/certificate/requests-client-ca: the certificate_authorities of the CertificateRequest the prober read. */
function judgeRequestsClientCa(f: ClientSignatureFacts): Verdict {
  if (f.notRun) return verdict('skip', f.notRun);
  const req = f.certificateRequest;
  if (!req) {
    return f.serverFlightRead
      ? verdict('fail', 'the target completed its handshake flight without a CertificateRequest: it does not ask for a client certificate at all')
      : verdict('inconclusive', `no CertificateRequest was read (${f.runs.map((r) => r.control.detail).join('; ') || 'no handshake'})`);
  }
  if (req.namesClientCa) return verdict('pass', `the CertificateRequest names the client CA (certificate_authorities: ${req.certificateAuthorities.join('; ')})`);
  return req.certificateAuthorities.length === 0
    ? verdict('fail', 'the CertificateRequest names no CA (certificate_authorities absent): clients choosing among several certificates cannot tell which one is wanted; nginx: ssl_client_certificate (not only ssl_trusted_certificate)')
    : verdict('fail', `the CertificateRequest names ${req.certificateAuthorities.join('; ')}, not the client CA that issued the valid certificate`);
}

/**
 * client/certificate/sends-intermediates (RFC 8446 §4.4.2, RFC 5246 §7.4.2: the sender's chain,
 * the trust anchor aside). Checkable only when the client's certificate hangs below an intermediate:
 * the certificate the harness generates ({cert}) is issued by the client CA itself.
 */
function judgeChainSent(client: NonNullable<Observation['client']>): Verdict {
  const sent = client.presentedChain;
  if (!sent) return verdict('inconclusive', 'the chain the client sent was not recorded');
  if (sent.issuedByRoot && sent.intermediates === 0) {
    return verdict('skip', 'the client certificate is issued directly by the client CA, so there is no intermediate to send (the harness-generated {cert} is); bring a certificate under an intermediate with --client-cert-ca ROOT to check it');
  }
  if (client.presentedAuthorized) return verdict('pass', `the client sent ${sent.intermediates} intermediate${sent.intermediates === 1 ? '' : 's'} with its certificate and the chain verifies to the client CA`);
  // OpenSSL's words for "no issuer of the leaf in the chain or the store" (X509_V_ERR 20 and 21).
  if (sent.intermediates === 0 && /UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE/.test(client.presentedError ?? '')) {
    return verdict('fail', `the client sent its certificate without the intermediate that issued it (${client.presentedError}): a server that trusts only the root cannot build the path; send the chain file (leaf then intermediates), not the leaf alone`);
  }
  return verdict('inconclusive', `the certificate does not verify for another reason (${client.presentedError ?? 'unknown'}): see client/certificate/presented`);
}

/** client/certificate/key-not-printed: what the client printed during the positive control. */
function judgeKeyNotPrinted(obs: Observation): Verdict {
  const client = obs.client;
  if (!client) return verdict('inconclusive', 'no client run was observed');
  const where = client.printedKeyMaterial ?? [];
  return where.length > 0
    ? verdict('fail', `the client printed private key material on ${where.join(' and ')} (redacted from every report): anyone who reads its logs can impersonate it`)
    : verdict('pass', 'the client printed no private key material');
}

/** client/certificate/*: the certificate the client presented to the positive control's server. */
function judgeClientCertificate(c: ResolvedCase, obs: Observation, profile: Profile): Verdict {
  const client = obs.client;
  if (!client?.connected) return verdict('inconclusive', `the client never connected (${describeObservation(obs)}), so no certificate could be seen`);
  if (!client.presentedCertPem && !client.handshakeCompleted) {
    // The client sends its Certificate only after the server's CertificateRequest (RFC 8446 §4.4.2,
    // RFC 5246 §7.4.6): a handshake that ended before it completed (on ALPN, the version, a suite)
    // may have ended before the CertificateRequest was sent, and says nothing about what the client presents.
    return verdict('inconclusive', `the handshake did not complete (${describeObservation(obs)}: ${obs.detail}), so it may have ended before a CertificateRequest was sent; what the client presents cannot be judged`);
  }
  if (!client.presentedCertPem) {
    const msg = 'the client presented no certificate when the server requested one';
    return c.property === 'client-cert-presented' ? verdict('fail', msg) : verdict('inconclusive', msg);
  }
  if (c.property === 'client-cert-chain-sent') return judgeChainSent(client);
  if (c.property === 'client-cert-presented') {
    return client.presentedAuthorized
      ? verdict('pass', 'a certificate from the expected CA was presented')
      : verdict('fail', `a certificate was presented but does not verify against the expected client CA: ${client.presentedError}`);
  }
  const rule = CLIENT_RULES[c.property ?? ''];
  if (!rule) return verdict('inconclusive', `no rule to judge property ${String(c.property)}`);
  const facts = certificateFacts(pemToDer(client.presentedCertPem));
  const finding = RULES[rule](facts, 'client', profile, { now: Date.parse(client.observedAt) });
  return finding ? verdict('fail', `${finding.message} [${finding.rule}]`) : verdict('pass', describeFacts(rule, facts, profile, 'client'));
}

function describeFacts(rule: RuleName, f: CertificateFacts, profile: Profile, role: 'server' | 'client'): string {
  const p = profile.certificates[role];
  switch (rule) {
    case 'eku':
      return `EKU ${f.eku?.join(', ') ?? 'none'} meets the rule "${p.eku}"`;
    case 'key-strength':
      return `${f.keyType.toUpperCase()} ${f.keyBits} bits meets RSA ≥ ${p.minRsaBits} / EC ≥ ${p.minEcBits}`;
    case 'validity-period':
      return p.maxValidityDays === null ? 'the profile sets no maximum validity' : `validity within ${p.maxValidityDays} days`;
    case 'not-expired':
      return `valid until ${f.notAfter.toISOString()}`;
    case 'renewal-window':
      return `expires ${f.notAfter.toISOString()}, outside the ${p.minRemainingDays}-day renewal window`;
    case 'signature-algorithm':
      return `signed with ${f.signatureHash.toUpperCase()}`;
    case 'end-entity':
      return 'an end-entity certificate (basicConstraints cA FALSE or absent)';
    default:
      return 'the identity matches the profile rule';
  }
}

export interface Summary {
  pass: number;
  fail: number;
  inconclusive: number;
  skip: number;
  verdict: 'conformant' | 'non-conformant' | 'inconclusive';
}

/** Whether a result decides the run: required and not waived. */
export function counts(r: Pick<CaseResult, 'case'>): boolean {
  return r.case.severity === ('required' satisfies Severity) && !r.case.waived;
}

/**
 * The run's verdict. A positive control that was not accepted makes it `inconclusive` whatever else
 * failed (PRODUCT.md verdict rules): until a valid certificate gets in, no other result means anything.
 */
export function summarize(results: CaseResult[]): Summary {
  const s: Summary = { pass: 0, fail: 0, inconclusive: 0, skip: 0, verdict: 'conformant' };
  for (const r of results) s[r.verdict.verdict]++;
  const deciding = results.filter(counts);
  if (results.some((r) => r.case.positiveControl && r.verdict.verdict !== 'pass')) s.verdict = 'inconclusive';
  else if (deciding.some((r) => r.verdict.verdict === 'fail')) s.verdict = 'non-conformant';
  else if (deciding.some((r) => r.verdict.verdict === 'inconclusive')) s.verdict = 'inconclusive';
  return s;
}
