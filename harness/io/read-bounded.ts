import { closeSync, fstatSync, openSync, readSync, constants as fsConstants } from 'node:fs';
import { FILE_CODE_PREFIXES, UsageError, quote, type ErrorCode, type FileCodePrefix, type FileFault } from '../errors.js';

/**
 * Every file the CLI reads on a user's behalf goes through here: read at most `maxBytes` (one
 * byte more tells us it is larger), so `/dev/zero`, a FIFO full of junk or a 50 MB "profile"
 * costs a bounded amount of memory and ends in one line naming the file, never an out-of-memory
 * crash. Regular files are refused by size before a byte is read.
 */

/** Caps by kind of file: generous for what the kind holds, far below what hurts. */
export const READ_LIMITS = {
  profile: 1024 * 1024,
  targetsFile: 1024 * 1024,
  /** A certificate, CSR, key or CA bundle (PEM or DER); a system root bundle is ~250 KB. */
  pem: 8 * 1024 * 1024,
  key: 1024 * 1024,
  /** report.json, index.json, manifest.json of a run with every case and observation. */
  report: 64 * 1024 * 1024,
} as const;

export interface ReadBoundedOptions {
  maxBytes: number;
  /** How the message names the input: `--targets-file`, `profile file`, `lint:` ... */
  label: string;
  /**
   * Error code prefix; `-unreadable` / `-too-large` / `-not-text` are appended. A string that is
   * not a FileCodePrefix gives `file-...` (typed `string` until every caller passes a literal).
   */
  code?: FileCodePrefix | string;
}

function fileCode(opts: ReadBoundedOptions, fault: FileFault): ErrorCode {
  const prefix = (FILE_CODE_PREFIXES as readonly string[]).includes(opts.code ?? '') ? (opts.code as FileCodePrefix) : 'file';
  return `${prefix}-${fault}`;
}

/** A pipe (`--targets-file <(make-list)`) may be slower than we are: wait for its bytes, bounded. */
const PIPE_WAIT_MS = 5000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function pipeSilent(path: string, opts: ReadBoundedOptions): UsageError {
  return new UsageError(fileCode(opts, 'unreadable'), `${opts.label} ${quote(path)} is a pipe that gave no end of data within ${PIPE_WAIT_MS / 1000} s. Pass a regular file.`);
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`;
}

/** A file that cannot be read at all; `errno` says why (ENOENT, EISDIR, EACCES, ...). */
export class UnreadableFileError extends UsageError {
  constructor(code: ErrorCode, message: string, readonly errno: string) {
    super(code, message);
  }
}

export function unreadable(path: string, opts: ReadBoundedOptions, err: unknown): UnreadableFileError {
  const code = (err as NodeJS.ErrnoException)?.code ?? (err as Error)?.message ?? String(err);
  return new UnreadableFileError(fileCode(opts, 'unreadable'), `${opts.label} ${quote(path)} cannot be read (${code}). Check the path${code === 'EACCES' || code === 'EPERM' ? ' and its permissions' : ''}.`, code);
}

function tooLarge(path: string, opts: ReadBoundedOptions): UsageError {
  return new UsageError(
    fileCode(opts, 'too-large'),
    `${opts.label} ${quote(path)} is larger than ${sizeText(opts.maxBytes)}, more than such a file ever needs; refused. Check that the path names the right file.`,
  );
}

/** Synchronous bounded read (profile loading is synchronous). */
export function readBoundedSync(path: string, opts: ReadBoundedOptions): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO nobody writes to returns at once instead of hanging the run.
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (err) {
    throw unreadable(path, opts, err);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw unreadable(path, opts, Object.assign(new Error('EISDIR'), { code: 'EISDIR' }));
    if (st.isFile() && st.size > opts.maxBytes) throw tooLarge(path, opts);
    const buf = Buffer.alloc(Math.min(opts.maxBytes + 1, st.isFile() ? st.size + 1 : opts.maxBytes + 1));
    let total = 0;
    const waitUntil = Date.now() + PIPE_WAIT_MS;
    for (;;) {
      if (total === buf.length) {
        if (total > opts.maxBytes) throw tooLarge(path, opts);
        break;
      }
      let n: number;
      try {
        n = readSync(fd, buf, total, buf.length - total, null);
      } catch (err) {
        // A pipe whose writer has not written yet (opened O_NONBLOCK so that a FIFO without a writer cannot hang us).
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw unreadable(path, opts, err);
        if (Date.now() > waitUntil) throw pipeSilent(path, opts);
        sleepSync(10);
        continue;
      }
      if (n === 0) break;
      total += n;
    }
    if (total > opts.maxBytes) throw tooLarge(path, opts);
    return buf.subarray(0, total);
  } finally {
    closeSync(fd);
  }
}

/**
 * The same read, for async callers. Synchronous underneath on purpose: the CLI reads its inputs
 * before any case runs, a file is capped at a few MB, and one implementation of the bounds is
 * easier to trust than two.
 */
export async function readBounded(path: string, opts: ReadBoundedOptions): Promise<Buffer> {
  return readBoundedSync(path, opts);
}

/**
 * Text: UTF-8 without NUL bytes. A file of another kind (a binary, a key in DER, random bytes)
 * is refused with its first offending offset, before anyone parses or, worse, runs it.
 */
export function decodeText(bytes: Buffer, path: string, opts: ReadBoundedOptions): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw notText(path, opts, `a NUL byte at offset ${nul}`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw notText(path, opts, 'bytes that are not UTF-8');
  }
}

function notText(path: string, opts: ReadBoundedOptions, what: string): UsageError {
  return new UsageError(fileCode(opts, 'not-text'), `${opts.label} ${quote(path)} is not a text file (${what}); refused. Pass a UTF-8 text file.`);
}

export async function readBoundedText(path: string, opts: ReadBoundedOptions): Promise<string> {
  return decodeText(await readBounded(path, opts), path, opts);
}

export function readBoundedTextSync(path: string, opts: ReadBoundedOptions): string {
  return decodeText(readBoundedSync(path, opts), path, opts);
}
