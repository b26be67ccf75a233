import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { UsageError, quote } from '../errors.js';

/**
 * Several targets in one invocation: each runs as its own child `conformance run` (a process per
 * target keeps every socket, port and vitest instance of one run away from the others, and the OS
 * releases them when it exits), with bounded parallelism, one report directory per target and an
 * index. Beyond one machine, CI matrices fan out with --shard and `report merge` joins the indexes.
 */

export interface TargetEntry {
  target: string;
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

export async function readTargetsFile(path: string): Promise<TargetEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError('targets-file-unreadable', `error: --targets-file ${quote(path)} cannot be read (${(err as NodeJS.ErrnoException).code}). Check the path.`);
  }
  const trimmed = text.trim();
  // A YAML list (`- target: ...` or `- https://...`), else one target per line; # starts a comment.
  if (/^-\s/m.test(trimmed)) {
    let data: unknown;
    try {
      data = parseYaml(text);
    } catch (err) {
      throw new UsageError('targets-file-invalid', `error: --targets-file ${quote(path)} is not a valid YAML list: ${(err as Error).message.split('\n')[0]}.`);
    }
    if (!Array.isArray(data)) throw new UsageError('targets-file-invalid', `error: --targets-file ${quote(path)} must be a YAML list of targets.`);
    return data.map((item, i) => {
      if (typeof item === 'string') return { target: item };
      if (item && typeof item === 'object' && typeof (item as TargetEntry).target === 'string') {
        const e = item as TargetEntry;
        if (e.args !== undefined && !(Array.isArray(e.args) && e.args.every((a) => typeof a === 'string'))) {
          throw new UsageError('targets-file-invalid', `error: --targets-file ${quote(path)} item ${i + 1}: "args" must be a list of strings.`);
        }
        return { target: e.target, profile: e.profile, args: e.args };
      }
      throw new UsageError('targets-file-invalid', `error: --targets-file ${quote(path)} item ${i + 1} has no "target": use "- target: https://host:port" (optionally with "profile:").`);
    });
  }
  const entries = text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean)
    .map((target) => ({ target }));
  if (entries.length === 0) throw new UsageError('targets-file-empty', `error: --targets-file ${quote(path)} lists no target. Put one target URL per line.`);
  return entries;
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
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolvePromise({ code: 3, stderr: err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? 3, stderr });
    });
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
  const root = resolve(opts.reportDir);
  await mkdir(root, { recursive: true });
  const results: IndexEntry[] = new Array(opts.entries.length);
  let next = 0;
  const worker = async () => {
    while (next < opts.entries.length) {
      const i = next++;
      const e = opts.entries[i]!;
      const dir = join(root, slug(e.target, i));
      const profile = e.profile ?? opts.defaultProfile;
      const flag = e.target.includes('://') || e.target.startsWith('builtin:') ? '--target' : '--target-client';
      // Bound per target: the cases and the positive control, each within --timeout, plus start-up.
      const child = await runChild(['run', flag, e.target, '--profile', profile, '--report-dir', dir, ...opts.commonArgs, ...(e.args ?? [])], opts.timeoutMs * 10 + 60_000);
      let summary = { verdict: 'could-not-run', pass: 0, fail: 0, inconclusive: 0, skip: 0 };
      try {
        summary = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')).summary;
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
  const exitCode = results.some((r) => r.exitCode >= 2) ? 3 : results.some((r) => r.exitCode === 1) ? 1 : 0;
  return { index, exitCode, indexPath };
}

export function buildIndex(targets: IndexEntry[]): TargetsIndex {
  return {
    schemaVersion: 1,
    generatedAt: new Date().toISOString(),
    targets,
    summary: {
      targets: targets.length,
      conformant: targets.filter((t) => t.exitCode === 0).length,
      nonConformant: targets.filter((t) => t.exitCode === 1).length,
      couldNotRun: targets.filter((t) => t.exitCode >= 2).length,
    },
  };
}

export async function writeIndex(dir: string, index: TargetsIndex): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'index.json');
  await writeFile(path, JSON.stringify(index, null, 2) + '\n');
  const rows = index.targets.map((t) => `| ${t.target} | ${t.profile} | ${t.verdict} | ${t.pass} | ${t.fail} | ${t.inconclusive} | ${t.error ?? ''} |`);
  await writeFile(
    join(dir, 'index.md'),
    [
      `# mTLS conformance: ${index.summary.targets} targets`,
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

/** `conformance report merge DIR...`: join per-job index.json files (or single-run report dirs). */
export async function mergeIndexes(dirs: string[], out: string): Promise<{ index: TargetsIndex; indexPath: string }> {
  const all: IndexEntry[] = [];
  for (const d of dirs) {
    const fromIndex = await readFile(join(d, 'index.json'), 'utf8').catch(() => null);
    if (fromIndex) {
      all.push(...(JSON.parse(fromIndex) as TargetsIndex).targets);
      continue;
    }
    const fromReport = await readFile(join(d, 'report.json'), 'utf8').catch(() => null);
    if (!fromReport) throw new UsageError('merge-nothing', `error: report merge: ${quote(d)} holds neither index.json nor report.json. Pass report directories written by "conformance run".`);
    const r = JSON.parse(fromReport);
    const s = r.summary;
    all.push({
      target: r.target.url ?? r.target.command ?? 'unknown',
      profile: r.profile.name,
      reportDir: resolve(d),
      exitCode: s.verdict === 'conformant' ? 0 : 1,
      verdict: s.verdict,
      pass: s.pass,
      fail: s.fail,
      inconclusive: s.inconclusive,
      skip: s.skip,
    });
  }
  const index = buildIndex(all);
  return { index, indexPath: await writeIndex(out, index) };
}
