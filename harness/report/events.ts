import type { z } from 'zod';
import type { CaseResult, ResolvedCase } from '../model.js';
import { PACKAGE_VERSION } from '../package-root.js';
import { familyOf } from './family.js';
import type { Report, ReportCause, ReportResult, ReportTarget } from './report.js';
import { toReportResult } from './report.js';
import type { caseEventSchema, runEndEventSchema, runStartEventSchema, targetEventSchema } from './report-schema.js';
import { countKinds, resultKind } from './result-kind.js';

/**
 * `run --ndjson`: the run as JSON lines on stdout, one event per line as it happens (run start,
 * each case as it is judged, each target of a targets file as it completes, run end), for a CI
 * step or a dashboard that reads a stream. schemas/events.schema.json validates every line.
 * Each event is built by a pure function and written by `writeEvent`; a targets-file run calls
 * `targetEvent` per target (harness/many/).
 */

export type RunStartEvent = z.infer<typeof runStartEventSchema>;
/** `result` is a report.json result (the schema checks it; the type is the report's own). */
export type CaseEvent = Omit<z.infer<typeof caseEventSchema>, 'result'> & { result: ReportResult };
export type TargetEvent = z.infer<typeof targetEventSchema>;
export type RunEndEvent = z.infer<typeof runEndEventSchema>;
export type RunEvent = RunStartEvent | CaseEvent | TargetEvent | RunEndEvent;

/** What a run knows once its target is ready, before any case: the header line and the run-start event. */
export interface RunStart {
  target: ReportTarget;
  profile: { name: string; sha256: string; source: string };
  startedAt: Date;
  /** The cases that will be judged, the positive control among them. */
  cases: readonly ResolvedCase[];
}

const now = () => new Date().toISOString();

export function runStartEvent(start: RunStart): RunStartEvent {
  return {
    event: 'run-start',
    time: now(),
    schemaVersion: 1,
    tool: { name: 'mtls-conformance', version: PACKAGE_VERSION, node: process.versions.node, openssl: process.versions.openssl },
    target: start.target,
    profile: start.profile,
    startedAt: start.startedAt.toISOString(),
    cases: start.cases.length,
  };
}

/** The start of a targets-file run: how many targets this job runs (its shard of the file). */
export function targetsStartEvent(targets: number, startedAt: Date): RunStartEvent {
  return {
    event: 'run-start',
    time: now(),
    schemaVersion: 1,
    tool: { name: 'mtls-conformance', version: PACKAGE_VERSION, node: process.versions.node, openssl: process.versions.openssl },
    startedAt: startedAt.toISOString(),
    targets,
  };
}

/** A case as it is judged: `n` of `total` in completion order; `result` as report.json holds it. */
export function caseEvent(r: CaseResult, n: number, total: number): CaseEvent {
  const result = toReportResult(r);
  return { event: 'case', time: now(), n, total, kind: resultKind(result), family: familyOf(result), result };
}

/** One target of a targets file as it completes (an index.json entry, without the child's argv). */
export function targetEvent(t: {
  target: string;
  profile: string;
  verdict: string;
  exitCode: number;
  pass: number;
  fail: number;
  inconclusive: number;
  skip: number;
  reportDir?: string;
  error?: string;
}): TargetEvent {
  return {
    event: 'target',
    time: now(),
    target: t.target,
    profile: t.profile,
    verdict: t.verdict,
    exitCode: t.exitCode,
    pass: t.pass,
    fail: t.fail,
    inconclusive: t.inconclusive,
    skip: t.skip,
    ...(t.reportDir !== undefined ? { reportDir: t.reportDir } : {}),
    ...(t.error !== undefined ? { error: t.error } : {}),
  };
}

/** The end of a run: its summary, its exit code and, when the control failed, the cause. */
export function runEndEvent(report: Report, exitCode: number, reportPath?: string): RunEndEvent {
  const cause: ReportCause | undefined = report.cause;
  return {
    event: 'run-end',
    time: now(),
    exitCode,
    durationMs: report.durationMs,
    summary: report.summary,
    counts: countKinds(report.results),
    ...(cause ? { cause } : {}),
    ...(reportPath ? { reportPath } : {}),
  };
}

/** The end of a targets-file run: how the targets came out, and where the index is. */
export function targetsEndEvent(summary: { targets: number; conformant: number; nonConformant: number; couldNotRun: number }, exitCode: number, durationMs: number, indexPath?: string): RunEndEvent {
  return { event: 'run-end', time: now(), exitCode, durationMs, targets: summary, ...(indexPath ? { indexPath } : {}) };
}

/** The end of a run that stopped on an error after it began (exit 2 or 3): the error line stderr shows. */
export function errorEndEvent(exitCode: number, durationMs: number, error: string): RunEndEvent {
  return { event: 'run-end', time: now(), exitCode, durationMs, error: error.replace(/^error: /, '') };
}

/** One event, one line. */
export function writeEvent(e: RunEvent, out: { write(chunk: string): unknown } = process.stdout): void {
  out.write(JSON.stringify(e) + '\n');
}
