import type { Profile } from '../profile/schema.js';
import type { CaseResult, HandshakeRecipe, ResolvedCase, TlsVersion } from '../model.js';
import { probeHandshake, probeSentChain } from '../probes/handshake-probe.js';
import { chainCompleteness } from '../policy/chain.js';
import { probeClientCommand } from '../probes/client-command-probe.js';
import type { ReferenceServerRecipe } from '../model.js';
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

export function probeCase(plan: ServerPlan, recipe: HandshakeRecipe): Promise<Observation> {
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
