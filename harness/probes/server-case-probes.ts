import { X509Certificate } from 'node:crypto';
import type { CertificateVerifyRecipe, ClientSignatureFacts, ClientSignatureRun, HandshakeRecipe, Observation, RawHelloRecipe, SessionFacts, SessionVersionFacts, SuiteSweepRecipe, TlsVersion } from '../model.js';
import type { PresentedCert, ServerPlan } from '../plan.js';
import { probeHandshake } from './handshake-probe.js';
import { issuerDer } from '../policy/certificate-facts.js';
import { enumerateSuites, probeVersion, sweepSuiteCodes } from './cipher-sweep.js';
import type { HelloObservation } from './raw-hello.js';
import { alertByCode } from '../tls/alerts.js';
import { captureSessions, resumeSession, type SessionProbeInput } from './session-probe.js';
import { probeRenegotiation } from './renegotiation-probe.js';
import { probeFallbackScsv } from './fallback-probe.js';
import { freshKeyLike, probeCertificateVerify, type CertificateVerifyObservation, type CertificateVerifyProbeInput } from './certificate-verify-probe.js';

/**
 * The probes of a server case, adapted to the plan: each takes the run's ServerPlan and a case's
 * recipe and gives the Observation the judge reads (harness/judge.ts). Judging stays out of here;
 * the case body (harness/run/case-body.ts) picks the adapter for a recipe.
 */

/** The range the harness offers when a case does not pin a version: what any sane server speaks. */
export const DEFAULT_RANGE: { minVersion: TlsVersion; maxVersion: TlsVersion } = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' };

/** What a raw ClientHello observation means, in the classes every case uses. */
function fromHello(h: HelloObservation, version: string): Observation {
  const base = { alert: null, httpStatus: null, tlsVersion: null, cipher: null, durationMs: h.durationMs };
  switch (h.kind) {
    case 'server-hello':
      return h.version === version
        ? { ...base, outcome: 'accepted', tlsVersion: h.version, cipher: h.suiteName ?? null, detail: `ServerHello ${h.version} ${h.suiteName ?? h.suite} to a raw ${version} ClientHello` }
        : { ...base, outcome: 'closed-no-data', detail: `the server answered ${h.version} to a ${version} ClientHello (it does not speak ${version})` };
    case 'alert':
      return { ...base, outcome: 'handshake-alert', alert: alertByCode(h.code), detail: `alert ${h.code} ${h.name} to a raw ${version} ClientHello` };
    case 'closed':
      return { ...base, outcome: 'closed-no-data', detail: `the server closed the connection on a raw ${version} ClientHello` };
    case 'reset':
      return { ...base, outcome: 'tcp-reset', detail: `the server reset the connection on a raw ${version} ClientHello` };
    case 'timeout':
      return { ...base, outcome: 'timeout', detail: `no answer to a raw ${version} ClientHello within the timeout` };
    case 'malformed':
      return { ...base, outcome: 'harness-error', detail: `malformed answer to a raw ${version} ClientHello: ${h.detail}` };
    case 'connect-failed':
      return { ...base, outcome: 'harness-error', detail: h.detail };
  }
}

export async function probeRawVersion(plan: ServerPlan, recipe: RawHelloRecipe): Promise<Observation> {
  const r = await probeVersion({ host: plan.target.host, port: plan.target.port, servername: plan.target.servername, version: recipe.version, timeoutMs: plan.timeoutMs });
  return fromHello(r.observation, recipe.version);
}

export async function probeSuiteSweep(plan: ServerPlan, recipe: SuiteSweepRecipe): Promise<Observation> {
  // Every code of the IANA registry for that version, by elimination: a suite outside any hand-picked table is asked about too.
  const suites = sweepSuiteCodes(recipe.version);
  const r = await enumerateSuites({ host: plan.target.host, port: plan.target.port, servername: plan.target.servername, version: recipe.version, suites, timeoutMs: plan.timeoutMs, totalTimeoutMs: plan.timeoutMs * 4 });
  const nameOf = new Map(r.probes.map((p) => [p.suite, p.name] as const));
  const names = (codes: number[]) => codes.map((c) => nameOf.get(c)!);
  const accepted = names(r.accepted);
  // Refusing every suite means something only from a target that completes handshakes at all.
  const seen = r.probes.some((p) => p.observation?.kind === 'server-hello') ? null : await anyServerHello(plan);
  return {
    outcome: accepted.length > 0 ? 'accepted' : 'handshake-alert',
    alert: null,
    httpStatus: null,
    tlsVersion: recipe.version,
    cipher: null,
    detail: `${suites.length} suites offered, the accepted ones removed one by one: ${accepted.length} accepted, ${r.refused.length} refused, ${r.inconclusive.length} inconclusive${seen && !seen.seen ? `; ${seen.detail}` : ''}`,
    durationMs: r.durationMs,
    sweep: { version: recipe.version, accepted, inconclusive: names(r.inconclusive), offered: suites.length, handshakeSeen: seen ? seen.seen : true },
  };
}

/**
 * Whether the target answers a ClientHello offering every suite, at TLS 1.3 and at TLS 1.2, with a
 * ServerHello: the evidence that a refusal elsewhere is a choice, not a server that completes no
 * handshake at all (one that answers alert 80 internal_error to everything, say).
 */
export async function anyServerHello(plan: ServerPlan): Promise<{ seen: boolean; detail: string }> {
  const versions = ['TLSv1.3', 'TLSv1.2'] as const;
  const probes = await Promise.all(versions.map((version) => probeVersion({ host: plan.target.host, port: plan.target.port, servername: plan.target.servername, version, timeoutMs: plan.timeoutMs })));
  const seen = probes.some((p) => p.observation.kind === 'server-hello');
  return { seen, detail: seen ? 'the target completes handshakes' : `the target completed no handshake: no ClientHello got a ServerHello (${probes.map((p) => `${p.version}: ${p.reason}`).join('; ')})` };
}

/** `verifyPeer`: record what the target's certificate verifies to (the positive control does; no other case needs it). */
export function probeNodeHandshake(plan: ServerPlan, recipe: HandshakeRecipe, verifyPeer: boolean): Promise<Observation> {
  const cert = recipe.cert ? plan.certs[recipe.cert] : undefined;
  if (recipe.cert && !cert) throw new Error(`the plan has no certificate named ${recipe.cert}`);
  return probeHandshake({
    host: plan.target.host,
    port: plan.target.port,
    servername: plan.target.servername,
    certChainPem: cert ? (recipe.leafOnly ? cert.leafPem : cert.chainPem) : undefined,
    keyPem: cert?.keyPem,
    ...(recipe.version ? { minVersion: recipe.version, maxVersion: recipe.version } : DEFAULT_RANGE),
    legacy: recipe.legacy ?? false,
    ...(verifyPeer ? { ca: plan.targetCa } : {}),
    protocol: plan.protocol,
    httpPath: plan.httpPath,
    httpMethod: plan.httpMethod,
    timeoutMs: plan.timeoutMs,
    readWindowMs: plan.readWindowMs,
  });
}

/**
 * How much longer than the profile's maximum lifetime a session waits before it is offered again:
 * OpenSSL keeps session times in whole seconds on both sides, and a server's clock check may round.
 */
export const SESSION_WAIT_MARGIN_SECONDS = 5;

/** How long server/session/ticket-lifetime waits before offering its sessions again; 0 without --slow or a profile maximum. */
export function sessionWaitMs(plan: Pick<ServerPlan, 'slow' | 'profile'>): number {
  const max = plan.profile.tls.maxSessionLifetimeSeconds;
  return plan.slow && max !== null ? (max + SESSION_WAIT_MARGIN_SECONDS) * 1000 : 0;
}

function validCert(plan: ServerPlan): PresentedCert | undefined {
  const name = plan.control.recipe.kind === 'client-handshake' ? plan.control.recipe.cert : null;
  return name ? plan.certs[name] : undefined;
}

/**
 * server/session/ticket-lifetime: full handshakes at TLS 1.3 and 1.2 with the valid certificate
 * and the tickets the target issues on them; with --slow, each session offered again once the
 * profile's maximum lifetime (plus a margin) has passed.
 */
export async function probeSessionLifetime(plan: ServerPlan): Promise<Observation> {
  const started = performance.now();
  const cert = validCert(plan);
  const input: SessionProbeInput = {
    host: plan.target.host,
    port: plan.target.port,
    servername: plan.target.servername,
    certChainPem: cert?.chainPem,
    keyPem: cert?.keyPem,
    // The session probe speaks HTTP/1.1 or nothing: a gRPC target is read like a TLS service.
    protocol: plan.protocol === 'https' ? 'https' : 'tls',
    httpPath: plan.httpPath,
    httpMethod: plan.httpMethod,
    timeoutMs: plan.timeoutMs,
    readWindowMs: plan.readWindowMs,
  };
  const captures = await Promise.all((['TLSv1.3', 'TLSv1.2'] as const).map((v) => captureSessions(input, v)));
  const versions: SessionVersionFacts[] = captures.map((c) => c.facts);
  const session: SessionFacts = { versions };
  const waitMs = sessionWaitMs(plan);
  if (waitMs > 0 && captures.some((c) => c.sessions.length > 0)) {
    const issued = performance.now();
    // The control: a session of its own (a TLS 1.3 server may accept each ticket once), offered at
    // once. A refusal after the wait only means something if resumption works at all.
    await Promise.all(
      captures.map(async (c, i) => {
        if (c.sessions.length === 0) return;
        const fresh = await captureSessions(input, c.facts.version);
        const r = fresh.sessions.length > 0 ? await resumeSession(input, c.facts.version, fresh.sessions[0]!) : { resumed: null, detail: `no session on a second ${c.facts.version} connection` };
        versions[i] = { ...versions[i]!, resumedAtOnce: r.resumed, detail: `${versions[i]!.detail}; at once: ${r.detail}` };
      }),
    );
    // A timer may fire a millisecond early against performance.now(): wait until the full time has passed.
    while (performance.now() - issued < waitMs) await new Promise((r) => setTimeout(r, Math.max(1, Math.ceil(waitMs - (performance.now() - issued)))));
    session.waitedSeconds = Math.floor((performance.now() - issued) / 1000);
    await Promise.all(
      captures.map(async (c, i) => {
        if (c.sessions.length === 0) return;
        const r = await resumeSession(input, c.facts.version, c.sessions[0]!);
        versions[i] = { ...versions[i]!, resumedAfterWait: r.resumed, detail: `${versions[i]!.detail}; after ${session.waitedSeconds} s: ${r.detail}` };
      }),
    );
  }
  const negotiated = versions.filter((v) => v.status === 'negotiated');
  return {
    outcome: negotiated.length > 0 ? 'accepted' : versions.some((v) => v.status === 'failed') ? 'harness-error' : 'handshake-alert',
    alert: null,
    httpStatus: null,
    tlsVersion: negotiated[0]?.version ?? null,
    cipher: null,
    detail: versions.map((v) => `${v.version}: ${v.detail}`).join('; '),
    durationMs: Math.round(performance.now() - started),
    session,
  };
}

/** server/protocol/renegotiation: a client-initiated renegotiation of a TLS 1.2 connection with the valid certificate. */
export async function probeServerRenegotiation(plan: ServerPlan): Promise<Observation> {
  const cert = validCert(plan);
  let r = await probeRenegotiation({
    host: plan.target.host,
    port: plan.target.port,
    servername: plan.target.servername,
    certChainPem: cert?.chainPem,
    keyPem: cert?.keyPem,
    timeoutMs: plan.timeoutMs,
  });
  if (r.result === 'not-applicable') {
    // "Does not speak TLS 1.2" only from a target that completes a handshake at some version.
    const seen = await anyServerHello(plan);
    if (!seen.seen) r = { ...r, result: 'failed', detail: `${seen.detail}, so whether it renegotiates cannot be seen` };
  }
  const outcome: Observation['outcome'] =
    r.result === 'accepted' ? 'accepted' : r.result === 'refused' ? (r.alert ? 'post-handshake-alert' : 'closed-no-data') : r.result === 'ignored' ? 'timeout' : r.result === 'not-applicable' ? (r.alert ? 'handshake-alert' : 'closed-no-data') : 'harness-error';
  return {
    outcome,
    alert: r.alert,
    httpStatus: null,
    tlsVersion: r.tlsVersion,
    cipher: r.cipher,
    detail: r.detail,
    durationMs: r.durationMs,
    renegotiation: { result: r.result, alert: r.alert, detail: r.detail },
  };
}

/** server/protocol/fallback-scsv: a ClientHello below the target's highest version, carrying TLS_FALLBACK_SCSV. */
export async function probeServerFallback(plan: ServerPlan): Promise<Observation> {
  const r = await probeFallbackScsv({ host: plan.target.host, port: plan.target.port, servername: plan.target.servername, timeoutMs: plan.timeoutMs });
  const outcome: Observation['outcome'] =
    r.result === 'accepted' ? 'accepted' : r.result === 'inappropriate-fallback' || (r.result === 'other-refusal' && r.alert) ? 'handshake-alert' : r.result === 'other-refusal' ? 'closed-no-data' : r.result === 'no-answer' ? 'timeout' : 'accepted';
  return {
    outcome,
    alert: r.alert,
    httpStatus: null,
    tlsVersion: r.fallbackVersion,
    cipher: null,
    detail: r.detail,
    durationMs: r.durationMs,
    fallback: { spoken: r.spoken, fallbackVersion: r.fallbackVersion, result: r.result, alert: r.alert, detail: r.detail },
  };
}

/**
 * The DER (hex) of the name a CertificateRequest should carry: the issuer of the top certificate
 * the harness presents, which is the client CA (a trust anchor never travels in the chain).
 */
function anchorNameDer(chainPem: string): string | null {
  const pems = chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const top = pems[pems.length - 1];
  if (!top) return null;
  return issuerDer(new X509Certificate(top).raw)?.toString('hex') ?? null;
}


/** The versions the prober speaks that the profile allows, highest first. */
function proberVersions(plan: ServerPlan): ('TLSv1.3' | 'TLSv1.2')[] {
  return (['TLSv1.3', 'TLSv1.2'] as const).filter((v) => plan.profile.tls.versions.includes(v));
}

function withoutProberFacts(o: CertificateVerifyObservation): Observation {
  const { certificateVerify: _facts, ...rest } = o;
  return rest;
}

/**
 * server/client-auth/certificate-verify-wrong-key and server/certificate/requests-client-ca: the
 * harness's own client handshake with the valid certificate (certificate-verify-probe.ts). Per
 * version the profile allows (TLS 1.3, then 1.2): a control signed with the right key, then (wrong-key
 * mode) the same with a fresh key of the same type. One case for both versions, not one per version:
 * the property is the server's ("checks the signature"), and a server that skips the check on
 * either version admits a forger; a version the target does not speak shows as a refused control
 * and is left out of the verdict, not failed. The judge (harness/judge.ts) reads the runs.
 *
 * The prober speaks HTTP/1.1 only: under --protocol grpc the wrong-key case does not run (an
 * HTTP/2-only server would refuse its ALPN, which must not pass for a refused signature), and the
 * CertificateRequest is read offering h2. An h2-only https target refuses the control with alert
 * 120, and the judge skips the case with that reason; any other refused control is inconclusive.
 */
export async function probeClientSignature(plan: ServerPlan, recipe: CertificateVerifyRecipe): Promise<Observation> {
  const started = performance.now();
  const base = { alert: null, httpStatus: null, tlsVersion: null, cipher: null };
  const cert = validCert(plan);
  const versions = proberVersions(plan);
  const notRun = (why: string): Observation => ({
    ...base,
    outcome: 'harness-error',
    detail: why,
    durationMs: Math.round(performance.now() - started),
    clientSignature: { runs: [], certificateRequest: null, serverFlightRead: false, notRun: why },
  });
  if (plan.protocol === 'grpc' && recipe.mode === 'wrong-key') {
    return notRun('not checked: the CertificateVerify prober speaks HTTP/1.1 only, and --protocol grpc targets speak HTTP/2 (an ALPN refusal would look like a refused signature)');
  }
  if (!cert) return notRun('not checked: the positive control presents no certificate, so there is no valid certificate to sign for');
  if (versions.length === 0) return notRun(`not checked: the prober speaks TLS 1.3 and 1.2, and the profile allows ${plan.profile.tls.versions.join(', ')}`);
  const input = (version: 'TLSv1.3' | 'TLSv1.2', signingKeyPem: string): CertificateVerifyProbeInput => ({
    host: plan.target.host,
    port: plan.target.port,
    servername: plan.target.servername,
    certChainPem: cert.chainPem,
    signingKeyPem,
    // The request is HTTP/1.1: a 'tls' target is offered no ALPN, an https one http/1.1. Read only
    // for its CertificateRequest (which comes before any request), h2 is offered too, so an
    // HTTP/2-only or gRPC server gets that far.
    alpn: plan.protocol === 'tls' ? [] : recipe.mode === 'certificate-request' ? ['h2', 'http/1.1'] : ['http/1.1'],
    httpPath: plan.httpPath,
    httpMethod: plan.httpMethod,
    timeoutMs: plan.timeoutMs,
    version,
  });
  const wantName = anchorNameDer(cert.chainPem);
  let request: ClientSignatureFacts['certificateRequest'] = null;
  let serverFlightRead = false;
  const runs: ClientSignatureRun[] = [];
  /** Versions whose right-key handshake completed from the prober's side: the observation shown comes from one of them. */
  const completedControls: string[] = [];
  for (const version of versions) {
    // certificate-request: one handshake is enough once a CertificateRequest was read (a TLS 1.2-only target is asked at 1.2).
    if (recipe.mode === 'certificate-request' && request) break;
    const control = await probeCertificateVerify(input(version, cert.keyPem));
    serverFlightRead ||= control.certificateVerify.serverFinishedVerified;
    if (control.certificateVerify.stage === 'answer') completedControls.push(version);
    const req = control.certificateVerify.certificateRequest;
    if (req && !request) request = { certificateAuthorities: req.certificateAuthorities, namesClientCa: wantName !== null && req.certificateAuthoritiesDer.includes(wantName) };
    const wrongKey = recipe.mode === 'wrong-key' ? withoutProberFacts(await probeCertificateVerify(input(version, freshKeyLike(cert.keyPem)))) : null;
    runs.push({ version, control: withoutProberFacts(control), wrongKey });
  }
  // The observation on top is the run that decides: a wrong key let in, else the first wrong-key (or control) run.
  const completed = new Set(completedControls);
  const top =
    runs.find((r) => r.wrongKey?.outcome === 'accepted' || (r.wrongKey?.outcome === 'http-status' && !plan.profile.rejection.httpStatuses.includes(r.wrongKey.httpStatus ?? 0))) ??
    runs.find((r) => completed.has(r.version)) ??
    runs[0]!;
  const shown = top.wrongKey ?? top.control;
  return {
    ...shown,
    detail: runs.map((r) => `${r.version}: right key ${r.control.detail}${r.wrongKey ? `; wrong key ${r.wrongKey.detail}` : ''}`).join('; '),
    durationMs: Math.round(performance.now() - started),
    clientSignature: { runs, certificateRequest: request, serverFlightRead },
  };
}
