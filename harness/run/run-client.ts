import { resolve } from 'node:path';
import { UsageError, quote } from '../errors.js';
import { describeObservation, interpret, summarize } from '../judge.js';
import type { CaseResult } from '../model.js';
import { loadProfile } from '../profile/load.js';
import { idMatcher, resolveCases } from '../cases/resolve.js';
import { buildReport } from '../report/report.js';
import { writeReportDir } from '../report/report-dir.js';
import { readSignKeyFile, signManifestWithKeyFile } from '../report/manifest.js';
import type { ClientPlan } from './plan.js';
import { executePlan } from './execute-plan.js';
import { mark } from './timings.js';
import { ensureWritableDir } from '../io/writable-dir.js';
import { clientTargetFor, type ClientImageSpec } from '../targets/client-target.js';
import { defaultCertsDir, loadIssuerFlags, pemCertificates, prepareCerts, readText, type RunOutcome } from './run-server.js';

/**
 * `conformance run --target-client CMD` or `--target-client-image IMAGE`: the target is a client
 * (harness/targets/client-target.ts); the harness serves each case and judges what the client did.
 */

export interface ClientRunOptions {
  command: string;
  /** --target-client-image: run the client as this container image, once per case, on the host network. */
  image?: ClientImageSpec;
  profile: string;
  certsDir?: string;
  /** The client brings its own certificate, issued by this CA (PEM file). */
  clientCertCa?: string;
  reportDir?: string;
  only: string[];
  timeoutMs: number;
  concurrency: number;
  issuerCert?: string;
  issuerKey?: string;
  /** Live progress: called as each case is judged. */
  onResult?: (r: CaseResult) => void;
  /** Sign manifest.json with this private key (PEM; Ed25519 or ECDSA). */
  signKey?: string;
  cwd?: string;
}

export interface ClientRunOutcome extends RunOutcome {
  warnings: string[];
}

export async function runClient(opts: ClientRunOptions): Promise<ClientRunOutcome> {
  const started = new Date();
  const t0 = performance.now();
  const loaded = loadProfile(opts.profile);
  // A bad --sign-key or an impossible --report-dir is a usage error before any case runs, not after.
  if (opts.signKey) await readSignKeyFile(opts.signKey);
  if (opts.reportDir) ensureWritableDir(opts.reportDir, '--report-dir');
  const certsDir = resolve(opts.certsDir ?? defaultCertsDir());
  const target = clientTargetFor(opts, certsDir);
  const warnings = [...target.warnings];
  let clientCaPem: string | undefined;
  if (opts.clientCertCa) {
    clientCaPem = pemCertificates(await readText(opts.clientCertCa, '--client-cert-ca')).join('');
    if (!clientCaPem) throw new UsageError('client-cert-ca-not-pem', `error: --client-cert-ca ${quote(opts.clientCertCa)} holds no PEM certificate. Pass the CA (PEM) that issued your client's certificate.`);
  }
  const issuer = await loadIssuerFlags(opts.issuerCert, opts.issuerKey);
  const store = await prepareCerts(certsDir, loaded.profile, issuer);
  const cert = (n: string) => store.certs.get(n)!;
  await target.check();

  const all = resolveCases(loaded.profile, 'client');
  const matches = idMatcher(opts.only);
  if (!all.some((c) => matches(c.id))) {
    throw new UsageError('only-matches-nothing', `error: --only ${opts.only.map((g) => quote(g)).join(' ')} matches no client case id. List the ids with: conformance cases`);
  }
  const control = all.find((c) => c.positiveControl)!;
  const selected = all.filter((c) => c.positiveControl || matches(c.id));
  const serverCerts: ClientPlan['serverCerts'] = {};
  for (const [name, m] of store.certs) {
    if (name === 'server' || name.startsWith('server/')) serverCerts[name] = { chainPem: m.chainPem, keyPem: m.keyPem };
  }
  const valid = cert('client/valid');
  const plan: ClientPlan = {
    command: target.command,
    profile: loaded.profile,
    cases: selected,
    control,
    serverCerts,
    clientCaPem: clientCaPem ?? cert('client-ca').certPem,
    files: {
      caFile: target.pathFor(cert('server-ca').certPath),
      // Every CRL of the server CA's hierarchy ({crl}, CONFORMANCE_CRL_FILE): curl --crlfile needs one per CA in the chain.
      crlFile: target.pathFor(store.revocation.serverCrlFile),
      ...(opts.clientCertCa ? {} : { certFile: target.pathFor(valid.certPath), keyFile: target.pathFor(valid.keyPath) }),
    },
    ...(target.cleanupCommand ? { cleanupCommand: target.cleanupCommand } : {}),
    ...(target.env ? { env: target.env } : {}),
    timeoutMs: opts.timeoutMs,
    cwd: opts.cwd ?? process.cwd(),
    revocation: store.revocation.plan,
  };
  const junitPath = opts.reportDir ? `${opts.reportDir}/junit.xml` : undefined;
  mark('targetReady');
  const run = await executePlan({ role: 'client', plan }, { concurrency: opts.concurrency, onResult: opts.onResult });
  mark('probesDone');
  const controlResult = run.results.find((r) => r.case.id === control.id);
  const obs = controlResult?.observation;
  const exit = obs?.client?.exitCode;
  if (obs?.outcome === 'no-connection' && (exit === 127 || exit === 126)) {
    const why = obs.client?.stderrTail.trim().split('\n').pop() ?? `exit ${exit}`;
    throw new UsageError('target-client-not-found', `error: --target-client ${quote(opts.command)} could not be started (exit ${exit}: ${why}). Check the command and its path.`);
  }
  const results: CaseResult[] = run.results;
  const report = buildReport({
    target: target.report,
    profile: { name: loaded.profile.name, sha256: loaded.sha256, source: loaded.source },
    startedAt: started,
    durationMs: Math.round(performance.now() - t0),
    results,
  });
  const reportPath = opts.reportDir ? await writeReportDir(opts.reportDir, report, loaded) : undefined;
  if (reportPath && opts.signKey) await signManifestWithKeyFile(opts.reportDir!, opts.signKey);
  mark('reportsWritten');
  const accepted = obs ? interpret(obs, loaded.profile) === 'accepted' : false;
  if (!accepted) {
    const seen = obs ? describeObservation(obs) : 'no observation';
    const stderr = obs?.client?.stderrTail.trim().split('\n').pop();
    const fatal = `error: the positive control client/server-auth/valid was not accepted (${seen}${stderr ? `; client stderr: ${stderr}` : ''}), so no refusal can be judged: the client must trust ${plan.files.caFile} (CONFORMANCE_CA_FILE, {ca}), connect to {url} and send a request.`;
    return { report, results, exitCode: 3, fatal, reportPath, junitPath, warnings };
  }
  return { report, results, exitCode: summarize(results).verdict === 'conformant' ? 0 : 1, reportPath, junitPath, warnings };
}
