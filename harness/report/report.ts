import { makeDirs } from '../io/make-dirs.js';
import { writeFileReplacing } from '../io/write-file-replacing.js';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { PACKAGE_VERSION } from '../package-root.js';
import { summarize } from '../judge.js';
import type { CaseResult, Observation } from '../model.js';

import type { Report, ReportCause, ReportResult, ReportTarget } from './report-schema.js';

/** report.json, schemaVersion 1 (PRODUCT.md). Only data here; no private key ever reaches it. The types come from its schema. */
export type { Report, ReportCause, ReportResult, ReportTarget } from './report-schema.js';

/** How a target is named in the terminal and in junit.xml: builtin:NAME, image NAME, client command CMD, or its URL. */
export function targetLabel(target: ReportTarget): string {
  if (target.builtin) return `builtin:${String(target.builtin)}`;
  if (target.kind === 'container') return `image ${String(target.image)}`;
  if (target.kind === 'client-command') return `client command ${String(target.command)}`;
  return String(target.url);
}

export function buildReport(args: {
  target: ReportTarget;
  profile: { name: string; sha256: string; source: string };
  startedAt: Date;
  durationMs: number;
  results: CaseResult[];
  cause?: ReportCause;
}): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'mtls-conformance', version: PACKAGE_VERSION, node: process.versions.node, openssl: process.versions.openssl },
    target: args.target,
    profile: args.profile,
    startedAt: args.startedAt.toISOString(),
    durationMs: args.durationMs,
    summary: summarize(args.results),
    ...(args.cause ? { cause: args.cause } : {}),
    results: args.results.map(toReportResult),
  };
}

/** One case's entry of report.json (also the `case` event of --ndjson). */
export function toReportResult(r: CaseResult): ReportResult {
  const observed = { ...(r.observation ?? ({} as Observation)) };
  // A client's output is evidence for a failed case; for a passing one it is noise.
  if (observed.client && r.verdict.verdict === 'pass') observed.client = { ...observed.client, stdoutTail: '', stderrTail: '' };
  // The corpus may name a case's family (issue 16); the core cases take it from their id.
  const family = (r.case as { family?: unknown }).family;
  return {
    id: r.case.id,
    title: r.case.title,
    severity: r.case.severity,
    expect: r.case.expect,
    observed: r.observation ? observed : null,
    verdict: r.verdict.verdict,
    reason: r.verdict.reason,
    rationale: r.case.rationale,
    refs: r.case.refs,
    ...(r.case.waived ? { waived: r.case.waived, waiverUnneeded: r.verdict.verdict === 'pass' } : {}),
    ...(typeof family === 'string' && family !== '' ? { family } : {}),
  };
}

export async function writeReportJson(dir: string, report: Report): Promise<string> {
  await makeDirs(dir);
  const path = join(dir, 'report.json');
  const text = JSON.stringify(report, null, 2) + '\n';
  // Belt and braces: a report is shared with partners; a key in it would be a leak.
  if (/PRIVATE KEY/.test(text)) throw new Error('refusing to write a report that contains a private key');
  // Replaces a symbolic link named report.json instead of writing through it (write-file-replacing.ts).
  await writeFileReplacing(path, text);
  return path;
}

export function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}
