import { makeDirsSync } from './make-dirs.js';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError, quote } from '../errors.js';

/**
 * Directories the CLI writes (--report-dir, --out, the certificate store): problems said in the
 * user's words (a read-only file system, a path under a file), one line, exit 2.
 */

/** One phrase for why a directory cannot be made or written, from the errno code. */
export function fsProblem(code: string | undefined): string {
  switch (code) {
    case 'EROFS':
      return 'it is on a read-only file system';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'ENOSPC':
      return 'the disk is full (ENOSPC)';
    case 'EDQUOT':
      return 'the disk quota is exhausted (EDQUOT)';
    case 'ENAMETOOLONG':
      return 'the path is too long (ENAMETOOLONG)';
    case 'ELOOP':
      return 'it goes through a symbolic link loop (ELOOP)';
    default:
      return `it cannot be written (${code ?? 'unknown error'})`;
  }
}

/**
 * A directory the command will write (--report-dir, --out, certs): it must be a directory or
 * creatable as one, on a writable file system. Checked before any work, so a run does not end
 * in a write error after minutes of cases. Creates the directory (the command would anyway).
 */
export function ensureWritableDir(dir: string, flag: string): string {
  return checkWritableDir(dir, flag, true);
}

/** The same checks without creating anything: for a flag parser, before the command runs. */
export function checkWritableDir(dir: string, flag: string, create = false): string {
  const abs = resolve(dir);
  // The nearest part of the path that exists says most: a file there, or a read-only mount.
  let existing = abs;
  for (;;) {
    let st;
    try {
      st = statSync(existing);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') {
        existing = dirname(existing);
        continue;
      }
      if (code !== 'ENOENT') throw new UsageError('dir-unusable', `${flag} ${quote(dir)} cannot be used: ${fsProblem(code)}. Pass a writable directory.`);
      if (dirname(existing) === existing) break;
      existing = dirname(existing);
      continue;
    }
    if (!st.isDirectory()) {
      if (existing === abs) throw new UsageError('dir-is-file', `${flag} ${quote(dir)} is a file, not a directory. Pass a directory path (it is created if missing).`);
      throw new UsageError('dir-under-file', `${flag} ${quote(dir)} cannot be created: ${quote(existing)} is a file, not a directory. Pass a path under a directory.`);
    }
    break;
  }
  try {
    accessSync(existing, fsConstants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError('dir-unwritable', `${flag} ${quote(dir)} cannot be written: ${quote(existing)} ${code === 'EROFS' ? 'is on a read-only file system' : fsProblem(code).replace(/^it /, 'is ')}. Pass a writable directory.`);
  }
  if (!create) return dir;
  try {
    makeDirsSync(abs);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const problem =
      e.code === 'ENOENT'
        ? `${quote(e.path ?? abs)} cannot be made there (ENOENT)`
        : e.code === 'EEXIST'
          ? `${quote(e.path ?? abs)} exists but is not a directory (a symbolic link to nothing?)`
          : fsProblem(e.code);
    throw new UsageError('dir-unwritable', `${flag} ${quote(dir)} cannot be created: ${problem}. Pass a writable directory.`);
  }
  return abs;
}

/** Turn an errno from writing under `dir` into the one-line usage error the user should see (or null if not a file-system problem of theirs). */
export function dirWriteError(err: unknown, dir: string, flag: string): UsageError | null {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (!code || !['EROFS', 'EACCES', 'EPERM', 'ENOTDIR', 'EEXIST', 'ENOSPC', 'EDQUOT', 'ENAMETOOLONG', 'ELOOP', 'EISDIR', 'ENOENT'].includes(code)) return null;
  const where = (err as NodeJS.ErrnoException).path;
  // mkdir on a read-only mount reports ENOENT (or EACCES); the nearest existing part of the path says why.
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM') {
    try {
      checkWritableDir(dir, flag);
    } catch (e) {
      if (e instanceof UsageError) return e;
    }
  }
  const problem = code === 'ENOTDIR' || code === 'EEXIST' ? `a part of the path is a file, not a directory${where ? ` (${quote(where)})` : ''}` : code === 'ENOENT' ? `a part of the path cannot be created (ENOENT${where ? ` at ${quote(where)}` : ''})` : fsProblem(code);
  return new UsageError('dir-unwritable', `${flag} ${quote(dir)} cannot be written: ${problem}. Pass a writable directory.`);
}
