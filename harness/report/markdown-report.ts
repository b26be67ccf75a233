import { describeObservation } from '../judge.js';
import type { Report, ReportResult, ReportTarget } from './report.js';

/**
 * report.md: the summary a person reads in a pull request or a CI step summary. Short on
 * purpose: the verdict, the counts, and only the cases that need a look (failing, inconclusive,
 * waived); every case is in report.html and report.json.
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

export function renderMarkdownReport(report: Report): string {
  const s = report.summary;
  const results = report.results;
  const deciding = (r: ReportResult) => r.severity === 'required' && !r.waived;
  const requiredFails = results.filter((r) => r.verdict === 'fail' && deciding(r)).length;
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
  out.push('| Cases | Pass | Fail | Inconclusive | Skip |', '|---:|---:|---:|---:|---:|');
  const failCell = s.fail > requiredFails ? `${s.fail} (${requiredFails} required)` : String(s.fail);
  out.push(`| ${results.length} | ${s.pass} | ${failCell} | ${s.inconclusive} | ${s.skip} |`, '');
  out.push('The verdict is decided by the required cases that are not waived: any fail makes the target non-conformant, any inconclusive makes the run inconclusive.', '');

  const failing = results.filter((r) => r.verdict === 'fail');
  if (failing.length > 0) out.push(`### Failing cases (${failing.length})`, '', ...caseTable(failing), '');
  const inconclusive = results.filter((r) => r.verdict === 'inconclusive');
  if (inconclusive.length > 0) out.push(`### Inconclusive cases (${inconclusive.length})`, '', ...caseTable(inconclusive), '');

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

  const skipped = results.filter((r) => r.verdict === 'skip');
  if (skipped.length > 0) {
    out.push(`<details><summary>Skipped cases (${skipped.length})</summary>`, '');
    for (const r of skipped) out.push(`- ${mdText(r.id)}: ${mdText(r.reason)}`);
    out.push('', '</details>', '');
  }
  if (failing.length === 0 && inconclusive.length === 0) out.push(`Every case that ran passed.`, '');
  out.push('Every case with its observation is in report.html and report.json; manifest.json records their SHA-256 (check with `conformance verify DIR`).', '');
  return out.join('\n');
}
