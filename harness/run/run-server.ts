import { X509Certificate } from 'node:crypto';
import { READ_LIMITS, readBoundedText } from '../io/read-bounded.js';
import { defaultCertsDir } from '../../certs/default-dir.js';
import { join, resolve } from 'node:path';
import * as tls from 'node:tls';
import { ensureCerts, keyMatchesCert, StoreNeedsIssuerError, type EnsureResult } from '../../certs/store.js';
import type { Material } from '../../certs/generate.js';
import { DEFAULT_MATRIX_OPTIONS, type MatrixOptions } from '../../certs/matrix.js';
import { HarnessError, UsageError, quote } from '../errors.js';
import { interpret, summarize } from '../judge.js';
import type { CaseResult, ResolvedCase } from '../model.js';
import { loadProfile, type LoadedProfile } from '../profile/load.js';
import type { Profile } from '../profile/schema.js';
import { idMatcher, resolveCases } from '../cases/resolve.js';
import { buildReport, type Report, type ReportTarget } from '../report/report.js';
import { writeReportDir } from '../report/report-dir.js';
import { readSignKeyFile, signManifestWithKeyFile } from '../report/manifest.js';
import { saveContainerLog } from '../targets/container-target.js';
import { serverTargetFor } from '../targets/server-target.js';
import type { ServerPlan, PresentedCert } from './plan.js';
import { executePlan } from './execute-plan.js';
import { mark } from './timings.js';
import { controlFailure } from './control-hint.js';

/** `conformance run` against a server target, from options to a report and an exit code. */

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

export interface RunOutcome {
  report: Report;
  results: CaseResult[];
  exitCode: 0 | 1 | 3;
  /** One line saying why the run could not judge the target (exit 3), if so. */
  fatal?: string;
  reportPath?: string;
  junitPath?: string;
}

export { defaultCertsDir };

export function matrixOptionsFor(profile: Profile, serverHosts?: string[]): MatrixOptions {
  const base: MatrixOptions = { ...DEFAULT_MATRIX_OPTIONS, ...(serverHosts?.length ? { serverHosts } : {}) };
  const id = profile.clientIdentity;
  if (!id) return base;
  if (id.match === 'cn') return { ...base, clientSubject: `CN=${id.example}, O=mtls-conformance` };
  if (id.match === 'dn') return { ...base, clientSubject: id.example };
  return { ...base, clientSanUri: id.example };
}

export async function readText(path: string, flag: string): Promise<string> {
  // Bounded and text only (harness/io/read-bounded.ts): `--target-ca /dev/zero` is one line, not an OOM.
  return readBoundedText(path, { maxBytes: READ_LIMITS.pem, label: flag, code: 'file' });
}

export function pemCertificates(text: string): string[] {
  return (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((pem) => `${pem}\n`);
}

export async function loadIssuerFlags(certPath?: string, keyPath?: string): Promise<Material | undefined> {
  if (!certPath && !keyPath) return undefined;
  if (!certPath || !keyPath) throw new UsageError('issuer-incomplete', `error: ${certPath ? '--issuer-key' : '--issuer-cert'} is missing: --issuer-cert and --issuer-key go together.`);
  const certText = await readText(certPath, '--issuer-cert');
  const certPem = pemCertificates(certText)[0];
  try {
    if (!certPem) throw new Error('no PEM certificate');
    const cert = new X509Certificate(certPem);
    if (!cert.ca) throw new UsageError('issuer-not-ca', `error: --issuer-cert ${quote(certPath)} is not a CA certificate (basicConstraints cA is not TRUE). Pass the CA that should issue the client certificates.`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError('issuer-not-pem', `error: --issuer-cert ${quote(certPath)} holds no PEM certificate. Pass a PEM file starting with "-----BEGIN CERTIFICATE-----".`);
  }
  const keyPem = await readText(keyPath, '--issuer-key');
  let matches: boolean;
  try {
    matches = keyMatchesCert(certPem, keyPem);
  } catch {
    throw new UsageError('issuer-key-invalid', `error: --issuer-key ${quote(keyPath)} holds no readable PEM private key (an unencrypted PKCS#8, PKCS#1 or SEC1 key is needed).`);
  }
  if (!matches) throw new UsageError('issuer-key-mismatch', `error: --issuer-key ${quote(keyPath)} is not the key of --issuer-cert ${quote(certPath)}. Pass the matching pair.`);
  return { certPem, keyPem };
}

export async function prepareCerts(dir: string, profile: Profile, issuer?: Material, serverHosts?: string[], force = false): Promise<EnsureResult> {
  try {
    return await ensureCerts(dir, { matrix: matrixOptionsFor(profile, serverHosts), issuer, force });
  } catch (err) {
    if (err instanceof StoreNeedsIssuerError) {
      throw new UsageError('certs-need-issuer', `error: the client certificates in ${quote(dir)} were issued by your own CA and need renewing. Pass --issuer-cert and --issuer-key again.`);
    }
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EACCES' || e.code === 'ENOTDIR' || e.code === 'EEXIST') {
      throw new UsageError('certs-dir-unusable', `error: certificate directory ${quote(dir)} cannot be written (${e.code}). Pass --certs with a writable directory.`);
    }
    throw err;
  }
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

export async function runServer(opts: RunOptions): Promise<RunOutcome> {
  // A bad --sign-key is a usage error before any case runs, not after.
  if (opts.signKey) await readSignKeyFile(opts.signKey);
  const started = new Date();
  const t0 = performance.now();
  const prepared = await prepareServerPlan(opts);
  mark('targetReady');
  const { plan, loaded, reportTarget, certsDir, selected, control } = prepared;
  let logSaved = false;
  try {
    const junitPath = opts.reportDir ? join(opts.reportDir, 'junit.xml') : undefined;
    const run = await executePlan({ role: 'server', plan }, { concurrency: opts.concurrency, onResult: opts.onResult });
    mark('probesDone');
    // The container's log is part of the evidence: saved before the manifest hashes the directory.
    if (opts.image) {
      await saveContainerLog(opts.reportDir, (await prepared.close()) ?? '');
      logSaved = true;
    }
    const results = run.results;
    const report = buildReport({
      target: reportTarget,
      profile: { name: loaded.profile.name, sha256: loaded.sha256, source: loaded.source },
      startedAt: started,
      durationMs: Math.round(performance.now() - t0),
      results,
    });
    const reportPath = opts.reportDir ? await writeReportDir(opts.reportDir, report, loaded) : undefined;
    if (reportPath && opts.signKey) await signManifestWithKeyFile(opts.reportDir!, opts.signKey);
    mark('reportsWritten');

    const controlResult = results.find((r) => r.case.id === control.id) ?? { case: control, observation: null, verdict: { verdict: 'inconclusive', reason: run.controlError ?? '' } };
    const controlAccepted = controlResult.observation ? interpret(controlResult.observation, loaded.profile) === 'accepted' : false;
    const summary = summarize(results);
    if (!controlAccepted) {
      return { report, results, exitCode: 3, fatal: controlFailure(controlResult as CaseResult, certsDir, { profile: loaded.profile }), reportPath, junitPath };
    }
    return { report, results, exitCode: summary.verdict === 'conformant' ? 0 : 1, reportPath, junitPath };
  } finally {
    const log = await prepared.close();
    if (opts.image && !logSaved) await saveContainerLog(opts.reportDir, log ?? '');
  }
}
