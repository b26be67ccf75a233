import { constants, readFileSync } from 'node:fs';
import { lstat, open, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { makeDirs } from '../harness/io/make-dirs.js';

/**
 * One writer at a time per certificate directory. Runs started together on an empty directory
 * (a targets file, a CI matrix, parallel jobs on one cache) would otherwise each generate their own
 * CAs, and a target could end up trusting one run's CA while another run presents another's
 * certificates. The lock is a regular file made with O_EXCL holding its owner: PID, the process's
 * start time (/proc/PID/stat) and command, so a PID reused by an unrelated process is told apart
 * from a live run. A lock whose owner is gone, or that is older than any generation takes, is taken
 * over. Every wait is bounded, and whom the run waits for is said within two seconds.
 *
 * The lock is never opened before lstat says it is a regular file, and then with O_NONBLOCK and
 * O_NOFOLLOW: a FIFO at its path would otherwise block a thread-pool read forever, and the process
 * could not even exit on SIGTERM (Node joins its threads on exit).
 */

const LOCK_FILE = '.lock';
const POLL_MS = 50;
/** Generating the whole matrix, RSA-4096 included, takes seconds; a lock this old is abandoned. */
const STALE_MS = 5 * 60_000;
/** How long a run waits quietly before it says whom it waits for. */
const SAY_AFTER_MS = 1000;
/** A lock is a line of JSON; anything longer is not one of ours. */
const MAX_LOCK_BYTES = 4096;

export class StoreLockTimeout extends Error {}

/** Something other than a regular file sits at the lock's path: no run of ours made it, none removes it. */
export class StoreLockNotFile extends Error {
  constructor(
    readonly path: string,
    readonly what: string,
  ) {
    super(`${path} is ${what}, not a regular file`);
  }
}

/** What a lock file records about the run holding it. */
export interface LockOwner {
  pid: number;
  /** Field 22 of /proc/PID/stat (start time in clock ticks since boot); null where /proc is not readable. */
  start: string | null;
  /** The program and subcommand, e.g. `node /…/main.js run` (never the rest of argv: it may carry --target-env values). */
  command: string | null;
  startedAt?: string;
}

/** `/proc/PID/stat` field 22 (starttime), or null. The command name (field 2) may hold spaces and ")": parse after the last ")". */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); a zombie has ended and is only waiting for its parent.
    if (fields[0] === 'Z') return null;
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** The short name of a process (/proc/PID/comm), for a message; null if unknown. */
function processName(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().slice(0, 32) || null;
  } catch {
    return null;
  }
}

function thisRun(): LockOwner {
  const [node, script, sub] = process.argv;
  const command = [node && basename(node), script, sub].filter(Boolean).join(' ').slice(0, 300);
  return { pid: process.pid, start: processStart(process.pid), command, startedAt: new Date().toISOString() };
}

/** A lock's text as an owner: our JSON line, or a bare PID (written by versions before the start time was recorded). */
export function parseLock(text: string): LockOwner | null {
  const trimmed = text.trim();
  if (/^\d{1,10}$/.test(trimmed)) return { pid: Number(trimmed), start: null, command: null };
  try {
    const o = JSON.parse(trimmed) as Partial<LockOwner>;
    if (!Number.isInteger(o.pid) || o.pid! <= 0) return null;
    return { pid: o.pid!, start: typeof o.start === 'string' ? o.start : null, command: typeof o.command === 'string' ? o.command.slice(0, 300) : null, ...(typeof o.startedAt === 'string' ? { startedAt: o.startedAt.slice(0, 40) } : {}) };
  } catch {
    return null;
  }
}

/**
 * Whether the lock's owner is a live run of ours. With a recorded start time, the PID must run and
 * have started then (a reused PID started later). Without one (an old lock), the live process must
 * look like this tool (its command line names it), else it is some other program on a reused PID.
 */
export function ownerAlive(owner: LockOwner): boolean {
  const start = processStart(owner.pid);
  if (start !== null) {
    if (owner.start !== null) return start === owner.start;
    try {
      return /conformance/.test(readFileSync(`/proc/${owner.pid}/cmdline`, 'utf8'));
    } catch {
      return false;
    }
  }
  // No /proc here (or the process is gone): signal 0 says whether the PID exists at all.
  if (existsProc()) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists and is someone else's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let procChecked: boolean | undefined;
function existsProc(): boolean {
  return (procChecked ??= processStart(process.pid) !== null);
}

type LockState = { kind: 'missing' } | { kind: 'held'; owner: LockOwner | null; mtimeMs: number };

function describeNonFile(st: { isDirectory(): boolean; isFIFO(): boolean; isSymbolicLink(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** What is at the lock's path, read without ever blocking: lstat first, then O_NONBLOCK|O_NOFOLLOW, bounded. */
async function readLock(path: string): Promise<LockState> {
  let st;
  try {
    st = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw err;
  }
  if (!st.isFile()) throw new StoreLockNotFile(path, describeNonFile(st));
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ELOOP') throw new StoreLockNotFile(path, 'a symbolic link');
    throw err;
  }
  try {
    // Replaced between the lstat and the open: judge what was opened.
    const fst = await handle.stat();
    if (!fst.isFile()) throw new StoreLockNotFile(path, describeNonFile(fst));
    const buf = Buffer.alloc(MAX_LOCK_BYTES);
    const { bytesRead } = await handle.read(buf, 0, MAX_LOCK_BYTES, 0);
    return { kind: 'held', owner: parseLock(buf.subarray(0, bytesRead).toString('utf8')), mtimeMs: fst.mtimeMs };
  } finally {
    await handle.close();
  }
}

/** `PID 1234 ("node /…/main.js run", started 2026-…)`: whom a run waits for, in one clause. */
function describeOwner(owner: LockOwner): string {
  const command = owner.command ?? processName(owner.pid);
  const parts = [command ? JSON.stringify(command) : null, owner.startedAt ? `started ${owner.startedAt}` : null].filter(Boolean);
  return `PID ${owner.pid}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

export interface StoreLockOptions {
  /** Longest wait for another run to release the lock. */
  waitMs?: number;
  /** Told once, within two seconds of waiting, whom the run waits for (one line). */
  onWaiting?: (line: string) => void;
}

/** Run `work` holding the directory's lock; waits at most `waitMs` for another run to finish. */
export async function withStoreLock<T>(dir: string, work: () => Promise<T>, options: StoreLockOptions = {}): Promise<T> {
  const waitMs = options.waitMs ?? 120_000;
  await makeDirs(dir, 0o755);
  const path = join(dir, LOCK_FILE);
  const me = thisRun();
  const began = Date.now();
  let said = false;
  for (;;) {
    try {
      // O_EXCL: fails on anything at the path, a dangling symbolic link included; never follows one.
      const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
      try {
        await handle.writeFile(JSON.stringify(me) + '\n');
      } finally {
        await handle.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const state = await readLock(path);
    if (state.kind === 'missing') continue;
    const owner = state.owner;
    if (!owner || !ownerAlive(owner) || Date.now() - state.mtimeMs > STALE_MS) {
      await removeIfFile(path);
      continue;
    }
    const waited = Date.now() - began;
    if (waited > waitMs) throw new StoreLockTimeout(`${path} is held by ${describeOwner(owner)} for more than ${Math.round(waitMs / 1000)} s`);
    if (!said && waited >= SAY_AFTER_MS) {
      said = true;
      options.onWaiting?.(`waiting for the run holding certificate directory ${JSON.stringify(dir)}: ${describeOwner(owner)}, up to ${Math.round(waitMs / 1000)} s; pass another --certs directory not to wait.`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  try {
    return await work();
  } finally {
    // Only our own lock: another run may have taken over one it judged abandoned.
    const state = await readLock(path).catch(() => null);
    if (state?.kind === 'held' && state.owner?.pid === me.pid && state.owner.start === me.start) await rm(path, { force: true });
  }
}

/** Remove an abandoned lock, but never what is not a regular file. */
async function removeIfFile(path: string): Promise<void> {
  const st = await lstat(path).catch(() => null);
  if (!st) return;
  if (!st.isFile()) throw new StoreLockNotFile(path, describeNonFile(st));
  await rm(path, { force: true });
}
