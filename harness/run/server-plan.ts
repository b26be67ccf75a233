import { resolve } from 'node:path';
import * as tls from 'node:tls';
import { defaultCertsDir } from '../../certs/default-dir.js';
import { UsageError, quote } from '../errors.js';
import type { CaseResult, ResolvedCase } from '../model.js';
import { loadProfile, type LoadedProfile } from '../profile/load.js';
import { idMatcher, resolveCases } from '../cases/resolve.js';
import type { ReportTarget } from '../report/report.js';
import { serverTargetFor } from '../targets/server-target.js';
import type { ServerPlan, PresentedCert } from './plan.js';
import { loadIssuerFlags, pemCertificates, prepareCerts, readText } from './inputs.js';

/**
 * Inputs -> plan for a target that is a server: the profile, the certificates, the target started
 * (an embedded server or a container) or checked (a URL's preflight), and the cases to run. Used by
 * `conformance run` and by users' own vitest configs (mtls-conformance/vitest).
 */

export interface RunOptions {
  target: string;
  profile: string;
  certsDir?: string;
  targetCa?: string;
  reportDir?: string;
  only: string[];
  timeoutMs: number;
  concurrency: number;
  httpPath: string;
  httpMethod: string;
  protocol?: ServerPlan['protocol'];
  servername?: string;
  issuerCert?: string;
  issuerKey?: string;
  /** Live progress: called as each case is judged. */
  onResult?: (r: CaseResult) => void;
  /** Sign manifest.json with this private key (PEM; Ed25519 or ECDSA). */
  signKey?: string;
  /** --slow: run the checks that wait in real time (a session offered again after the profile's maximum lifetime). */
  slow?: boolean;
  /** --target-image: the target is a container image started for this run. */
  image?: { name: string; port: number; env: Record<string, string>; cmd?: string[] };
}

export interface PreparedServerRun extends AsyncDisposable {
  plan: ServerPlan;
  loaded: LoadedProfile;
  reportTarget: ReportTarget;
  certsDir: string;
  selected: ResolvedCase[];
  control: ResolvedCase;
  /** Stop what the run started (an embedded server, a container); returns the container's log, if any. */
  close(): Promise<string | undefined>;
}

/**
 * Everything before the suite runs: profile, certificates, the target started (embedded server or
 * container) or checked (preflight), and the plan the suite needs. Used by `run` and by users'
 * own vitest configs (mtls-conformance/vitest).
 */
export async function prepareServerPlan(opts: RunOptions): Promise<PreparedServerRun> {
  const loaded: LoadedProfile = loadProfile(opts.profile);
  // The target string is checked before any file is read or certificate made.
  const serverTarget = serverTargetFor(opts);
  const certsDir = resolve(opts.certsDir ?? defaultCertsDir());
  const issuer = await loadIssuerFlags(opts.issuerCert, opts.issuerKey);
  let targetCaPems: string[] | undefined;
  if (opts.targetCa) {
    targetCaPems = pemCertificates(await readText(opts.targetCa, '--target-ca'));
    if (targetCaPems.length === 0) throw new UsageError('target-ca-not-pem', `error: --target-ca ${quote(opts.targetCa)} holds no PEM certificate. Pass the CA bundle (PEM) that issued the target's certificate.`);
  }

  const store = await prepareCerts(certsDir, loaded.profile, issuer);
  const cert = (n: string) => store.certs.get(n)!;

  const startedTarget = await serverTarget.start({ profile: loaded.profile, cert, certsDir, timeoutMs: opts.timeoutMs, servername: opts.servername, protocol: opts.protocol });
  const close = () => startedTarget.stop();
  const target = startedTarget.endpoint;
  const reportTarget: ReportTarget = startedTarget.report;
  const protocol = startedTarget.protocol;
  try {
    const all = resolveCases(loaded.profile, 'server');
    const control = all.find((c) => c.positiveControl)!;
    const matches = idMatcher(opts.only);
    if (!all.some((c) => matches(c.id))) {
      throw new UsageError('only-matches-nothing', `error: --only ${opts.only.map((g) => quote(g)).join(' ')} matches no case id. List the ids with: conformance cases`);
    }
    // The positive control always runs and is always reported: every rejection rests on it.
    const selected = all.filter((c) => c.positiveControl || matches(c.id));
    const certs: Record<string, PresentedCert> = {};
    for (const [name, m] of store.certs) {
      if (name.startsWith('client/')) certs[name] = { chainPem: m.chainPem, leafPem: m.certPem, keyPem: m.keyPem };
    }
    const plan: ServerPlan = {
      target,
      profile: loaded.profile,
      cases: selected,
      control,
      certs,
      targetCa: targetCaPems ?? [cert('server-ca').certPem, ...tls.rootCertificates],
      unrelatedCaPem: cert('untrusted-ca').certPem,
      protocol,
      httpPath: opts.httpPath,
      httpMethod: opts.httpMethod,
      timeoutMs: opts.timeoutMs,
      readWindowMs: Math.min(500, opts.timeoutMs),
      slow: opts.slow ?? false,
      revocation: store.revocation.plan,
    };
    return { plan, loaded, reportTarget, certsDir, selected, control, close, [Symbol.asyncDispose]: async () => void (await close()) };
  } catch (err) {
    await close();
    throw err;
  }
}

