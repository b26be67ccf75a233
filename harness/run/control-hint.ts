import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { pathsFor } from '../../certs/store.js';
import { describeObservation } from '../judge.js';
import type { CaseResult, Observation } from '../model.js';
import type { Profile } from '../profile/schema.js';

/** Alerts about the certificate (RFC 8446 §6.2, RFC 5246 §7.2.2): the target did not trust or accept it. */
const CERTIFICATE_ALERTS = new Set([42, 43, 44, 45, 46, 48, 49, 51, 116]);

export interface ControlHintContext {
  /** The subject of the certificate the harness presented; read from the store when absent. */
  presentedSubject?: string;
  /** The run's profile, to name its clientIdentity rule. */
  profile?: Profile;
  /** Every handshake of the run ended in alert 80 internal_error (not just the control's). */
  everyHandshakeInternalError?: boolean;
}

function presentedSubject(certsDir: string, ctx: ControlHintContext): string | null {
  if (ctx.presentedSubject) return ctx.presentedSubject;
  try {
    return new X509Certificate(readFileSync(pathsFor(certsDir, 'client/valid').certPath)).subject.replace(/\n/g, ', ');
  } catch {
    return null;
  }
}

/**
 * Why the positive control failed, and what to do, in one line: the cause the observation shows
 * (trust, the application refusing the identity, ALPN, the request path, the request itself), not
 * one guess for every failure.
 */
export function controlFailure(control: CaseResult, certsDir: string, ctx: ControlHintContext = {}): string {
  const obs = control.observation;
  const seen = obs ? describeObservation(obs) : 'no observation';
  return `the positive control ${control.case.id} was not accepted (${seen}), so no rejection can be judged: ${nextStep(obs, certsDir, ctx)}.`;
}

function nextStep(obs: Observation | null, certsDir: string, ctx: ControlHintContext): string {
  const trust = join(certsDir, 'trust', 'client-ca.pem');
  const trustStep = `configure it to trust ${trust} (see ${join(certsDir, 'README.txt')})`;
  if (!obs) return 'see the case detail in the report';
  const alert = obs.alert?.code;
  if (alert === 120) {
    return `the target selected none of the application protocols the harness offers by ALPN (alert 120 no_application_protocol, before any certificate was judged): for a gRPC service use --protocol grpc, for a TLS service that is not HTTP use --protocol tls`;
  }
  if (alert === 80) {
    // RFC 8446 §6.2 internal_error: "an internal error unrelated to the peer or the correctness of the
    // protocol". A server that cannot build its own certificate chain answers every handshake so
    // (lighttpd with client verification, given its leaf without the CA): nothing the harness sent caused it.
    const scope = ctx.everyHandshakeInternalError ? 'every handshake of the run ended in alert 80 internal_error' : 'the target answered alert 80 internal_error';
    return `${scope}: the server's TLS stack failed on its own side before it judged any certificate, most likely it could not build its own certificate chain or is otherwise misconfigured (its certificate, key or chain unusable); check the server's TLS configuration and its log, and give it its certificate with the chain (${join(certsDir, 'target', 'server-fullchain.pem')} for the certificate "certs init" wrote)`;
  }
  const crls = join(certsDir, 'trust', 'client-crl.pem');
  // The control's certificate is current and unrevoked: these alerts point at the target's revocation material, not its trust.
  if (alert === 44) {
    return `the target says the valid client certificate is revoked (alert 44 certificate_revoked): it holds a CRL or OCSP answer that lists this serial, e.g. a CRL from another certificate store; point its CRL setting at ${crls} (see docs/revocation.md)`;
  }
  if (alert === 45) {
    return `the target says a certificate has expired (alert 45 certificate_expired), and the harness's valid certificate has not: most likely a CRL the target holds is past its nextUpdate (OpenSSL reports "CRL has expired" with this alert), or its clock is wrong; load the current ${crls} again (nginx reads it at start: reload), see docs/revocation.md`;
  }
  if (alert === 48) {
    return `the target refused the valid client certificate with alert 48 unknown_ca, which OpenSSL sends both for a CA it does not trust and for a CRL it lacks ("unable to get certificate CRL" in its log, when it checks revocation and has no CRL for a CA of the chain); the observation cannot tell which: ${trustStep}, and if it checks revocation give it ${crls}, which holds the CRL of every CA`;
  }
  if (alert !== undefined && CERTIFICATE_ALERTS.has(alert)) {
    return `the target's TLS stack refused the harness's valid client certificate (alert ${alert} ${obs.alert!.name}): ${trustStep}`;
  }
  if (alert === 70 || alert === 40 || alert === 71) {
    return 'the target and the harness share no protocol version or cipher suite (the harness offers TLS 1.2 and 1.3 with the default suites, within the profile\'s tls.versions)';
  }
  const refusedIdentity = (what: string) => {
    const subject = presentedSubject(certsDir, ctx);
    const rule = ctx.profile?.clientIdentity;
    const identity = rule
      ? `the profile's clientIdentity (${rule.match} /${rule.pattern}/, example ${JSON.stringify(rule.example)}) is what the harness's certificates carry; make it the identity the server accepts`
      : "set the profile's clientIdentity (match, pattern, example) to the identity the server accepts, so the harness's certificates carry it";
    return `the target verified the certificate and its application refused the identity (${what})${subject ? `: the harness presented subject ${JSON.stringify(subject)}` : ''}; ${identity}`;
  };
  if (obs.outcome === 'grpc-status') return refusedIdentity(`gRPC status ${obs.grpcStatus}`);
  if (obs.outcome === 'malformed-answer') {
    // A bare HTTP refusal to the call (a proxy or nginx in front of the service) reads as one.
    if (obs.httpStatus === 401 || obs.httpStatus === 403) return refusedIdentity(`HTTP ${obs.httpStatus} to the gRPC call`);
    if (obs.httpStatus === 400 || obs.httpStatus === 495 || obs.httpStatus === 496) return `the target refused the certificate at the HTTP layer (HTTP ${obs.httpStatus} to the gRPC call, as nginx does when verification fails): ${trustStep}`;
    return `the target answered the gRPC call, but not as gRPC does (${oneLine(obs.detail)}): check --http-path (the method, e.g. /grpc.health.v1.Health/Check) and what answers on the port (a proxy in front of the service?)`;
  }
  if (obs.outcome === 'http-status') {
    if (obs.httpStatus === 401 || obs.httpStatus === 403) return refusedIdentity(`HTTP ${obs.httpStatus}`);
    if (obs.httpStatus === 404) return 'the request path does not exist on the target (HTTP 404): pass --http-path with a path it answers';
    if (obs.httpStatus === 400 || obs.httpStatus === 495 || obs.httpStatus === 496) {
      const named = revocationCause(obs.detail);
      if (named) return `the target refused the certificate at the HTTP layer (HTTP ${obs.httpStatus}): ${named}`;
      // nginx's 400 page does not say why; its error log does ("client SSL certificate verify error: (N:reason)").
      return `the target refused the certificate at the HTTP layer (HTTP ${obs.httpStatus}, as nginx does when verification fails; the cause is not in the answer, it is in the server's error log): if it says "unable to get local issuer certificate", ${trustStep}; "unable to get certificate CRL": its CRL file lacks a CA's CRL, use ${crls} (every CA); "CRL has expired": load the current ${crls} again`;
    }
    return `the target answered HTTP ${obs.httpStatus}, which the profile counts as a refusal (rejection.httpStatuses): check --http-path and --http-method`;
  }
  if (obs.outcome === 'closed-no-data' && obs.tlsVersion) {
    const alpn = obs.alpn ? ` over ${obs.alpn}` : '';
    return `the handshake completed, then the target closed the connection without answering the request${alpn}: it did not accept the request itself (check --protocol: grpc for a gRPC service, tls for a service that is not HTTP; --http-path; --http-method), or it refused the certificate without an alert (then ${trustStep})`;
  }
  if (obs.outcome === 'closed-no-data' || obs.outcome === 'tcp-reset') return `the target ended the handshake without an alert, as a server that refuses the client certificate may: ${trustStep}`;
  if (obs.outcome === 'timeout') return 'the target did not answer in time: raise --timeout or check --http-path';
  return 'see the case detail in the report';
}

/** A revocation cause an answer names in so many words (OpenSSL's verify strings, as nginx or a proxy may echo them). */
function revocationCause(detail: string): string | null {
  if (/unable to get certificate CRL/i.test(detail)) return 'it checks revocation and lacks the CRL of a CA in the chain ("unable to get certificate CRL"): give it trust/client-crl.pem, which holds the CRL of every CA (docs/revocation.md)';
  if (/CRL has expired/i.test(detail)) return 'a CRL it holds is past its nextUpdate ("CRL has expired"): load the current trust/client-crl.pem again (docs/revocation.md)';
  if (/certificate revoked/i.test(detail)) return 'it holds a CRL or OCSP answer that lists the valid certificate ("certificate revoked"): point it at this store\'s trust/client-crl.pem (docs/revocation.md)';
  return null;
}

/**
 * A client target's control refused for a revocation reason its output names (OpenSSL's verify
 * strings, gnutls-cli's and curl's messages), as the next step; null when the output names none.
 */
export function clientRevocationCause(stderr: string): string | null {
  if (/Error in the CRL verification|Error setting the x509 CRL file/i.test(stderr)) {
    return 'the client could not load the CRL file: gnutls verifies every CRL of it against its CA file, and the intermediates\' CRLs do not verify against the root alone; give it trust/server-crl-issuers.pem as its CA file (docs/revocation.md)';
  }
  if (/unable to get certificate CRL/i.test(stderr)) return 'the client checks revocation and has no CRL for a CA of the chain ("unable to get certificate CRL"): give it every CRL of {crl}, not only the first (openssl -CRL reads one: put {ca} and {crl} in one -CAfile; docs/revocation.md)';
  if (/CRL has expired/i.test(stderr)) return 'a CRL the client holds is past its nextUpdate ("CRL has expired"): give it {crl} from this run, not a copy';
  if (/certificate revoked/i.test(stderr)) return 'the client holds a CRL or OCSP answer that lists the valid server certificate ("certificate revoked"): give it {crl} of this certificate store';
  return null;
}

/** Target-controlled text for the one error line: one line, bounded. */
function oneLine(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
