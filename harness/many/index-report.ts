import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { makeDirs } from '../io/make-dirs.js';
import { mdText } from '../report/markdown-report.js';

/**
 * The index of a multi-target run (index.json, index.md): one row per target, and a summary whose
 * counts decide the exit code. Written by `run --targets-file` and by `report merge`.
 */

const count = z.number().int().nonnegative();

export const indexEntrySchema = z.object({
  target: z.string(),
  profile: z.string(),
  reportDir: z.string(),
  exitCode: z.number().int(),
  verdict: z.string(),
  pass: count,
  fail: count,
  inconclusive: count,
  skip: count,
  error: z.string().optional(),
  /** The child's arguments after `conformance` (flags and paths, never the environment or key contents): what ran, exactly. */
  argv: z.array(z.string()).optional(),
});

export const targetsIndexSchema = z.object({
  schemaVersion: z.literal(1),
  generatedAt: z.string(),
  targets: z.array(indexEntrySchema),
  summary: z.object({ targets: count, conformant: count, nonConformant: count, couldNotRun: count }),
});

export type IndexEntry = z.infer<typeof indexEntrySchema>;
export type TargetsIndex = z.infer<typeof targetsIndexSchema>;

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

/** index.md: the summary line and one table row per target. */
export function indexMarkdown(index: TargetsIndex): string {
  // Targets, profiles and error lines are the user's or a target's text (and, merged, whatever an
  // artifact held): made literal for Markdown and HTML, one line per row, so none forges a row or markup.
  const rows = index.targets.map((t) => `| ${mdText(t.target)} | ${mdText(t.profile)} | ${mdText(t.verdict)} | ${t.pass} | ${t.fail} | ${t.inconclusive} | ${mdText(t.error ?? '')} |`);
  return [
    `# mTLS conformance: ${index.summary.targets} target${index.summary.targets === 1 ? '' : 's'}`,
    '',
    `${index.summary.conformant} conformant, ${index.summary.nonConformant} non-conformant, ${index.summary.couldNotRun} could not run.`,
    '',
    '| target | profile | verdict | pass | fail | inconclusive | error |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/** Write index.json and index.md into dir; returns the path of index.json. */
export async function writeIndex(dir: string, index: TargetsIndex): Promise<string> {
  await makeDirs(dir);
  const path = join(dir, 'index.json');
  await writeFile(path, JSON.stringify(index, null, 2) + '\n');
  await writeFile(join(dir, 'index.md'), indexMarkdown(index));
  return path;
}
