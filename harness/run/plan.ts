import type { Profile } from '../profile/schema.js';
import type { AppProtocol, CaseResult, HandshakeRecipe, ResolvedCase, TlsVersion } from '../model.js';
import { probeHandshake, probeSentChain } from '../probes/handshake-probe.js';
import { chainCompleteness } from '../policy/chain.js';
import { probeClientCommand } from '../probes/client-command-probe.js';
import type { RawHelloRecipe, ReferenceServerRecipe, SuiteSweepRecipe } from '../model.js';
import { enumerateSuites, probeVersion, sweepSuiteCodes } from '../probes/cipher-sweep.js';
import type { HelloObservation } from '../probes/raw-hello.js';
import { alertByCode } from '../probes/alerts.js';
import { interpret } from '../judge.js';
import type { Observation } from '../model.js';
import type { SessionFacts, SessionVersionFacts } from '../model.js';
import { captureSessions, resumeSession, type SessionProbeInput } from '../probes/session-probe.js';
import { probeRenegotiation } from '../probes/renegotiation-probe.js';
import { probeFallbackScsv } from '../probes/fallback-probe.js';
import type { RevocationPlan } from '../../certs/revocation-data.js';

/**
 * Everything a suite needs to run, as serialisable data: the CLI builds it, vitest `provide`s it
 * to the suite, the suite turns it into probes. No sockets here except in `probeCase`.
 */

export interface PresentedCert {
  chainPem: string;
  leafPem: string;
  keyPem: string;
}

export interface ServerPlan {
  target: { host: string; port: number; servername: string; url: string };
  profile: Profile;
  /** Cases to run (after --only); the positive control always runs, selected or not. */
  cases: ResolvedCase[];
  control: ResolvedCase;
  /** Client certificates by store name. Private keys stay in memory and in the 0600 store. */
  certs: Record<string, PresentedCert>;
  /** CA bundle that verifies the target's certificate. */
  targetCa: string[];
  /** A CA no target chains to, for seeing exactly the chain the target sends. */
  unrelatedCaPem: string;
  /** https: HTTP/2 or HTTP/1.1 by ALPN; grpc: a gRPC call over HTTP/2 to httpPath (`/`: the health check); tls: the connection stays open. */
  protocol: AppProtocol;
  httpPath: string;
  httpMethod: string;
  timeoutMs: number;
  readWindowMs: number;
  /** --slow: checks that wait in real time (a session offered again after the profile's maximum lifetime). */
  slow: boolean;
  /** The CRLs and OCSP answers the harness's responder serves for the run (the certificates' CDP and OCSP URL). */
  revocation?: RevocationPlan;
}

/** The range the harness offers when a case does not pin a version: what any sane server speaks. */
const DEFAULT_RANGE: { minVersion: TlsVersion; maxVersion: TlsVersion } = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' };

/**
 * A handshake case; for TLS 1.0/1.1 a refusal seen by node:tls is checked once more with the raw
 * ClientHello prober, which also offers RC4, 3DES and EXPORT suites the local OpenSSL lacks: a
 * server that only speaks TLS 1.0 with 3DES must not pass as "refuses TLS 1.0".
 */
export async function probeCase(plan: ServerPlan, recipe: HandshakeRecipe, verifyPeer = false): Promise<Observation> {
  const obs = await probeNode(plan, recipe, verifyPeer);
  if ((recipe.version === 'TLSv1' || recipe.version === 'TLSv1.1') && interpret(obs, plan.profile) === 'rejected') {
    const raw = await probeVersion({ host: plan.target.host, port: plan.target.port, servername: plan.target.servername, version: recipe.version, timeoutMs: plan.timeoutMs });
    if (raw.accepted) {
      return { ...obs, outcome: 'accepted', alert: null, tlsVersion: recipe.version, cipher: raw.suiteName ?? null, detail: `node:tls was refused (${obs.detail}), but a raw ClientHello got ${raw.reason}: the target accepts ${recipe.version}` };
    }
  }
  return obs;
}

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
  const names = (codes: number[]) => codes.map((c) => r.probes.find((p) => p.suite === c)!.name);
  const accepted = names(r.accepted);
  return {
    outcome: accepted.length > 0 ? 'accepted' : 'handshake-alert',
    alert: null,
    httpStatus: null,
    tlsVersion: recipe.version,
    cipher: null,
    detail: `${suites.length} suites offered, the accepted ones removed one by one: ${accepted.length} accepted, ${r.refused.length} refused, ${r.inconclusive.length} inconclusive`,
    durationMs: r.durationMs,
    sweep: { version: recipe.version, accepted, inconclusive: names(r.inconclusive), offered: suites.length },
  };
}

/** `verifyPeer`: record what the target's certificate verifies to (the positive control does; no other case needs it). */
function probeNode(plan: ServerPlan, recipe: HandshakeRecipe, verifyPeer: boolean): Promise<Observation> {
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

/** What a suite test leaves in its task meta for the reporter. */
export type RecordedResult = CaseResult;

/** The plan for a client target: the command, and the server certificates the reference servers present. */
export interface ClientPlan {
  command: string;
  profile: Profile;
  cases: ResolvedCase[];
  control: ResolvedCase;
  /** Server certificates by store name: chain (leaf + what the case sends) and key. */
  serverCerts: Record<string, { chainPem: string; keyPem: string }>;
  /** CA the client's own certificate should come from. */
  clientCaPem: string;
  files: { caFile: string; certFile?: string; keyFile?: string; crlFile?: string };
  timeoutMs: number;
  cwd: string;
  /** The CRLs and OCSP answers the harness's responder serves for the run; also the stapled OCSP responses. */
  revocation?: RevocationPlan;
  cleanupCommand?: string;
  /** Extra environment for the command (a client image's --target-env, forwarded with docker -e). */
  env?: Record<string, string>;
}

export async function probeClientCase(plan: ClientPlan, recipe: ReferenceServerRecipe): Promise<Observation> {
  const cert = plan.serverCerts[recipe.cert];
  if (!cert) throw new Error(`the plan has no server certificate named ${recipe.cert}`);
  const ocspStaple = plan.revocation ? await stapleFor(plan.revocation, recipe.cert) : undefined;
  return probeClientCommand({
    command: plan.command,
    serverChainPem: cert.chainPem + (ocspStaple ? issuerToSend(plan.revocation!, recipe.cert, cert.chainPem) : ''),
    serverKeyPem: cert.keyPem,
    ...(recipe.version ? { minVersion: recipe.version, maxVersion: recipe.version } : DEFAULT_RANGE),
    legacy: recipe.legacy ?? false,
    clientCaPem: plan.clientCaPem,
    files: plan.files,
    timeoutMs: plan.timeoutMs,
    cwd: plan.cwd,
    cleanupCommand: plan.cleanupCommand,
    env: plan.env,
    ...(ocspStaple ? { ocspStaple } : {}),
  });
}

/**
 * With a staple, a leaf issued straight by the root is sent with the root: a client verifying a
 * stapled response (curl --cert-status) computes its CertID from the issuer in the chain the server
 * sent, not from its trust store. RFC 8446 §4.4.2 lets a server send the trust anchor; validators ignore it.
 */
export function issuerToSend(revocation: RevocationPlan, certName: string, chainPem: string): string {
  const issuer = revocation.issued.find((i) => i.name === certName)?.issuer;
  const ca = revocation.cas.find((c) => c.name === issuer);
  const sent = chainPem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
  return ca && sent === 1 && (issuer === 'server-ca' || issuer === 'client-ca') ? ca.certPem : '';
}

const staples = new WeakMap<RevocationPlan, Map<string, Promise<Buffer | undefined>>>();

/** The OCSP response the reference server staples for a certificate when the client asks (RFC 6066 §8): good, or revoked for server/revoked. */
export function stapleFor(revocation: RevocationPlan, certName: string): Promise<Buffer | undefined> {
  let cache = staples.get(revocation);
  if (!cache) staples.set(revocation, (cache = new Map()));
  if (!cache.has(certName)) {
    const issued = revocation.issued.find((i) => i.name === certName);
    // The ASN.1 code loads only when a client case runs with revocation material.
    cache.set(certName, issued ? import('../peers/ocsp.js').then((m) => m.ocspResponseFor(revocation, issued.issuer, issued.serial) ?? undefined) : Promise.resolve(undefined));
  }
  return cache.get(certName)!;
}

/** The positive control, with the chain the target sent attached to what it saw of the target's certificate. */
export async function probeServerControl(plan: ServerPlan): Promise<Observation> {
  if (plan.control.recipe.kind !== 'client-handshake') throw new Error('the positive control must be a handshake');
  const cert = plan.certs[plan.control.recipe.cert ?? ''];
  const [control, sent] = await Promise.all([
    probeCase(plan, plan.control.recipe, true),
    probeSentChain({
      host: plan.target.host,
      port: plan.target.port,
      servername: plan.target.servername,
      certChainPem: cert?.chainPem,
      keyPem: cert?.keyPem,
      unrelatedCaPem: plan.unrelatedCaPem,
      timeoutMs: plan.timeoutMs,
    }),
  ]);
  if (control.peer && sent) control.peer.chain = chainCompleteness(sent, plan.targetCa);
  return control;
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
  const r = await probeRenegotiation({
    host: plan.target.host,
    port: plan.target.port,
    servername: plan.target.servername,
    certChainPem: cert?.chainPem,
    keyPem: cert?.keyPem,
    timeoutMs: plan.timeoutMs,
  });
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
