import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file of an output directory (--report-dir) so that whatever stands at its name is
 * replaced, never written through. A plain writeFile follows a symbolic link: a `report.json`
 * link planted in the directory (or left by a tool that links artifacts) would make the run
 * overwrite the file it points at, outside the directory. Here the bytes go to a new temporary
 * file beside it, created with O_CREAT|O_EXCL (which never follows a link: POSIX open(2)), and
 * rename(2) then swaps the name itself: a link at `path` is replaced by the file, its target
 * untouched. Readers of the directory never see half a file either.
 */
export async function writeFileReplacing(path: string, data: string | Buffer): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx': O_WRONLY|O_CREAT|O_EXCL; the mode is the one writeFile uses (0666 less the umask).
  const file = await open(tmp, 'wx', 0o666);
  try {
    try {
      await file.writeFile(data);
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
