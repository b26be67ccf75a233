import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureWritableDir } from '../io/writable-dir.js';
import { onShutdown } from '../process/lifetime.js';
import { cliEntry } from '../package-root.js';
import type { WrittenFlag } from '../flags/run-options.js';
import { childArgv } from './child-argv.js';
import type { Report } from '../report/report.js';
import { buildIndex, exitCodeOf, writeIndex, type IndexEntry, type TargetOutcome, type TargetsIndex } from './index-report.js';
import { readReport } from './merge.js';
import type { TargetEntry } from './targets-file.js';

/**
 * Several targets in one invocation: each runs as its own child `conformance run` (a process per
 * target keeps every socket, port and vitest instance of one run away from the others, and the OS
 * releases them when it exits), with bounded parallelism, one report directory per target and an
 * index. Beyond one machine, CI matrices fan out with --shard and `report merge` joins the indexes.
 */


function runChild(args: string[], timeoutMs: number): Promise<{ code: number; stderr: string }> {
  return new Promise((resolvePromise) => {
    // The parent writes the job summary (the index first) and the annotations, once for all targets:
    // a child appending its own report.md would put ~2 KB per target before the index.
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.GITHUB_STEP_SUMMARY;
    delete env.GITHUB_ACTIONS;
    const child = spawn(process.execPath, [cliEntry(), ...args], { stdio: ['ignore', 'ignore', 'pipe'], env });
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

/** An entry of the targets file with its directory name (target-dir.ts), fixed over the whole file before sharding. */
export type NamedEntry = TargetEntry & { dir: string };

export async function runMany(opts: {
  entries: NamedEntry[];
  reportDir: string;
  parallel: number;
  /** The profile a child runs under when its entry names none (the user's -p, or the default). */
  defaultProfile: string;
  /** The user's own `run` flags (userRunFlags), passed to every child (childArgv). */
  flags: readonly WrittenFlag[];
  timeoutMs: number;
  /** Called as each target completes, in completion order. */
  onTarget?: (entry: IndexEntry) => void;
}): Promise<{ index: TargetsIndex; exitCode: 0 | 1 | 3; indexPath: string; outcomes: TargetOutcome[] }> {
  const root = ensureWritableDir(opts.reportDir, '--report-dir');
  const results: TargetOutcome[] = new Array(opts.entries.length);
  let next = 0;
  const worker = async () => {
    while (next < opts.entries.length) {
      const i = next++;
      const e = opts.entries[i]!;
      const dir = join(root, e.dir);
      // A report left from an earlier run into the same directory must never pass for this run's.
      await rm(join(dir, 'report.json'), { force: true });
      // Bound per target: the cases and the positive control, each within --timeout, plus start-up.
      const child = await runChild(childArgv(e, opts.flags, dir), opts.timeoutMs * 10 + 60_000);
      let report: Report | null = null;
      let unreadable: string | undefined;
      try {
        report = await readReport(dir);
      } catch (err) {
        // A report the child left damaged: the target could not be judged, and the line says why.
        unreadable = (err as Error).message.replace(/^error: (report merge: )?/, '');
      }
      const s = report?.summary ?? { verdict: 'could-not-run', pass: 0, fail: 0, inconclusive: 0, skip: 0 };
      // No report: the run stopped before judging (exit 2 or 3); its stderr says why.
      const error = unreadable ?? (child.code >= 2 || !report ? child.stderr.trim().split('\n').pop() || `exit ${child.code}` : undefined);
      // The index names the profile as the user wrote it (a path relative to the targets file), not as resolved on this machine.
      const written = { ...e, profile: e.profileWritten ?? e.profile };
      const entry: IndexEntry = {
        target: e.target,
        profile: written.profile ?? opts.defaultProfile,
        // Relative to index.json, in the index and in the recorded argv alike: the artifact can move.
        reportDir: e.dir,
        exitCode: report ? child.code : Math.max(child.code, 3),
        verdict: s.verdict,
        pass: s.pass,
        fail: s.fail,
        inconclusive: s.inconclusive,
        skip: s.skip,
        ...(error !== undefined ? { error } : {}),
        argv: childArgv(written, opts.flags, e.dir),
      };
      results[i] = { entry, dir, report };
      opts.onTarget?.(entry);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.parallel, opts.entries.length)) }, worker));
  const index = buildIndex(results.map((r) => r.entry));
  const indexPath = await writeIndex(root, index, results);
  return { index, exitCode: exitCodeOf(index.summary), indexPath, outcomes: results };
}
