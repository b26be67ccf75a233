import { ensureWritableDir } from '../io/writable-dir.js';
import type { ServerPlan } from '../plan.js';
import { readSignKeyFile } from '../report/manifest.js';
import { clientCommandTarget } from '../targets/client-command-target.js';
import { clientImageTarget, type ClientImageSpec } from '../targets/client-image-target.js';
import { serverImageTarget, type ServerImageSpec } from '../targets/server-image-target.js';
import type { Target } from '../targets/target.js';
import { targetFromFlags } from '../targets/target-flags.js';
import { executePlan } from './execute.js';
import { finish, saveTargetLog, type RunOutcome } from './finish.js';
import { prepare, type PreparedRun, type RunOptions } from './prepare.js';
import { checkRunOptions } from './run-bounds.js';
import { mark } from './timings.js';

/**
 * `conformance run`, one pipeline for every kind of target: a Target (harness/targets/, decided
 * from the flags by target-flags.ts) -> prepare (profile, certificates, target started, cases;
 * prepare.ts) -> execute (the cases, execute.ts) -> finish (reports and exit code, finish.ts). The
 * target is always stopped; its log is saved before the manifest hashes the report directory.
 */

export type { RunOptions, PreparedRun } from './prepare.js';
export type { RunOutcome } from './finish.js';

export async function run(target: Target, opts: RunOptions): Promise<RunOutcome> {
  // The API's way in (runServer, runClient, run): the bounds the flags check, with the same words.
  checkRunOptions(opts);
  // A bad --sign-key or an impossible --report-dir is a usage error before any case runs, not after.
  if (opts.signKey) await readSignKeyFile(opts.signKey);
  if (opts.reportDir) ensureWritableDir(opts.reportDir, '--report-dir');
  const times = { startedAt: new Date(), t0: performance.now() };
  const prepared = await prepare(target, opts);
  mark('targetReady');
  let logSaved = false;
  try {
    const { profile, sha256, source } = prepared.loaded;
    opts.onStart?.({ target: prepared.started.report, profile: { name: profile.name, sha256, source }, startedAt: times.startedAt, cases: prepared.selected });
    const executed = await executePlan(prepared.rolePlan, { concurrency: opts.concurrency, repeat: opts.repeat, onResult: opts.onResult });
    mark('probesDone');
    // The target's log is part of the evidence: saved before the manifest hashes the directory.
    const stopped = await prepared.close();
    if (stopped.log !== undefined) await saveTargetLog(opts.reportDir, stopped.log);
    logSaved = true;
    return await finish(prepared, executed, opts, times, target.source);
  } finally {
    const stopped = await prepared.close();
    if (!logSaved && stopped.log !== undefined) await saveTargetLog(opts.reportDir, stopped.log);
  }
}

/** A server target as the package API and the vitest embedding name it: a URL or builtin name, or an image. */
export interface ServerRunOptions extends RunOptions {
  /** https://host:port, tls://host:port, builtin:strict or builtin:lenient (ignored with `image`). */
  target: string;
  /** The target is a container image started for this run. */
  image?: ServerImageSpec;
}

/** A client target as the package API names it: a command, or an image run once per case. */
export interface ClientRunOptions extends RunOptions {
  command: string;
  image?: ClientImageSpec;
}

export function serverTargetFor(opts: Pick<ServerRunOptions, 'target' | 'image'>): Target {
  return opts.image ? serverImageTarget(opts.image) : targetFromFlags({ target: opts.target, targetEnv: [] });
}

export function clientTargetFor(opts: Pick<ClientRunOptions, 'command' | 'image'>): Target {
  return opts.image ? clientImageTarget(opts.image) : clientCommandTarget(opts.command);
}

export function runServer(opts: ServerRunOptions): Promise<RunOutcome> {
  return run(serverTargetFor(opts), opts);
}

export function runClient(opts: ClientRunOptions): Promise<RunOutcome> {
  return run(clientTargetFor(opts), opts);
}

/** The server plan for a user's own vitest (mtls-conformance/vitest): prepared as `run` does, stopped by the caller. */
export interface PreparedServerRun extends PreparedRun {
  plan: ServerPlan;
}

export async function prepareServerPlan(opts: ServerRunOptions): Promise<PreparedServerRun> {
  checkRunOptions(opts);
  const prepared = await prepare(serverTargetFor(opts), opts);
  if (prepared.rolePlan.role !== 'server') throw new Error('a server target gave a client plan');
  return { ...prepared, plan: prepared.rolePlan.plan };
}
