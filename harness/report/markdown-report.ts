import { describeObservation } from '../judge.js';
import { groupByFamily } from './family.js';
import type { Report, ReportResult, ReportTarget } from './report.js';
import { countKinds, resultKind, type ResultKind } from './result-kind.js';

/**
 * report.md: the summary a person reads in a pull request or a CI step summary. Short on
 * purpose: the verdict, the cause when the run could not judge, the counts, then only the cases
 * that need a look, in the order that decides (required failures, inconclusive, then findings that
 * do not decide the verdict), each section grouped by family, and a count line per family; every
 * case is in report.html and report.json.
 *
 * Every string from the report is escaped: details and reasons quote target-controlled text
 * (HTTP bodies, a client's stderr), and a PR comment renders HTML, links and @mentions.
 */

/** Longest run of target-controlled text kept in one table cell; the rest is in report.html. */
const MAX_CELL = 400;

const VERDICT_HEAD: Record<Report['summary']['verdict'], string> = {
  conformant: '✅ CONFORMANT',
  'non-conformant': '❌ NON-CONFORMANT',
  inconclusive: '⚠️ INCONCLUSIVE',
};

/** One line for the target: its URL or command, whatever kind it is. */
export function describeTarget(t: ReportTarget): string {
  const main = t.url ?? (typeof t.command === 'string' ? t.command : undefined) ?? (typeof t.image === 'string' ? t.image : undefined) ?? t.kind;
  return t.builtin ? `${main} (builtin:${t.builtin})` : String(main);
}

/** Text for a table cell: one line, bounded, with Markdown, HTML, table and mention syntax made literal. */
export function mdText(value: unknown, max = MAX_CELL): string {
  let s = String(value ?? '')
    .replace(/[\r\n\t\f\v]+/g, ' ')
    // Other control characters have no business in a summary.
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
  if (s.length > max) s = `${s.slice(0, max)}…`;
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '&#64;')
    .replace(/[\\`*[\]|~]/g, (c) => `\\${c}`)
    // GFM does not emphasise inside a word: `certificate_required` stays readable in the raw file.
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_');
}

/** What the case saw, in a few words (`HTTP 200`, `handshake alert 48 unknown_ca`); property cases: the reason says. */
export function observedText(r: ReportResult): string {
  if (!r.observed) return 'not probed';
  // A check's finding is its reason: shown where the observation would be, not behind a click.
  if (r.expect === 'property') return r.reason;
  return describeObservation(r.observed);
}

function expectedText(r: ReportResult): string {
  return r.expect === 'property' ? 'property holds' : r.expect;
}

/** Severity, and whether the case decides the run (required and not waived). */
function severityText(r: ReportResult): string {
  if (r.waived) return `${r.severity}, **waived**: ${mdText(r.waived, 200)}`;
  return r.severity === 'required' ? 'required' : `${r.severity} (does not decide)`;
}

function caseTable(rows: ReportResult[]): string[] {
  const lines = ['| Case | Severity | Expected | Observed | Reason |', '|---|---|---|---|---|'];
  for (const r of rows) {
    // A check's finding is its reason: said once, in the reason column.
    lines.push(`| ${mdText(r.id)} | ${severityText(r)} | ${expectedText(r)} | ${r.expect === 'property' ? '—' : mdText(observedText(r))} | ${mdText(r.reason)} |`);
  }
  return lines;
}

/** Rows one section lists: a corpus run can fail hundreds of cases, and report.md goes into a CI step summary. */
const MAX_ROWS = 100;

/**
 * One section's cases, family by family: a table per family under its name, or one table when they
 * share a family; at most MAX_ROWS rows, then a line that says how many more report.html holds.
 */
function familyTables(rows: ReportResult[]): string[] {
  const shown = rows.slice(0, MAX_ROWS);
  const more = rows.length > MAX_ROWS ? [`… and ${rows.length - MAX_ROWS} more: every case is in report.html and report.json.`, ''] : [];
  const groups = groupByFamily(shown);
  if (groups.size === 1) return [...caseTable(shown), '', ...more];
  return [...[...groups].flatMap(([family, rs]) => [`**${mdText(family)}** (${rs.length})`, '', ...caseTable(rs), '']), ...more];
}

/** Results by family: one row per family with its counts, so a 700-case corpus reads at a glance. */
function familySection(results: ReportResult[]): string[] {
  const groups = groupByFamily(results);
  const lines = [`### Results by family (${groups.size})`, '', '| Family | Cases | Pass | Fail | Findings | Inconclusive | Skip |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const [family, rs] of groups) {
    const n = countKinds(rs);
    lines.push(`| ${mdText(family)} | ${rs.length} | ${n.pass} | ${n.fail} | ${n.finding} | ${n.inconclusive} | ${n.skip} |`);
  }
  return [...lines, ''];
}

export function renderMarkdownReport(report: Report): string {
  const s = report.summary;
  const results = report.results;
  const n = countKinds(results);
  const out: string[] = [];

  out.push(`## ${VERDICT_HEAD[s.verdict] ?? mdText(s.verdict)}: mTLS conformance`, '');
  out.push(
    [
      `**Target** ${mdText(describeTarget(report.target))}`,
      `**Profile** ${mdText(report.profile.name)} (sha256 ${mdText(report.profile.sha256.slice(0, 12))})`,
      `${mdText(report.tool.name)} ${mdText(report.tool.version)} on Node ${mdText(report.tool.node)}, OpenSSL ${mdText(report.tool.openssl)}`,
      `started ${mdText(report.startedAt)}, ${(report.durationMs / 1000).toFixed(2)} s`,
    ].join(' · '),
    '',
  );
  if (report.cause) {
    // Why nothing could be judged, and what to do: the line stderr showed, here for whoever reads the report.
    out.push(`> **Cause:** ${mdText(report.cause.text, 1000)}`);
    if (report.cause.clientStderr) out.push('>', `> client stderr: ${mdText(report.cause.clientStderr)}`);
    out.push('');
  }
  // Fail counts the failures that decide; recommended, info and waived failures are findings.
  out.push('| Cases | Pass | Fail | Findings | Inconclusive | Skip |', '|---:|---:|---:|---:|---:|---:|');
  out.push(`| ${results.length} | ${n.pass} | ${n.fail} | ${n.finding} | ${n.inconclusive} | ${n.skip} |`, '');
  out.push('The verdict is decided by the required cases that are not waived: any fail makes the target non-conformant, any inconclusive makes the run inconclusive. Findings (recommended, info or waived failures) are reported and do not decide it.', '');

  const of = (kind: ResultKind) => results.filter((r) => resultKind(r) === kind);
  const failing = of('fail');
  if (failing.length > 0) out.push(`### Required failures (${failing.length})`, '', ...familyTables(failing));
  const inconclusive = of('inconclusive');
  if (inconclusive.length > 0 && report.cause) {
    // The control not accepted makes every rejection inconclusive: the control's row, and one line for the rest (the cause is above).
    const control = inconclusive.filter((r) => r.id === report.cause!.case);
    const others = inconclusive.length - control.length;
    out.push(`### Inconclusive cases (${inconclusive.length})`, '', ...(control.length ? [...caseTable(control), ''] : []));
    if (others > 0) out.push(`${others} ${control.length ? 'more ' : ''}judged against the positive control ${mdText(report.cause.case)}, which was not accepted (the cause is above); each is in report.html and report.json.`, '');
  } else if (inconclusive.length > 0) out.push(`### Inconclusive cases (${inconclusive.length})`, '', ...familyTables(inconclusive));
  const findings = of('finding');
  if (findings.length > 0) out.push(`### Findings (${findings.length}): do not decide the verdict`, '', ...familyTables(findings));

  const waived = results.filter((r) => r.waived);
  if (waived.length > 0) {
    out.push(`### Waived cases (${waived.length})`, '');
    for (const r of waived) {
      // A waiver that is no longer needed is said out loud, so waivers do not rot (as in the terminal).
      const state = r.verdict === 'pass' ? 'now passes: remove the waiver' : `${r.verdict}, not counted`;
      out.push(`- ${mdText(r.id)}: ${state} (waived: ${mdText(r.waived, 200)})`);
    }
    out.push('');
  }

  out.push(...familySection(results));

  const skipped = of('skip');
  if (skipped.length > 0) {
    out.push(`<details><summary>Skipped cases (${skipped.length})</summary>`, '');
    for (const r of skipped) out.push(`- ${mdText(r.id)}: ${mdText(r.reason)}`);
    out.push('', '</details>', '');
  }
  if (failing.length === 0 && inconclusive.length === 0 && findings.length === 0) out.push(`Every case that ran passed.`, '');
  else if (failing.length === 0 && inconclusive.length === 0) out.push(`Every required case that ran passed; the findings above do not decide the verdict.`, '');
  out.push('Every case with its observation is in report.html and report.json; manifest.json records their SHA-256 (check with `conformance verify DIR`).', '');
  return out.join('\n');
}
