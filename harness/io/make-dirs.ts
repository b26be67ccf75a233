import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p` that always ends. Node's `mkdir(..., { recursive: true })` loops forever on a path
 * like /proc/x/y, where the parent exists but refuses children with ENOENT (seen at 100% CPU for
 * minutes). Here each missing level is made once, from the nearest existing ancestor down, and
 * the first level that cannot be made throws its own error (ENOENT, EPERM, EROFS, ENOTDIR...).
 */

function notDir(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: 'ENOTDIR', path, syscall: 'mkdir' });
}

function missingLevels(abs: string, isDir: (p: string) => boolean | null): string[] {
  const missing: string[] = [];
  for (let p = abs; ; p = dirname(p)) {
    const d = isDir(p);
    if (d === true) break;
    if (d === false) throw notDir(p);
    missing.push(p);
    if (dirname(p) === p) break;
  }
  return missing.reverse();
}

const isDirSync = (p: string): boolean | null => {
  try {
    return statSync(p).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
};

export function makeDirsSync(dir: string, mode?: number): void {
  for (const level of missingLevels(resolve(dir), isDirSync)) {
    try {
      mkdirSync(level, mode === undefined ? undefined : { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !isDirSync(level)) throw err;
    }
  }
}

/** The same walk for async callers: at most a few mkdir calls, before any case runs. */
export async function makeDirs(dir: string, mode?: number): Promise<void> {
  makeDirsSync(dir, mode);
}
