import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { makeDirs } from '../io/make-dirs.js';
import { writeFileReplacing } from '../io/write-file-replacing.js';
import { describeObservation, interpret, summarize } from '../judge.js';
import type { CaseResult } from '../model.js';
import { signManifestWithKeyFile } from '../report/manifest.js';
import { buildReport, type Report, type ReportCause } from '../report/report.js';
import { writeReportDir } from '../report/report-dir.js';
import type { RunOptions, PreparedRun } from './prepare.js';
import type { Executed } from './execute.js';
import { clientRevocationCause, controlFailure } from './control-hint.js';
import { quoteClientLine } from '../probes/client-command-probe.js';
import { mark } from './timings.js';

/**
 * The last stage of a run (prepare.ts -> execute.ts -> finish.ts): results -> the report
 * directory (signed when asked) and the exit code: 0 conformant, 1 non-conformant, 3 when the
 * positive control was not accepted (nothing can be judged).
 */

export interface RunOutcome {
  report: Report;
  results: CaseResult[];
  exitCode: 0 | 1 | 3;
  /** One line saying why the run could not judge the target (exit 3), if so. */
  fatal?: string;
  reportPath?: string;
  junitPath?: string;
  /** Lines about how the target was named, for stderr. */
  warnings: string[];
}

/** A target's log (a container's) is part of the evidence: written before the manifest hashes the directory. */
export async function saveTargetLog(reportDir: string | undefined, log: string): Promise<void> {
  if (!reportDir) return;
  await makeDirs(reportDir);
  await writeFileReplacing(join(reportDir, 'container.log'), log);
}

export async function finish(prepared: PreparedRun, executed: Executed, opts: RunOptions, times: { startedAt: Date; t0: number }, source: string): Promise<RunOutcome> {
  const { loaded, started, control } = prepared;
  const results = executed.results;
  const controlResult: CaseResult = results.find((r) => r.case.id === control.id) ?? { case: control, observation: null, verdict: { verdict: 'inconclusive', reason: executed.controlError ?? '' } };
  const obs = controlResult.observation;
  if (started.role === 'client') {
    const exit = obs?.client?.exitCode;
    if (obs?.outcome === 'no-connection' && (exit === 127 || exit === 126)) {
      const why = (obs.client?.stderrTail && quoteClientLine(obs.client.stderrTail, prepared.rolePlan.role === 'client' ? prepared.rolePlan.plan.files : {})) || `exit ${exit}`;
      throw new UsageError('target-client-not-found', `${source} could not be started (exit ${exit}: ${why}). Check the command and its path.`);
    }
  }
  const accepted = obs ? interpret(obs, loaded.profile) === 'accepted' : false;
  // The cause goes into every report, not only onto stderr: a CI reader opens report.md, not the log.
  const fatal = accepted ? undefined : controlNotAccepted(prepared, controlResult, executed.controlError, results);
  const report = buildReport({
    target: started.report,
    profile: { name: loaded.profile.name, sha256: loaded.sha256, source: loaded.source },
    startedAt: times.startedAt,
    durationMs: Math.round(performance.now() - times.t0),
    results,
    ...(fatal ? { cause: causeOf(prepared, controlResult, fatal) } : {}),
  });
  const reportPath = opts.reportDir ? await writeReportDir(opts.reportDir, report, loaded) : undefined;
  if (reportPath && opts.signKey) await signManifestWithKeyFile(opts.reportDir!, opts.signKey);
  mark('reportsWritten');
  const junitPath = opts.reportDir ? join(opts.reportDir, 'junit.xml') : undefined;
  const base = { report, results, reportPath, junitPath, warnings: started.warnings };

  if (fatal) return { ...base, exitCode: 3, fatal };
  return { ...base, exitCode: summarize(results).verdict === 'conformant' ? 0 : 1 };
}

/** The report's `cause`: the fatal line without its "error: " prefix, and the client's stderr line it quotes. */
export function causeOf(prepared: PreparedRun, controlResult: CaseResult, fatal: string): ReportCause {
  const clientStderr = clientLine(prepared, controlResult);
  return { case: controlResult.case.id, text: fatal.replace(/^error: /, ''), ...(clientStderr ? { clientStderr } : {}) };
}

/** The informative line of the client's stderr (not `Node.js v24` nor curl's pointer to a web page), its handed files named {ca} {cert} {key}, at most 300 characters. */
function clientLine(prepared: PreparedRun, controlResult: CaseResult): string | undefined {
  const p = prepared.rolePlan;
  const tail = controlResult.observation?.client?.stderrTail;
  return p.role === 'client' && tail ? quoteClientLine(tail, p.plan.files) || undefined : undefined;
}

/** Why the positive control was not accepted, and what to do, in one line. */
function controlNotAccepted(prepared: PreparedRun, controlResult: CaseResult, controlError: string | undefined, results: CaseResult[]): string {
  const p = prepared.rolePlan;
  const obs = controlResult.observation;
  if (!obs && controlError) {
    return `the positive control ${controlResult.case.id} could not be observed (${controlError}), so no rejection can be judged: check that the target answers within --timeout.`;
  }
  if (p.role === 'server') {
    // Every handshake ended in alert 80: the server fails on its own side (often its own chain), not on ours.
    const observed = results.flatMap((r) => (r.observation ? [r.observation] : []));
    const everyHandshakeInternalError = observed.length > 0 && observed.every((o) => o.alert?.code === 80);
    return controlFailure(controlResult, prepared.certsDir, { profile: prepared.loaded.profile, everyHandshakeInternalError });
  }
  const seen = obs ? describeObservation(obs) : 'no observation';
  const stderr = clientLine(prepared, controlResult);
  const revocation = clientRevocationCause(obs?.client?.stderrTail ?? '');
  if (revocation) return `the positive control ${controlResult.case.id} was not accepted (${seen}${stderr ? `; client stderr: ${stderr}` : ''}), so no refusal can be judged: ${revocation}.`;
  return `the positive control ${controlResult.case.id} was not accepted (${seen}${stderr ? `; client stderr: ${stderr}` : ''}), so no refusal can be judged: the client must trust ${p.plan.files.caFile} (CONFORMANCE_CA_FILE, {ca}), connect to {url} and send a request.`;
}
