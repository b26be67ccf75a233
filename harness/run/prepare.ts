import { caseChains } from '../cases/catalogue.js';
import { resolve } from 'node:path';
import * as tls from 'node:tls';
import { defaultCertsDir } from '../../certs/default-dir.js';
import { loadIssuerFlags, pemCertificates, prepareCerts, prepareSuiteCerts, readText } from '../../certs/prepare-certs.js';
import type { EnsureResult } from '../../certs/store.js';
import { idMatcher, resolveCases } from '../cases/resolve.js';
import { sideOf } from '../cases/registry.js';
import { UsageError, quote } from '../errors.js';
import type { AppProtocol, CaseResult, ResolvedCase, SuiteName } from '../model.js';
import type { ClientPlan, PresentedCert, ServerPlan } from '../plan.js';
import { prebuiltProfile } from '../profile/builtin-profiles.js';
import type { LoadedProfile } from '../profile/load.js';
import type { StartedClientTarget, StartedServerTarget, StartedTarget, StoppedTarget, Target } from '../targets/target.js';
import type { RunStart } from '../report/events.js';
import type { RolePlan } from './case-body.js';
import { NAME_CONTROL_ID } from './execute.js';

/**
 * The first stage of a run: the profile, the certificates, the target started (or checked), and
 * the cases to run, as a plan. Used by `conformance run` (run.ts) and by users' own vitest configs
 * (mtls-conformance/vitest, which takes the server plan).
 */

export interface RunOptions {
  profile: string;
  certsDir?: string;
  reportDir?: string;
  only: string[];
  /** core (default), deep or exhaustive: which cases exist to select from. */
  suite?: SuiteName;
  timeoutMs: number;
  concurrency: number;
  /** --repeat: how many times each reject case runs (default 1). */
  repeat?: number;
  issuerCert?: string;
  issuerKey?: string;
  /** Live output: called once the target is ready, before any case (the header line, the run-start event). */
  onStart?: (start: RunStart) => void;
  /** Live progress: called as each case is judged. */
  onResult?: (r: CaseResult) => void;
  /** Sign manifest.json with this private key (PEM; Ed25519 or ECDSA). */
  signKey?: string;
  /** A server target: CA bundle (PEM file) that verifies its certificate. */
  targetCa?: string;
  /** A server target: the request of the application round trip. */
  httpPath?: string;
  httpMethod?: string;
  protocol?: AppProtocol;
  servername?: string;
  /** --slow: run the checks that wait in real time (a session offered again after the profile's maximum lifetime). */
  slow?: boolean;
  /** A client target: it brings its own certificate, issued by this CA (PEM file). */
  clientCertCa?: string;
  /** A client target: the working directory of its command. */
  cwd?: string;
}

export interface PreparedRun extends AsyncDisposable {
  /** The plan with its role, as the case body and the executor take it. */
  rolePlan: RolePlan;
  loaded: LoadedProfile;
  started: StartedTarget;
  certsDir: string;
  selected: ResolvedCase[];
  control: ResolvedCase;
  /** Stop the target (idempotent); what is left of it (a container's log). */
  close(): Promise<StoppedTarget>;
}

/** Profile, certificates, target started, cases selected. A failure after the start stops the target. */
export async function prepare(target: Target, opts: RunOptions): Promise<PreparedRun> {
  // A built-in profile comes resolved from the build; any other is parsed and validated (yaml, zod).
  const loaded: LoadedProfile = prebuiltProfile(opts.profile) ?? (await import('../profile/load.js')).loadProfile(opts.profile);
  const certsDir = resolve(opts.certsDir ?? defaultCertsDir());
  const clientCaPem = target.role === 'client' && opts.clientCertCa ? await readCaFile(opts.clientCertCa, '--client-cert-ca') : undefined;
  const issuer = await loadIssuerFlags(opts.issuerCert, opts.issuerKey);
  const targetCa = target.role === 'server' && opts.targetCa ? await readCaFile(opts.targetCa, '--target-ca') : undefined;

  const suite = opts.suite ?? 'core';
  // A larger suite's certificates live in a sub-directory of the store, issued under its anchors;
  // the default suite never builds or reads them.
  // Only the side the target is shown: a server target never needs the suite's server chains.
  const suiteChains = () => {
    const chains = caseChains(suite).filter((n) => n.side === sideOf(target.role));
    // The exhaustive suite holds ~20,000 certificates: a run that picks some of its cases (--only)
    // generates the chains of those cases only (the name control's comes along, execute.ts).
    if (suite !== 'exhaustive' || opts.only.length === 0) return chains;
    const matches = idMatcher(opts.only);
    const wanted = new Set(resolveCases(loaded.profile, target.role, suite).flatMap((c) => ((matches(c.id) || c.id === NAME_CONTROL_ID) && 'cert' in c.recipe && c.recipe.cert ? [c.recipe.cert] : [])));
    return chains.filter((n) => wanted.has(n.name));
  };
  const store = suite === 'core' ? await prepareCerts(certsDir, loaded.profile, caseChains(), issuer) : await prepareSuiteCerts(certsDir, loaded.profile, caseChains(), suite, suiteChains(), issuer);
  const cert = (n: string) => store.certs.get(n)!;
  const started = await target.start({ profile: loaded.profile, cert, certsDir, timeoutMs: opts.timeoutMs, servername: opts.servername, protocol: opts.protocol, cwd: opts.cwd ?? process.cwd() });
  const close = () => started.stop();
  try {
    const all = resolveCases(loaded.profile, target.role, suite);
    const matches = idMatcher(opts.only);
    if (!all.some((c) => matches(c.id))) {
      throw new UsageError('only-matches-nothing', `--only ${opts.only.map((g) => quote(g)).join(' ')} matches no ${target.role === 'client' ? 'client ' : ''}case id. List the ids with: conformance cases`);
    }
    const control = all.find((c) => c.positiveControl)!;
    // The positive control always runs and is always reported: every rejection rests on it.
    const picked = all.filter((c) => c.positiveControl || matches(c.id));
    // A case whose client verifies a DNS name brings the control of that name along (execute.ts).
    const needsName = picked.some((c) => c.recipe.kind === 'reference-server' && c.recipe.serverName);
    const selected = needsName ? all.filter((c) => picked.includes(c) || c.id === NAME_CONTROL_ID) : picked;
    const cases = { profile: loaded.profile, cases: selected, control, timeoutMs: opts.timeoutMs, revocation: store.revocation.plan };
    const rolePlan: RolePlan =
      started.role === 'server'
        ? { role: 'server', plan: serverPlan(started, store, cases, opts, targetCa) }
        : { role: 'client', plan: clientPlan(started, store, cases, opts, clientCaPem) };
    return { rolePlan, loaded, started, certsDir, selected, control, close, [Symbol.asyncDispose]: async () => void (await close()) };
  } catch (err) {
    await close();
    throw err;
  }
}

type CasePart = Pick<ServerPlan, 'profile' | 'cases' | 'control' | 'timeoutMs' | 'revocation'>;

async function readCaFile(path: string, flag: '--target-ca' | '--client-cert-ca'): Promise<string[]> {
  const pems = pemCertificates(await readText(path, flag));
  if (pems.length > 0) return pems;
  throw flag === '--target-ca'
    ? new UsageError('target-ca-not-pem', `--target-ca ${quote(path)} holds no PEM certificate. Pass the CA bundle (PEM) that issued the target's certificate.`)
    : new UsageError('client-cert-ca-not-pem', `--client-cert-ca ${quote(path)} holds no PEM certificate. Pass the CA (PEM) that issued your client's certificate.`);
}

function serverPlan(started: StartedServerTarget, store: EnsureResult, part: CasePart, opts: RunOptions, targetCa: string[] | undefined): ServerPlan {
  const certs: Record<string, PresentedCert> = {};
  for (const [name, m] of store.certs) {
    if (name.startsWith('client/')) certs[name] = { chainPem: m.chainPem, leafPem: m.certPem, keyPem: m.keyPem };
  }
  return {
    ...part,
    target: started.endpoint,
    certs,
    targetCa: targetCa ?? [store.certs.get('server-ca')!.certPem, ...tls.rootCertificates],
    unrelatedCaPem: store.certs.get('untrusted-ca')!.certPem,
    protocol: started.protocol,
    httpPath: opts.httpPath ?? '/',
    httpMethod: opts.httpMethod ?? 'GET',
    readWindowMs: Math.min(500, opts.timeoutMs),
    slow: opts.slow ?? false,
  };
}

function clientPlan(started: StartedClientTarget, store: EnsureResult, part: CasePart, opts: RunOptions, clientCaPems: string[] | undefined): ClientPlan {
  const serverCerts: ClientPlan['serverCerts'] = {};
  for (const [name, m] of store.certs) {
    if (name === 'server' || name.startsWith('server/')) serverCerts[name] = { chainPem: m.chainPem, keyPem: m.keyPem };
  }
  const valid = store.certs.get('client/valid')!;
  return {
    ...part,
    launch: started.launch,
    serverCerts,
    clientCaPem: clientCaPems?.join('') ?? store.certs.get('client-ca')!.certPem,
    files: {
      caFile: started.pathFor(store.certs.get('server-ca')!.certPath),
      // Every CRL of the server CA's hierarchy ({crl}, CONFORMANCE_CRL_FILE): curl --crlfile needs one per CA in the chain.
      crlFile: started.pathFor(store.revocation.serverCrlFile),
      caseCrlFiles: Object.fromEntries(Object.entries(store.revocation.caseCrlFiles).map(([name, path]) => [name, started.pathFor(path)])),
      ...(opts.clientCertCa ? {} : { certFile: started.pathFor(valid.certPath), keyFile: started.pathFor(valid.keyPath) }),
    },
  };
}
