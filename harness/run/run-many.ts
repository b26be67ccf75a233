import { makeDirs } from '../io/make-dirs.js';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { LineCounter, isSeq, parseDocument } from 'yaml';
import { showValue } from '../cli/validate-flags.js';
import { looksLikePath } from '../profile/load.js';
import { dirWriteError, ensureWritableDir } from '../io/writable-dir.js';
import { READ_LIMITS, UnreadableFileError, decodeText, readBounded, readBoundedText } from '../io/read-bounded.js';
import { onShutdown } from '../process/lifetime.js';
import { UsageError, quote } from '../errors.js';

/**
 * Several targets in one invocation: each runs as its own child `conformance run` (a process per
 * target keeps every socket, port and vitest instance of one run away from the others, and the OS
 * releases them when it exits), with bounded parallelism, one report directory per target and an
 * index. Beyond one machine, CI matrices fan out with --shard and `report merge` joins the indexes.
 */

export interface TargetEntry {
  /** The URL, or for a client entry the command line. */
  target: string;
  /** url: tested as --target; client: a client program the file declared with "client:", tested as --target-client. */
  kind: 'url' | 'client';
  profile?: string;
  /** Extra `run` arguments for this target. */
  args?: string[];
}

export interface IndexEntry {
  target: string;
  profile: string;
  reportDir: string;
  exitCode: number;
  verdict: string;
  pass: number;
  fail: number;
  inconclusive: number;
  skip: number;
  error?: string;
}

export interface TargetsIndex {
  schemaVersion: 1;
  generatedAt: string;
  targets: IndexEntry[];
  summary: { targets: number; conformant: number; nonConformant: number; couldNotRun: number };
}

/** Targets in one file: far more than any CI matrix runs, far less than a memory problem. */
const MAX_TARGETS = 1000;
/** `run` flags an entry's `args:` may not carry: they choose what runs and where (and could recurse). */
const RESERVED_ARGS = ['--target', '--targets-file', '--target-client', '--target-image', '--target-client-image', '--report-dir', '--shard', '--parallel', '--json'];

function targetsError(path: string, where: string, message: string): UsageError {
  return new UsageError('targets-file-invalid', `error: --targets-file ${quote(path)} ${where}: ${message}`);
}

/** A target written as text must be a URL (or builtin:NAME); anything else is never run as a command. */
function isTargetUrl(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(value) || /^builtin:[a-z]+$/.test(value);
}

function notAUrl(path: string, where: string, value: string): UsageError {
  return targetsError(
    path,
    where,
    `${showValue(value)} is not a target URL. A line holds https://host:port, tls://host:port or builtin:NAME; a client program to test is written as a YAML entry "- client: 'node my-client.js {url}'"; nothing else is run.`,
  );
}

/**
 * A targets file holds targets, never scripts: one URL per line (# comments), or a YAML list
 * whose entries say what they are: `- target: URL` or `- client: COMMAND` (a client program to
 * test, run as --target-client), each with optional `profile:` and `args:`. Anything else is a
 * usage error naming its line; bytes that are not text are refused before parsing.
 */
export async function readTargetsFile(path: string): Promise<TargetEntry[]> {
  const opts = { maxBytes: READ_LIMITS.targetsFile, label: '--targets-file', code: 'targets-file' };
  const text = await readBoundedText(path, opts);
  // A YAML list (`- target: ...`, `- client: ...` or `- https://...`), else one target per line.
  const entries = /^-(\s|$)/m.test(text.trim()) ? yamlEntries(path, text, await runCommandForArgs()) : lineEntries(path, text);
  if (entries.length === 0) throw new UsageError('targets-file-empty', `error: --targets-file ${quote(path)} lists no target. Put one target URL per line.`);
  if (entries.length > MAX_TARGETS) throw new UsageError('targets-file-invalid', `error: --targets-file ${quote(path)} lists ${entries.length} targets; at most ${MAX_TARGETS} run from one file. Split it and use --shard or several jobs.`);
  return entries;
}

function lineEntries(path: string, text: string): TargetEntry[] {
  const entries: TargetEntry[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    if (!isTargetUrl(line)) throw notAUrl(path, `line ${i + 1}`, line);
    entries.push({ target: line, kind: 'url' });
  }
  return entries;
}

/**
 * The `run` command of the CLI itself, to check an entry's `args:` before any target runs: a typo
 * (`--onyl`) or a bad value is a usage error naming its line, not a could-not-run halfway through.
 */
async function runCommandForArgs(): Promise<Command> {
  const { buildProgram } = await import('../cli/cli.js');
  const run = buildProgram().commands.find((c) => c.name() === 'run');
  if (!run) throw new Error('the CLI has no "run" command');
  return run;
}

function checkArgs(path: string, where: string, args: string[], run: Command): void {
  let parsed: { operands: string[]; unknown: string[] };
  try {
    parsed = run.parseOptions(args);
  } catch (err) {
    // commander's own message for a missing or invalid option value (exitOverride makes it throw).
    const msg = String((err as Error).message).replace(/^error: /, '').split('\n')[0]!.replace(/\.$/, '');
    throw targetsError(path, where, `"args": ${msg}. Fix the entry's "args:"; "conformance run --help" lists the flags.`);
  }
  const bad = parsed.unknown[0] ?? parsed.operands[0];
  if (bad !== undefined) {
    const what = bad.startsWith('-') ? `${quote(bad)} is not a flag of "conformance run"` : `${quote(bad)} is not a flag or the value of one`;
    throw targetsError(path, where, `"args": ${what}. Fix the entry's "args:"; "conformance run --help" lists the flags.`);
  }
}

function yamlEntries(path: string, text: string, run: Command): TargetEntry[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw targetsError(path, `line ${lines.linePos(e.pos[0]).line}`, `not valid YAML: ${e.message.split('\n')[0]}. Fix the syntax.`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    throw targetsError(path, 'line 1', `refused: ${String((err as Error).message).split('\n')[0]}. Write the entries out without YAML aliases.`);
  }
  if (!Array.isArray(data) || !isSeq(doc.contents)) throw targetsError(path, 'line 1', 'must be a YAML list of targets ("- target: https://host:port" or "- client: COMMAND").');
  const seq = doc.contents;
  return data.map((item: unknown, i) => {
    const range = (seq.items[i] as { range?: [number, number, number] } | undefined)?.range;
    const where = `line ${range ? lines.linePos(range[0]).line : 1} (entry ${i + 1})`;
    if (typeof item === 'string') {
      if (!isTargetUrl(item)) throw notAUrl(path, where, item);
      return { target: item, kind: 'url' as const };
    }
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw targetsError(path, where, 'an entry is "target: URL" or "client: COMMAND", with optional "profile:" and "args:".');
    const e = item as Record<string, unknown>;
    const unknownKeys = Object.keys(e).filter((k) => !['target', 'client', 'profile', 'args'].includes(k));
    if (unknownKeys.length > 0) throw targetsError(path, where, `unknown field ${quote(unknownKeys[0])}; an entry has "target:" or "client:", and optionally "profile:" and "args:".`);
    if (e.target !== undefined && e.client !== undefined) throw targetsError(path, where, 'has both "target:" and "client:"; an entry tests one target.');
    if (e.profile !== undefined && typeof e.profile !== 'string') throw targetsError(path, where, '"profile" must be a profile name or file path.');
    if (e.args !== undefined && !(Array.isArray(e.args) && e.args.every((a) => typeof a === 'string'))) throw targetsError(path, where, '"args" must be a list of strings.');
    const args = e.args as string[] | undefined;
    const reserved = args?.find((a) => RESERVED_ARGS.includes(a.split('=')[0]!));
    if (reserved) throw targetsError(path, where, `"args" may not carry ${quote(reserved.split('=')[0])}: what runs and where its report goes is the entry's "target:"/"client:" and --report-dir.`);
    if (args) checkArgs(path, where, args, run);
    // A profile file is found next to the targets file (as "extends" is next to the profile), not in the current directory.
    const profile = typeof e.profile === 'string' && looksLikePath(e.profile) ? resolve(dirname(resolve(path)), e.profile) : (e.profile as string | undefined);
    const common = { ...(profile !== undefined ? { profile } : {}), ...(args ? { args } : {}) };
    if (typeof e.client === 'string' && e.client.trim()) return { target: e.client, kind: 'client' as const, ...common };
    if (e.client !== undefined) throw targetsError(path, where, '"client" must be the command line of the client program to test.');
    if (typeof e.target !== 'string') throw targetsError(path, where, 'has no "target:"; use "- target: https://host:port" or "- client: COMMAND" (optionally with "profile:").');
    if (!isTargetUrl(e.target)) throw notAUrl(path, where, e.target);
    return { target: e.target, kind: 'url' as const, ...common };
  });
}

/** `--shard i/n`: the i-th of n slices (1-based), by position in the file. */
export function parseShard(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError('shard-invalid', `error: --shard ${quote(value)} must be i/n with 1 ≤ i ≤ n, e.g. 2/4.`);
  return { index, count };
}

export function shardOf<T>(items: T[], shard?: { index: number; count: number }): T[] {
  return shard ? items.filter((_, i) => i % shard.count === shard.index - 1) : items;
}

function slug(target: string, i: number): string {
  return `${String(i + 1).padStart(3, '0')}-${target.replace(/^[a-z]+:\/\//, '').replace(/[^a-zA-Z0-9.-]+/g, '_').slice(0, 60)}`;
}

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

function runChild(args: string[], timeoutMs: number): Promise<{ code: number; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4096)));
    let exited = false;
    const exitedPromise = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));
    // SIGTERM first: the child run stops what it started (client process groups, containers) in ~1.5 s.
    const stop = async (graceMs: number) => {
      if (exited) return;
      child.kill('SIGTERM');
      const grace = new Promise<void>((r) => setTimeout(r, graceMs).unref());
      await Promise.race([exitedPromise, grace]);
      if (!exited) child.kill('SIGKILL');
    };
    const unregister = onShutdown(`conformance run ${args.join(' ')}`, () => stop(1200));
    const timer = setTimeout(() => void stop(2000), timeoutMs);
    const done = (result: { code: number; stderr: string }) => {
      clearTimeout(timer);
      unregister();
      resolvePromise(result);
    };
    child.on('error', (err) => done({ code: 3, stderr: err.message }));
    child.on('close', (code) => done({ code: code ?? 3, stderr }));
  });
}

export async function runMany(opts: {
  entries: TargetEntry[];
  reportDir: string;
  parallel: number;
  defaultProfile: string;
  /** `run` flags passed to every target (certs, timeout, ...). */
  commonArgs: string[];
  timeoutMs: number;
}): Promise<{ index: TargetsIndex; exitCode: 0 | 1 | 3; indexPath: string }> {
  const root = ensureWritableDir(opts.reportDir, '--report-dir');
  const results: IndexEntry[] = new Array(opts.entries.length);
  let next = 0;
  const worker = async () => {
    while (next < opts.entries.length) {
      const i = next++;
      const e = opts.entries[i]!;
      const dir = join(root, slug(e.target, i));
      const profile = e.profile ?? opts.defaultProfile;
      // Only an entry the file declared with "client:" runs as a command (readTargetsFile).
      const flag = e.kind === 'client' ? '--target-client' : '--target';
      // Bound per target: the cases and the positive control, each within --timeout, plus start-up.
      const child = await runChild(['run', flag, e.target, '--profile', profile, '--report-dir', dir, ...opts.commonArgs, ...(e.args ?? [])], opts.timeoutMs * 10 + 60_000);
      let summary = { verdict: 'could-not-run', pass: 0, fail: 0, inconclusive: 0, skip: 0 };
      try {
        const read = JSON.parse((await readBounded(join(dir, 'report.json'), { maxBytes: READ_LIMITS.report, label: 'report' })).toString('utf8')).summary;
        if (read && typeof read === 'object' && typeof read.verdict === 'string') summary = read;
      } catch {
        // No report: the run stopped before judging (exit 2 or 3); its stderr says why.
      }
      results[i] = {
        target: e.target,
        profile,
        reportDir: dir,
        exitCode: child.code,
        ...summary,
        ...(child.code >= 2 ? { error: child.stderr.trim().split('\n').pop() ?? `exit ${child.code}` } : {}),
      };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.parallel, opts.entries.length)) }, worker));
  const index = buildIndex(results);
  const indexPath = await writeIndex(root, index);
  return { index, exitCode: exitCodeOf(index.summary), indexPath };
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

export async function writeIndex(dir: string, index: TargetsIndex): Promise<string> {
  await makeDirs(dir);
  const path = join(dir, 'index.json');
  await writeFile(path, JSON.stringify(index, null, 2) + '\n');
  const rows = index.targets.map((t) => `| ${t.target} | ${t.profile} | ${t.verdict} | ${t.pass} | ${t.fail} | ${t.inconclusive} | ${t.error ?? ''} |`);
  await writeFile(
    join(dir, 'index.md'),
    [
      `# mTLS conformance: ${index.summary.targets} target${index.summary.targets === 1 ? '' : 's'}`,
      '',
      `${index.summary.conformant} conformant, ${index.summary.nonConformant} non-conformant, ${index.summary.couldNotRun} could not run.`,
      '',
      '| target | profile | verdict | pass | fail | inconclusive | error |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
  return path;
}

function mergeError(file: string, why: string): UsageError {
  return new UsageError('merge-input-invalid', `error: report merge: ${quote(file)} ${why}. Pass report directories written by "conformance run" (index.json or report.json).`);
}

async function readJson(file: string): Promise<unknown | null> {
  let bytes: Buffer;
  try {
    bytes = await readBounded(file, { maxBytes: READ_LIMITS.report, label: 'report merge:', code: 'merge' });
  } catch (err) {
    if (err instanceof UnreadableFileError && err.errno === 'ENOENT') return null;
    throw err;
  }
  try {
    return JSON.parse(decodeText(bytes, file, { maxBytes: READ_LIMITS.report, label: 'report merge:', code: 'merge' }));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw mergeError(file, `is not JSON (${(err as Error).message.split('\n')[0]})`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

function indexEntryProblem(t: unknown): string | null {
  if (!isObject(t)) return 'is not an object';
  if (typeof t.target !== 'string') return 'has no "target" string';
  if (!Number.isInteger(t.exitCode)) return 'has no integer "exitCode"';
  if (typeof t.verdict !== 'string') return 'has no "verdict" string';
  for (const k of ['pass', 'fail', 'inconclusive', 'skip']) if (!isCount(t[k])) return `has no count ${quote(k)}`;
  return null;
}

/** `conformance report merge DIR...`: join per-job index.json files (or single-run report dirs). */
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
      if (!isObject(fromIndex) || fromIndex.schemaVersion !== 1 || !Array.isArray(fromIndex.targets)) throw mergeError(indexFile, 'is not an index (schemaVersion 1 with a "targets" list)');
      for (const [i, t] of fromIndex.targets.entries()) {
        const problem = indexEntryProblem(t);
        if (problem) throw mergeError(indexFile, `target ${i + 1} ${problem}`);
        const e = t as unknown as IndexEntry;
        all.push({ target: e.target, profile: String(e.profile ?? ''), reportDir: String(e.reportDir ?? ''), exitCode: e.exitCode, verdict: e.verdict, pass: e.pass, fail: e.fail, inconclusive: e.inconclusive, skip: e.skip, ...(typeof e.error === 'string' ? { error: e.error.slice(0, 500) } : {}) });
      }
      continue;
    }
    const reportFile = join(d, 'report.json');
    const r = await readJson(reportFile);
    if (r === null) throw new UsageError('merge-nothing', `error: report merge: ${quote(d)} holds neither index.json nor report.json. Pass report directories written by "conformance run".`);
    if (!isObject(r) || r.schemaVersion !== 1 || !isObject(r.summary) || !isObject(r.target) || !isObject(r.profile)) throw mergeError(reportFile, 'is not a report (schemaVersion 1 with "summary", "target" and "profile")');
    const s = r.summary;
    if (typeof s.verdict !== 'string' || !['pass', 'fail', 'inconclusive', 'skip'].every((k) => isCount(s[k]))) throw mergeError(reportFile, 'has a "summary" without a verdict and the four counts');
    // A builtin target is named as the user named it, not by the temporary URL its run listened on.
    const target = typeof r.target.builtin === 'string' ? `builtin:${r.target.builtin}` : (r.target.url ?? r.target.command ?? r.target.image);
    all.push({
      target: typeof target === 'string' ? target : 'unknown',
      profile: String(r.profile.name ?? ''),
      reportDir: resolve(d),
      // report.json holds the verdict, not the exit code: INCONCLUSIVE is a run that could not judge (exit 3).
      exitCode: s.verdict === 'conformant' ? 0 : s.verdict === 'inconclusive' ? 3 : 1,
      verdict: s.verdict,
      pass: s.pass as number,
      fail: s.fail as number,
      inconclusive: s.inconclusive as number,
      skip: s.skip as number,
    });
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
