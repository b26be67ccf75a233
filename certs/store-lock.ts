import { open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirs } from '../harness/io/make-dirs.js';

/**
 * One writer at a time per certificate directory. Runs started together on an empty directory
 * (a targets file, a CI matrix, parallel jobs on one cache) would otherwise each generate their own
 * CAs, and a target could end up trusting one run's CA while another run presents another's
 * certificates. The lock is a file made with O_EXCL holding the owner's PID; a lock whose owner is
 * gone, or that is older than any generation takes, is taken over. Every wait is bounded.
 */

const LOCK_FILE = '.lock';
const POLL_MS = 50;
/** Generating the whole matrix, RSA-4096 included, takes seconds; a lock this old is abandoned. */
const STALE_MS = 5 * 60_000;

export class StoreLockTimeout extends Error {}

function ownerAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists and is someone else's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function abandoned(path: string): Promise<boolean> {
  try {
    const [text, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return !ownerAlive(Number(text.trim())) || Date.now() - st.mtimeMs > STALE_MS;
  } catch {
    // Gone between the attempt and the look: try again at once.
    return true;
  }
}

/** Run `work` holding the directory's lock; waits at most `waitMs` for another run to finish. */
export async function withStoreLock<T>(dir: string, work: () => Promise<T>, waitMs = 120_000): Promise<T> {
  await makeDirs(dir, 0o755);
  const path = join(dir, LOCK_FILE);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o644);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await abandoned(path)) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new StoreLockTimeout(`${path} is held by another run for more than ${Math.round(waitMs / 1000)} s`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
  try {
    return await work();
  } finally {
    await rm(path, { force: true });
  }
}
