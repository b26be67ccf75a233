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
  return `error: the positive control ${control.case.id} was not accepted (${seen}), so no rejection can be judged: ${nextStep(obs, certsDir, ctx)}.`;
}

function nextStep(obs: Observation | null, certsDir: string, ctx: ControlHintContext): string {
  const trust = join(certsDir, 'trust', 'client-ca.pem');
  const trustStep = `configure it to trust ${trust} (see ${join(certsDir, 'README.txt')})`;
  if (!obs) return 'see the case detail in the report';
  const alert = obs.alert?.code;
  if (alert === 120) {
    return `the target selected none of the application protocols the harness offers by ALPN (alert 120 no_application_protocol, before any certificate was judged): for a gRPC service use --protocol grpc, for a TLS service that is not HTTP use --protocol tls`;
  }
  if (alert !== undefined && CERTIFICATE_ALERTS.has(alert)) {
    return `the target's TLS stack refused the harness's valid client certificate (alert ${alert} ${obs.alert!.name}): ${trustStep}`;
  }
  if (alert === 80) {
    return "the target's TLS stack failed before it judged any certificate (alert 80 internal_error), as a server does whose own certificate, key or chain it cannot use: check the server's TLS configuration and its log";
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
      return `the target refused the certificate at the HTTP layer (HTTP ${obs.httpStatus}, as nginx does when verification fails): ${trustStep}`;
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

/** Target-controlled text for the one error line: one line, bounded. */
function oneLine(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
