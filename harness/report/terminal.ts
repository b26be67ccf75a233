import { colorEnabled } from '../io/color.js';
import { describeObservation } from '../judge.js';
import type { CaseResult } from '../model.js';
import type { RunStart } from './events.js';
import type { Report, ReportResult } from './report.js';
import { countKinds, plural, resultKind, type ResultKind } from './result-kind.js';

/**
 * The terminal, TTY or not: the header as soon as the target is ready, one line per case as it is
 * judged (a CI log shows progress, not minutes of silence), then what decides the verdict first
 * (required failures, inconclusive cases, then findings that do not decide it), then one summary line.
 */

/** NO_COLOR, FORCE_COLOR and TERM=dumb as io/color.ts reads them (one rule for every coloured output). */
export function useColor(stream: { isTTY?: boolean } = process.stdout): boolean {
  return colorEnabled(stream);
}

/** A finding is not a failure: magenta, as report.html colours it, never the red of FAIL. */
const COLORS: Record<ResultKind, number> = { pass: 32, fail: 31, finding: 35, inconclusive: 33, skip: 90 };
const LABEL_WIDTH = 'INCONCLUSIVE'.length;

function paint(text: string, code: number): string {
  return useColor() ? `\x1b[${code}m${text}\x1b[0m` : text;
}

function label(kind: ResultKind): string {
  return paint(kind.toUpperCase().padEnd(LABEL_WIDTH), COLORS[kind]);
}

/** The first line of a run: the tool, the target, the profile and how many cases are coming. */
export function formatHeader(start: RunStart, targetLabel: string, version: string): string {
  return `mtls-conformance ${version} · target ${targetLabel} · profile ${start.profile.name} (sha256 ${start.profile.sha256.slice(0, 12)}) · ${plural(start.cases.length, 'case')}`;
}

/** Width of the case-id column for a run's cases. */
export function idWidthOf(ids: readonly string[]): number {
  return Math.max(0, ...ids.map((id) => id.length));
}

/** Severity and waiver notes; a waiver that is no longer needed is said out loud, so waivers do not rot. */
function notes(r: { severity: string; waived?: string }, verdict: string): string {
  const sev = r.severity === 'required' ? '' : ` (${r.severity})`;
  const waived = r.waived ? (verdict === 'pass' ? ` [waived: ${r.waived}; now passes: remove the waiver]` : ` [waived: ${r.waived}]`) : '';
  return `${sev}${waived}`;
}

/** One line for a case as it is judged: `  3/21 PASS  id  expect reject  observed ...`. The reasons come in the closing block. */
export function formatLiveLine(r: CaseResult, n: number, total: number, idWidth: number): string {
  const kind = resultKind({ verdict: r.verdict.verdict, severity: r.case.severity, waived: r.case.waived });
  const counter = `${String(n).padStart(String(total).length)}/${total}`;
  const expect = r.case.expect === 'property' ? 'check' : `expect ${r.case.expect}`;
  const observed = r.verdict.verdict === 'skip' ? 'skipped' : r.observation && r.case.expect !== 'property' ? `observed ${describeObservation(r.observation)}` : '';
  return `${counter} ${label(kind)} ${r.case.id.padEnd(idWidth)}  ${expect.padEnd(14)} ${observed}`.trimEnd() + notes(r.case, r.verdict.verdict);
}

/** How many cases of one kind the closing block lists before it points at report.md. */
const LISTED = 10;

/**
 * After the live lines: the cases that need a look, deciding ones first, each with its reason
 * (bounded per section; report.md and report.html list them all). Empty when every case passed.
 */
export function formatClosing(report: Report): string {
  const by = (kind: ResultKind) => report.results.filter((r) => resultKind(r) === kind);
  const sections: [ResultKind, string][] = [
    ['fail', 'Required failures ({n}): these decide the verdict'],
    ['inconclusive', 'Inconclusive ({n})'],
    ['finding', 'Findings ({n}): recommended, info or waived; they do not decide the verdict'],
  ];
  const out: string[] = [];
  for (const [kind, title] of sections) {
    const rs = by(kind);
    if (rs.length === 0) continue;
    out.push(title.replace('{n}', String(rs.length)));
    if (report.cause && kind === 'inconclusive') {
      // The control not accepted makes every rejection inconclusive: one line says so (stderr says what to do), not one entry per case.
      const control = rs.find((r) => r.id === report.cause!.case);
      if (control) out.push(closingEntry(control, kind));
      const others = rs.length - (control ? 1 : 0);
      if (others > 0) out.push(`  ${others} ${control ? 'more ' : ''}judged against the positive control ${report.cause.case}, which was not accepted: see the error below`);
      continue;
    }
    for (const r of rs.slice(0, LISTED)) out.push(closingEntry(r, kind));
    if (rs.length > LISTED) out.push(`  … and ${rs.length - LISTED} more: every one is in report.md and report.html`);
  }
  return out.join('\n');
}

function closingEntry(r: ReportResult, kind: ResultKind): string {
  return `  ${label(kind)} ${r.id}${notes(r, r.verdict)}\n  ${' '.repeat(LABEL_WIDTH)} ${r.reason}`;
}

export function formatSummaryLine(report: Report, reportPath?: string): string {
  const s = report.summary;
  const color = s.verdict === 'conformant' ? 32 : s.verdict === 'non-conformant' ? 31 : 33;
  const where = reportPath ? ` · report: ${reportPath}` : '';
  // Failures here are the ones that decide; recommended, info and waived failures are findings.
  const n = countKinds(report.results);
  const findings = n.finding > 0 ? `, ${plural(n.finding, 'finding')}` : '';
  return `${report.results.length} cases: ${n.pass} pass, ${n.fail} fail${findings}, ${n.inconclusive} inconclusive, ${n.skip} skip · ${paint(s.verdict.toUpperCase(), color)} · ${(report.durationMs / 1000).toFixed(2)} s${where}`;
}
