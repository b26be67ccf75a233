import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { READ_LIMITS, readBounded } from '../io/read-bounded.js';
import { ensureWritableDir } from '../io/writable-dir.js';
import { onShutdown } from '../process/lifetime.js';
import type { WrittenFlag } from '../cli/run-options.js';
import { childArgv } from './child-argv.js';
import { buildIndex, exitCodeOf, writeIndex, type IndexEntry, type TargetsIndex } from './index-report.js';
import type { TargetEntry } from './targets-file.js';

/**
 * Several targets in one invocation: each runs as its own child `conformance run` (a process per
 * target keeps every socket, port and vitest instance of one run away from the others, and the OS
 * releases them when it exits), with bounded parallelism, one report directory per target and an
 * index. Beyond one machine, CI matrices fan out with --shard and `report merge` joins the indexes.
 */

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
    const unregister = onShutdown(`conformance ${args.join(' ')}`, () => stop(1200));
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
  /** The profile a child runs under when its entry names none (the user's -p, or the default). */
  defaultProfile: string;
  /** The user's own `run` flags (userRunFlags), passed to every child (childArgv). */
  flags: readonly WrittenFlag[];
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
      const argv = childArgv(e, opts.flags, dir);
      // Bound per target: the cases and the positive control, each within --timeout, plus start-up.
      const child = await runChild(argv, opts.timeoutMs * 10 + 60_000);
      let summary = { verdict: 'could-not-run', pass: 0, fail: 0, inconclusive: 0, skip: 0 };
      try {
        const read = JSON.parse((await readBounded(join(dir, 'report.json'), { maxBytes: READ_LIMITS.report, label: 'report' })).toString('utf8')).summary;
        if (read && typeof read === 'object' && typeof read.verdict === 'string') summary = read;
      } catch {
        // No report: the run stopped before judging (exit 2 or 3); its stderr says why.
      }
      results[i] = {
        target: e.target,
        profile: e.profile ?? opts.defaultProfile,
        reportDir: dir,
        exitCode: child.code,
        ...summary,
        ...(child.code >= 2 ? { error: child.stderr.trim().split('\n').pop() ?? `exit ${child.code}` } : {}),
        argv,
      };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.parallel, opts.entries.length)) }, worker));
  const index = buildIndex(results);
  const indexPath = await writeIndex(root, index);
  return { index, exitCode: exitCodeOf(index.summary), indexPath };
}
