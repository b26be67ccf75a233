import { join } from 'node:path';
import { interpret, summarize } from '../judge.js';
import type { CaseResult } from '../model.js';
import { buildReport, type Report } from '../report/report.js';
import { writeReportDir } from '../report/report-dir.js';
import { readSignKeyFile, signManifestWithKeyFile } from '../report/manifest.js';
import { saveContainerLog } from '../targets/container-target.js';
import { executePlan } from './execute-plan.js';
import { mark } from './timings.js';
import { ensureWritableDir } from '../io/writable-dir.js';
import { controlFailure } from './control-hint.js';
import { prepareServerPlan, type RunOptions } from './server-plan.js';

/**
 * `conformance run` against a server target: inputs -> plan (server-plan.ts), plan -> results
 * (execute-plan.ts), results -> reports (report/), and the exit code.
 */

export { defaultCertsDir } from '../../certs/default-dir.js';
export { matrixOptionsFor, readText, pemCertificates, loadIssuerFlags, prepareCerts } from './inputs.js';
export { prepareServerPlan, type PreparedServerRun, type RunOptions } from './server-plan.js';

export interface RunOutcome {
  report: Report;
  results: CaseResult[];
  exitCode: 0 | 1 | 3;
  /** One line saying why the run could not judge the target (exit 3), if so. */
  fatal?: string;
  reportPath?: string;
  junitPath?: string;
}

export async function runServer(opts: RunOptions): Promise<RunOutcome> {
  // A bad --sign-key or an impossible --report-dir is a usage error before any case runs, not after.
  if (opts.signKey) await readSignKeyFile(opts.signKey);
  if (opts.reportDir) ensureWritableDir(opts.reportDir, '--report-dir');
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
