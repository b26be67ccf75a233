import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { z } from 'zod';
import { READ_LIMITS, UnreadableFileError, decodeText, readBounded } from '../io/read-bounded.js';
import { dirWriteError, ensureWritableDir } from '../io/writable-dir.js';
import { reportSchema } from '../report/report-schema.js';
import type { Report } from '../report/report.js';
import { UsageError, quote } from '../errors.js';
import { buildIndex, targetsIndexSchema, writeIndex, type IndexEntry, type TargetOutcome, type TargetsIndex } from './index-report.js';

/**
 * `conformance report merge DIR...`: join per-job index.json files (or single-run report
 * directories) into one index, as CI downloads them: every path is resolved from the index.json
 * that names it, never from where the job ran. Every input is checked against its schema, and every
 * target's report.json must be there and be a report, before anything is written. The merged
 * directory gets the same files a targets-file run writes (index-report.ts), its paths relative
 * to itself.
 */

function mergeError(file: string, why: string): UsageError {
  return new UsageError('merge-input-invalid', `report merge: ${quote(file)} ${why}. Pass report directories written by "conformance run" (index.json or report.json).`);
}

async function readJson(file: string): Promise<unknown | null> {
  const opts = { maxBytes: READ_LIMITS.report, label: 'report merge:', code: 'merge' };
  let bytes: Buffer;
  try {
    bytes = await readBounded(file, opts);
  } catch (err) {
    if (err instanceof UnreadableFileError && (err.errno === 'ENOENT' || err.errno === 'ENOTDIR')) return null;
    throw err;
  }
  try {
    return JSON.parse(decodeText(bytes, file, opts));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw mergeError(file, `is not JSON (${(err as Error).message.split('\n')[0]})`);
  }
}

/** The first problem zod found, as `at targets.0.pass: expected number` for one line of a message. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const at = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return `does not match its schema${at}: ${issue.message}`;
}

/** report.json of a directory, checked against the report schema; null when the directory has none. */
export async function readReport(dir: string): Promise<Report | null> {
  const file = join(dir, 'report.json');
  const data = await readJson(file);
  if (data === null) return null;
  const parsed = reportSchema.safeParse(data);
  if (!parsed.success) throw mergeError(file, `is not a report: it ${firstIssue(parsed.error)}`);
  return parsed.data as Report;
}

/** A report's name for its target: a builtin as the user named it, not by the temporary URL its run listened on. */
function reportTargetName(r: Report): string {
  const t = r.target;
  const target = typeof t.builtin === 'string' ? `builtin:${t.builtin}` : (t.url ?? t.command ?? t.image);
  return typeof target === 'string' ? target : 'unknown';
}

/** The index row of a report; `reportDir` is filled in by the caller, relative to where the index goes. */
export function entryOfReport(r: Report): IndexEntry {
  const s = r.summary;
  return {
    target: reportTargetName(r),
    profile: r.profile.name,
    reportDir: '',
    // report.json holds the verdict, not the exit code: INCONCLUSIVE is a run that could not judge (exit 3).
    exitCode: s.verdict === 'conformant' ? 0 : s.verdict === 'inconclusive' ? 3 : 1,
    verdict: s.verdict,
    pass: s.pass,
    fail: s.fail,
    inconclusive: s.inconclusive,
    skip: s.skip,
  };
}

/** A directory path as index.json records it: relative to the index's own directory, with "/" on every OS. */
export function relativeDir(from: string, to: string): string {
  return relative(from, to).split(sep).join('/') || '.';
}

function realKey(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * The targets an index names, each with its report read from the directory next to the index. A
 * target that ran (any verdict but could-not-run) must have its report.json: a report deleted or
 * left out of a download is exit 2 naming it, never a row counted from the index's word alone.
 * The counts come from the report, which `conformance verify` can check.
 */
export async function targetsOfIndex(indexFile: string, index: TargetsIndex): Promise<TargetOutcome[]> {
  const base = resolve(indexFile, '..');
  const out: TargetOutcome[] = [];
  for (const t of index.targets) {
    // Relative to the index (written since issue 18); an older index holds absolute paths.
    const dir = isAbsolute(t.reportDir) ? t.reportDir : resolve(base, t.reportDir);
    const entry = { ...t, ...(t.error !== undefined ? { error: t.error.slice(0, 500) } : {}) };
    if (t.verdict === 'could-not-run') {
      out.push({ entry, dir, report: null });
      continue;
    }
    const report = await readReport(dir);
    if (report === null) {
      throw new UsageError(
        'merge-report-missing',
        `report merge: ${quote(indexFile)} names target ${quote(t.target)} with its report in ${quote(t.reportDir)}, but ${quote(join(dir, 'report.json'))} is missing. Download every artifact of the run next to its index.json, or leave this index out.`,
      );
    }
    const { verdict, exitCode, pass, fail, inconclusive, skip } = entryOfReport(report);
    out.push({ entry: { ...entry, verdict, exitCode, pass, fail, inconclusive, skip }, dir, report });
  }
  return out;
}

export async function mergeIndexes(dirs: string[], out: string): Promise<{ index: TargetsIndex; indexPath: string; outcomes: TargetOutcome[] }> {
  const all: TargetOutcome[] = [];
  for (const d of dirs) {
    const indexFile = join(d, 'index.json');
    const fromIndex = await readJson(indexFile);
    if (fromIndex !== null) {
      const parsed = targetsIndexSchema.safeParse(fromIndex);
      if (!parsed.success) throw mergeError(indexFile, `is not an index: it ${firstIssue(parsed.error)}`);
      all.push(...(await targetsOfIndex(indexFile, parsed.data)));
      continue;
    }
    const report = await readReport(d);
    if (report === null) throw new UsageError('merge-nothing', `report merge: ${quote(d)} holds neither index.json nor report.json. Pass report directories written by "conformance run".`);
    all.push({ entry: entryOfReport(report), dir: resolve(d), report });
  }
  const outDir = ensureWritableDir(out, '--out');
  for (const d of dirs) {
    if (resolve(d) === outDir) throw new UsageError('merge-out-collision', `report merge: --out ${quote(out)} is also an input directory; its index.json would be overwritten. Pass another --out.`);
  }
  // A target directory reached twice (a directory named twice, another path to it, an index and its
  // own target directory) counts once.
  const seen = new Set<string>();
  const outcomes = all
    .filter((o) => {
      const key = realKey(o.dir);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((o) => ({ ...o, entry: { ...o.entry, reportDir: relativeDir(outDir, o.dir) } }));
  const index = buildIndex(outcomes.map((o) => o.entry));
  try {
    return { index, indexPath: await writeIndex(outDir, index, outcomes), outcomes };
  } catch (err) {
    throw dirWriteError(err, out, '--out') ?? err;
  }
}
