import type { Profile } from '../profile/schema.js';
import type { CaseResult, HandshakeRecipe, ResolvedCase, TlsVersion } from '../model.js';
import { probeHandshake, probeSentChain } from '../probes/handshake-probe.js';
import { chainCompleteness } from '../policy/chain.js';
import { probeClientCommand } from '../probes/client-command-probe.js';
import type { RawHelloRecipe, ReferenceServerRecipe, SuiteSweepRecipe } from '../model.js';
import { enumerateSuites, probeVersion, suitesForVersion } from '../probes/cipher-sweep.js';
import type { HelloObservation } from '../probes/raw-hello.js';
import { alertByCode } from '../probes/alerts.js';
import { interpret } from '../judge.js';
import type { Observation } from '../model.js';

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
  protocol: 'https' | 'tls';
  httpPath: string;
  httpMethod: string;
  timeoutMs: number;
  readWindowMs: number;
}

/** The range the harness offers when a case does not pin a version: what any sane server speaks. */
const DEFAULT_RANGE: { minVersion: TlsVersion; maxVersion: TlsVersion } = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' };

/**
 * A handshake case; for TLS 1.0/1.1 a refusal seen by node:tls is checked once more with the raw
 * ClientHello prober, which also offers RC4, 3DES and EXPORT suites the local OpenSSL lacks: a
 * server that only speaks TLS 1.0 with 3DES must not pass as "refuses TLS 1.0".
 */
export async function probeCase(plan: ServerPlan, recipe: HandshakeRecipe): Promise<Observation> {
  const obs = await probeNode(plan, recipe);
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
  const suites = suitesForVersion(recipe.version);
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

function probeNode(plan: ServerPlan, recipe: HandshakeRecipe): Promise<Observation> {
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
    ca: plan.targetCa,
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
  files: { caFile: string; certFile?: string; keyFile?: string };
  timeoutMs: number;
  cwd: string;
}

export function probeClientCase(plan: ClientPlan, recipe: ReferenceServerRecipe): Promise<Observation> {
  const cert = plan.serverCerts[recipe.cert];
  if (!cert) throw new Error(`the plan has no server certificate named ${recipe.cert}`);
  return probeClientCommand({
    command: plan.command,
    serverChainPem: cert.chainPem,
    serverKeyPem: cert.keyPem,
    ...(recipe.version ? { minVersion: recipe.version, maxVersion: recipe.version } : DEFAULT_RANGE),
    legacy: recipe.legacy ?? false,
    clientCaPem: plan.clientCaPem,
    files: plan.files,
    timeoutMs: plan.timeoutMs,
    cwd: plan.cwd,
  });
}

/** The positive control, with the chain the target sent attached to what it saw of the target's certificate. */
export async function probeServerControl(plan: ServerPlan): Promise<Observation> {
  if (plan.control.recipe.kind !== 'client-handshake') throw new Error('the positive control must be a handshake');
  const cert = plan.certs[plan.control.recipe.cert ?? ''];
  const [control, sent] = await Promise.all([
    probeCase(plan, plan.control.recipe),
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
