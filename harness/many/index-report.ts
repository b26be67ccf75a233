import { join } from 'node:path';
import { z } from 'zod';
import { makeDirs } from '../io/make-dirs.js';
import { writeFileReplacing } from '../io/write-file-replacing.js';
import { esc } from '../report/html-report.js';
import { junitSuite, renderJunitSuites, type JunitSuite } from '../report/junit-report.js';
import { mdText } from '../report/markdown-report.js';
import type { Report } from '../report/report.js';

/**
 * The index of a multi-target run: one row per target, and a summary whose counts decide the exit
 * code. Written by `run --targets-file` and by `report merge`, always as the same four files:
 * index.json, index.md, index.html and junit.xml (a testsuite per target). Paths in index.json are
 * relative to the directory that holds it, so a CI artifact still reads right wherever it is
 * downloaded.
 */

const count = z.number().int().nonnegative();

export const indexEntrySchema = z.object({
  target: z.string(),
  /** As the user named it: a built-in name, or a file path as the targets file (relative to it) or --profile writes it. */
  profile: z.string().describe('the profile as the user named it: a built-in name, or a file path as the targets file (relative to that file) or --profile writes it'),
  /** The target's report directory, relative to the directory holding this index.json (older indexes: absolute). */
  reportDir: z.string().describe('the target report directory, relative to the directory holding this index.json (older indexes may hold absolute paths)'),
  exitCode: z.number().int(),
  verdict: z.string(),
  pass: count,
  fail: count,
  inconclusive: count,
  skip: count,
  error: z.string().optional(),
  /** The child's arguments after `conformance` (flags and paths, never the environment or key contents): what ran, exactly; its --report-dir is the reportDir above, its --profile the profile above. */
  argv: z.array(z.string()).describe("the target run's arguments after `conformance`; its --report-dir is relative to the index that ran it, an entry's --profile path as the targets file writes it").optional(),
});

export const targetsIndexSchema = z.object({
  schemaVersion: z.literal(1),
  generatedAt: z.string(),
  targets: z.array(indexEntrySchema),
  summary: z.object({ targets: count, conformant: count, nonConformant: count, couldNotRun: count }),
});

export type IndexEntry = z.infer<typeof indexEntrySchema>;
export type TargetsIndex = z.infer<typeof targetsIndexSchema>;

/** A row of the index with what its directory holds: the report, or null when the run stopped before judging. */
export interface TargetOutcome {
  entry: IndexEntry;
  /** The report directory, absolute, as found on this machine. */
  dir: string;
  report: Report | null;
}

/**
 * What a target's outcome counts as: an INCONCLUSIVE verdict (the positive control was not accepted,
 * or a required case could not be judged) proves nothing about conformance, so it counts with the
 * runs that could not run, in `run --targets-file` and `report merge` alike.
 */
export function outcomeOf(t: Pick<IndexEntry, 'exitCode' | 'verdict'>): 'conformant' | 'non-conformant' | 'could-not-run' {
  if (t.exitCode >= 2 || t.verdict === 'inconclusive' || t.verdict === 'could-not-run') return 'could-not-run';
  return t.exitCode === 1 ? 'non-conformant' : 'conformant';
}

/** The exit code for a set of targets: 3 if any could not run, else 1 if any is non-conformant, else 0. */
export function exitCodeOf(summary: TargetsIndex['summary']): 0 | 1 | 3 {
  return summary.couldNotRun > 0 ? 3 : summary.nonConformant > 0 ? 1 : 0;
}

export function buildIndex(targets: IndexEntry[]): TargetsIndex {
  return {
    schemaVersion: 1,
    generatedAt: new Date().toISOString(),
    targets,
    summary: {
      targets: targets.length,
      conformant: targets.filter((t) => outcomeOf(t) === 'conformant').length,
      nonConformant: targets.filter((t) => outcomeOf(t) === 'non-conformant').length,
      couldNotRun: targets.filter((t) => outcomeOf(t) === 'could-not-run').length,
    },
  };
}

function headline(index: TargetsIndex): { title: string; counts: string } {
  const s = index.summary;
  return {
    title: `mTLS conformance: ${s.targets} target${s.targets === 1 ? '' : 's'}`,
    counts: `${s.conformant} conformant, ${s.nonConformant} non-conformant, ${s.couldNotRun} could not run.`,
  };
}

/**
 * The index as a Markdown table (index.md, and the head of a CI job summary). Every cell goes
 * through mdText, the one escape of report.md: a target or an error line is text from a file or a
 * peer, and must not add a row, a link, HTML or a mention.
 */
export function indexTable(index: TargetsIndex): string[] {
  const rows = index.targets.map((t) => `| ${[t.target, t.profile, t.verdict, t.pass, t.fail, t.inconclusive, t.reportDir, t.error ?? ''].map((v) => mdText(v)).join(' | ')} |`);
  return ['| target | profile | verdict | pass | fail | inconclusive | report | error |', '|---|---|---|---|---|---|---|---|', ...rows];
}

/** index.md: the summary line and one table row per target. */
export function indexMarkdown(index: TargetsIndex): string {
  const { title, counts } = headline(index);
  return [`# ${title}`, '', counts, '', ...indexTable(index), ''].join('\n');
}

/** A relative report directory as a link that can only be a path: each segment URL-encoded, never read as a scheme. */
function reportHref(reportDir: string, file: string): string {
  const path = [...reportDir.split(/[\\/]+/).filter((s) => s !== '' && s !== '.'), file].map(encodeURIComponent).join('/');
  return path.startsWith('..') ? path : `./${path}`;
}

/** index.html: the same table, each target linked to its report.html. Every value through esc, the one escape of report.html. */
export function indexHtml(index: TargetsIndex): string {
  const { title, counts } = headline(index);
  const rows = index.targets.map((t) => {
    const link = t.verdict === 'could-not-run' ? esc(t.target) : `<a href="${esc(reportHref(t.reportDir, 'report.html'))}">${esc(t.target)}</a>`;
    const cells = [t.profile, t.verdict, t.pass, t.fail, t.inconclusive, t.error ?? ''].map((v) => `<td>${esc(v)}</td>`).join('');
    return `<tr class="${esc(outcomeOf(t))}"><td>${link}</td>${cells}</tr>`;
  });
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    // No script, no remote content: the page is evidence, opened from a downloaded artifact.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${esc(title)}</title>`,
    '<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}td{overflow-wrap:anywhere;max-width:40em}.non-conformant td:nth-child(3){color:#b00}.could-not-run td:nth-child(3){color:#a60}.conformant td:nth-child(3){color:#070}</style>',
    '</head><body>',
    `<h1>${esc(title)}</h1>`,
    `<p>${esc(counts)}</p>`,
    '<table><thead><tr><th>target</th><th>profile</th><th>verdict</th><th>pass</th><th>fail</th><th>inconclusive</th><th>error</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table>',
    '</body></html>',
    '',
  ].join('\n');
}

/** A target that could not run has no report: one testsuite with one error, so CI shows it next to the others. */
function couldNotRunSuite(entry: IndexEntry): JunitSuite {
  const message = entry.error ?? `exit ${entry.exitCode}`;
  return {
    tests: 1,
    failures: 0,
    errors: 1,
    skipped: 0,
    durationMs: 0,
    suite: {
      '@_name': `mtls-conformance ${entry.target}`,
      '@_tests': '1',
      '@_failures': '0',
      '@_errors': '1',
      '@_skipped': '0',
      '@_time': '0.000',
      properties: { property: [{ '@_name': 'target', '@_value': entry.target }, { '@_name': 'profile', '@_value': entry.profile }, { '@_name': 'verdict', '@_value': entry.verdict }] },
      testcase: { '@_classname': 'run', '@_name': 'run', '@_time': '0.000', error: { '@_message': message, '@_type': 'could-not-run', '#text': message } },
    },
  };
}

/** junit.xml of a multi-target run: a testsuite per target, built by the single run's own builder. */
export function indexJunit(outcomes: readonly TargetOutcome[]): string {
  return renderJunitSuites(outcomes.map((o) => (o.report ? junitSuite(o.report) : couldNotRunSuite(o.entry))));
}

/** Write index.json, index.md, index.html and junit.xml into dir; returns the path of index.json. */
export async function writeIndex(dir: string, index: TargetsIndex, outcomes: readonly TargetOutcome[]): Promise<string> {
  await makeDirs(dir);
  const path = join(dir, 'index.json');
  // Each file replaces what stands at its name: a symbolic link planted there is never written through.
  await writeFileReplacing(path, JSON.stringify(index, null, 2) + '\n');
  await writeFileReplacing(join(dir, 'index.md'), indexMarkdown(index));
  await writeFileReplacing(join(dir, 'index.html'), indexHtml(index));
  await writeFileReplacing(join(dir, 'junit.xml'), indexJunit(outcomes));
  return path;
}

/** index.json as a JSON Schema (draft 2020-12), generated at build (scripts/gen-schemas.mjs) and shipped under schemas/. */
export function indexJsonSchemas(): Record<string, unknown> {
  return {
    'index.schema.json': {
      $id: 'urn:mtls-conformance:schemas:index.schema.json',
      title: 'mtls-conformance index.json of a multi-target run or report merge (schemaVersion 1)',
      ...z.toJSONSchema(targetsIndexSchema, { target: 'draft-2020-12', io: 'output' }),
    },
  };
}
