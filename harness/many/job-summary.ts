import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { quote } from '../errors.js';
import { READ_LIMITS, readBounded } from '../io/read-bounded.js';
import { targetLabel, type Report } from '../report/report.js';
import { indexMarkdown, outcomeOf, type IndexEntry, type TargetOutcome, type TargetsIndex } from './index-report.js';

/**
 * What a multi-target run (or `report merge`) tells GitHub Actions: the job summary and the
 * annotations. The summary starts with the index table, then each target's report.md, failing
 * targets first, until a bound under GitHub's 1 MiB per step; a line says how many were left out.
 * Annotations: one `::error` per required case that did not pass, one `::warning` per recommended
 * finding, at most ANNOTATIONS_PER_TYPE of each (GitHub shows no more than 10 of each per step), and
 * one `::notice` saying how many more there are.
 */

/** GitHub refuses a step summary over 1 MiB; the margin leaves room for what other steps append. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024 - 64 * 1024;

/** GitHub shows at most 10 error and 10 warning annotations per step; more are dropped without a word. */
export const ANNOTATIONS_PER_TYPE = 10;

export interface SummaryDetail {
  target: string;
  markdown: string;
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** The summary text: the index (rows cut only if the table alone passes the bound), then the details that fit. */
export function jobSummary(index: TargetsIndex, details: readonly SummaryDetail[], limit = SUMMARY_LIMIT_BYTES): string {
  const lines = indexMarkdown(index).split('\n');
  let out = '';
  let shownRows = 0;
  const rows = index.targets.length;
  for (const line of lines) {
    const isRow = line.startsWith('| ') && !line.startsWith('| target |');
    // Keep 512 bytes for the line that says what was cut.
    if (isRow && bytes(out) + bytes(line) + 512 > limit) break;
    if (isRow) shownRows++;
    out += `${line}\n`;
  }
  if (shownRows < rows) {
    return `${out}\n_${rows - shownRows} of ${rows} index rows cut to keep this summary under GitHub's 1 MiB limit: the whole index is index.md in the report artifact._\n`;
  }
  let shown = 0;
  for (const d of details) {
    const part = `\n---\n\n${d.markdown.trimEnd()}\n`;
    if (bytes(out) + bytes(part) + 512 > limit) break;
    out += part;
    shown++;
  }
  if (shown < details.length) {
    out += `\n_${details.length - shown} of ${details.length} target reports cut to keep this summary under GitHub's 1 MiB limit (failing targets come first): each is report.md in its directory of the report artifact._\n`;
  }
  return out;
}

/** Workflow-command data: `%`, CR and LF escaped, as GitHub's toolkit does (@actions/core escapeData). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow-command property value: as data, and `:` and `,` too, which end a property (@actions/core escapeProperty). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(kind: 'error' | 'warning' | 'notice', title: string, message: string): string {
  return `::${kind} title=${escapeProperty(title)}::${escapeData(message)}`;
}

/** The annotation lines: deciding failures as errors (a target that could not run too), recommended findings as warnings, bounded. */
export function annotationLines(outcomes: readonly TargetOutcome[], perType = ANNOTATIONS_PER_TYPE): string[] {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const o of outcomes) {
    if (!o.report) {
      errors.push(command('error', `${o.entry.target}: could not run`, `${o.entry.target}: ${o.entry.error ?? `exit ${o.entry.exitCode}`}`));
      continue;
    }
    for (const r of o.report.results) {
      if (r.verdict === 'pass' || r.verdict === 'skip') continue;
      // Waived cases never fail the run (judge.ts counts()); info findings are for the report.
      if (r.severity === 'required' && !r.waived) errors.push(command('error', r.id, `${o.entry.target}: ${r.verdict}: ${r.reason}`));
      else if (r.severity === 'recommended' && !r.waived) warnings.push(command('warning', r.id, `${o.entry.target}: ${r.reason}`));
    }
  }
  const lines = [...errors.slice(0, perType), ...warnings.slice(0, perType)];
  const moreErrors = Math.max(0, errors.length - perType);
  const moreWarnings = Math.max(0, warnings.length - perType);
  if (moreErrors + moreWarnings > 0) {
    lines.push(
      command(
        'notice',
        'more findings',
        `${moreErrors} more error${moreErrors === 1 ? '' : 's'} and ${moreWarnings} more warning${moreWarnings === 1 ? '' : 's'} not annotated: GitHub shows at most ${perType} of each per step. Every case is in junit.xml and in each target's report.`,
      ),
    );
  }
  return lines;
}

/** Each target's report.md, failing targets first; a target without one (it could not run) is in the table only. */
async function details(outcomes: readonly TargetOutcome[]): Promise<SummaryDetail[]> {
  const rank = { 'could-not-run': 0, 'non-conformant': 0, conformant: 1 } as const;
  const ordered = [...outcomes].sort((a, b) => rank[outcomeOf(a.entry)] - rank[outcomeOf(b.entry)]);
  const out: SummaryDetail[] = [];
  for (const o of ordered) {
    if (!o.report) continue;
    try {
      const md = (await readBounded(join(o.dir, 'report.md'), { maxBytes: READ_LIMITS.report, label: 'job summary:' })).toString('utf8');
      out.push({ target: o.entry.target, markdown: md });
    } catch {
      // Not there (an older or hand-made directory): the table row still says everything that counts.
    }
  }
  return out;
}

/**
 * Under GitHub Actions: append the summary to $GITHUB_STEP_SUMMARY (when set) and, with
 * GITHUB_ACTIONS=true, write the annotations through `write` (stdout, or stderr when stdout carries JSON).
 */
export async function publishToCi(index: TargetsIndex, outcomes: readonly TargetOutcome[], opts: { env?: NodeJS.ProcessEnv; write: (line: string) => void }): Promise<void> {
  const env = opts.env ?? process.env;
  if (env.GITHUB_ACTIONS === 'true') for (const line of annotationLines(outcomes)) opts.write(`${line}\n`);
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  try {
    // Appended, never overwritten: other steps of the job write to the same summary.
    await appendFile(file, jobSummary(index, await details(outcomes)));
  } catch (err) {
    process.stderr.write(`warning: GITHUB_STEP_SUMMARY ${quote(file)} cannot be appended to (${(err as NodeJS.ErrnoException).code}); the summary is index.md next to index.json.\n`);
  }
}

/** The annotations of a single run (`conformance run --target ...`): the same rules, one target. */
export function reportAnnotations(report: Report): string[] {
  const s = report.summary;
  const entry: IndexEntry = { target: targetLabel(report.target), profile: report.profile.name, reportDir: '.', exitCode: 0, verdict: s.verdict, pass: s.pass, fail: s.fail, inconclusive: s.inconclusive, skip: s.skip };
  return annotationLines([{ entry, dir: '.', report }]);
}
