import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { READ_LIMITS, UnreadableFileError, decodeText, readBounded } from '../io/read-bounded.js';
import { dirWriteError, ensureWritableDir } from '../io/writable-dir.js';
import { reportSchema } from '../report/report-schema.js';
import { UsageError, quote } from '../errors.js';
import { buildIndex, targetsIndexSchema, writeIndex, type IndexEntry, type TargetsIndex } from './index-report.js';

/**
 * `conformance report merge DIR...`: join per-job index.json files (or single-run report
 * directories) into one index. Every input is checked against its schema (index.json against the
 * index schema, report.json against the report schema) before anything is written.
 */

function mergeError(file: string, why: string): UsageError {
  return new UsageError('merge-input-invalid', `error: report merge: ${quote(file)} ${why}. Pass report directories written by "conformance run" (index.json or report.json).`);
}

async function readJson(file: string): Promise<unknown | null> {
  const opts = { maxBytes: READ_LIMITS.report, label: 'report merge:', code: 'merge' };
  let bytes: Buffer;
  try {
    bytes = await readBounded(file, opts);
  } catch (err) {
    if (err instanceof UnreadableFileError && err.errno === 'ENOENT') return null;
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

/** A report.json's row in the index. */
function entryOfReport(dir: string, r: z.infer<typeof reportSchema>): IndexEntry {
  const s = r.summary;
  const t = r.target as Record<string, unknown>;
  // A builtin target is named as the user named it, not by the temporary URL its run listened on.
  const target = typeof t.builtin === 'string' ? `builtin:${t.builtin}` : (t.url ?? t.command ?? t.image);
  return {
    target: typeof target === 'string' ? target : 'unknown',
    profile: r.profile.name,
    reportDir: resolve(dir),
    // report.json holds the verdict, not the exit code: INCONCLUSIVE is a run that could not judge (exit 3).
    exitCode: s.verdict === 'conformant' ? 0 : s.verdict === 'inconclusive' ? 3 : 1,
    verdict: s.verdict,
    pass: s.pass,
    fail: s.fail,
    inconclusive: s.inconclusive,
    skip: s.skip,
  };
}

export async function mergeIndexes(dirs: string[], out: string): Promise<{ index: TargetsIndex; indexPath: string }> {
  const all: IndexEntry[] = [];
  // A directory named twice (or through another path to it) counts once.
  const seen = new Set<string>();
  const unique = dirs.filter((d) => {
    let key = resolve(d);
    try {
      key = realpathSync(key);
    } catch {
      // Missing: reported below with the name the user gave.
    }
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  for (const d of unique) {
    const indexFile = join(d, 'index.json');
    const fromIndex = await readJson(indexFile);
    if (fromIndex !== null) {
      const parsed = targetsIndexSchema.safeParse(fromIndex);
      if (!parsed.success) throw mergeError(indexFile, `is not an index: it ${firstIssue(parsed.error)}`);
      // An error line from another job is kept short: it lands in a table cell.
      all.push(...parsed.data.targets.map((t) => ({ ...t, ...(t.error !== undefined ? { error: t.error.slice(0, 500) } : {}) })));
      continue;
    }
    const reportFile = join(d, 'report.json');
    const report = await readJson(reportFile);
    if (report === null) throw new UsageError('merge-nothing', `error: report merge: ${quote(d)} holds neither index.json nor report.json. Pass report directories written by "conformance run".`);
    const parsed = reportSchema.safeParse(report);
    if (!parsed.success) throw mergeError(reportFile, `is not a report: it ${firstIssue(parsed.error)}`);
    all.push(entryOfReport(d, parsed.data));
  }
  const outDir = ensureWritableDir(out, '--out');
  for (const d of dirs) {
    if (resolve(d) === outDir) throw new UsageError('merge-out-collision', `error: report merge: --out ${quote(out)} is also an input directory; its index.json would be overwritten. Pass another --out.`);
  }
  const index = buildIndex(all);
  try {
    return { index, indexPath: await writeIndex(outDir, index) };
  } catch (err) {
    throw dirWriteError(err, out, '--out') ?? err;
  }
}
