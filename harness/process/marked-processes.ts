import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';

/**
 * A client command runs in its own process group, killed after every case; a descendant that
 * calls setsid() leaves that group. Every process the command starts inherits its environment,
 * though, so each command gets a mark there, and after the case every process still carrying it
 * is ended: only processes the harness started (by way of the command), found by PID in /proc.
 * Where /proc is absent (not Linux) only the group kill applies.
 */

export const MARK_VARIABLE = 'MTLS_CONFORMANCE_PROCESS_MARK';

export function newMark(): string {
  return randomBytes(12).toString('hex');
}

/** PIDs whose environment carries `mark`; never this process. */
export function markedPids(mark: string): number[] {
  const needle = Buffer.from(`${MARK_VARIABLE}=${mark}\0`);
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      // environ is the environment the process started with: what it inherited from the command.
      if (readFileSync(`/proc/${e}/environ`).includes(needle)) found.push(Number(e));
    } catch {
      // gone already, or not ours to read
    }
  }
  return found;
}

/** SIGKILL every process that carries `mark`; returns how many were ended. */
export function killMarked(mark: string): number {
  let n = 0;
  for (const pid of markedPids(mark)) {
    try {
      process.kill(pid, 'SIGKILL');
      n++;
    } catch {
      // ended between the scan and the kill
    }
  }
  return n;
}
