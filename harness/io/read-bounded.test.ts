import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../errors.js';
import { readBounded, readBoundedSync, readBoundedText } from './read-bounded.js';

const dir = mkdtempSync(join(tmpdir(), 'mtls-read-bounded-'));
const opts = { maxBytes: 1024, label: '--thing', code: 'profile' };

async function refusal(p: Promise<unknown>): Promise<UsageError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('readBounded', () => {
  test('a file within the cap is read whole, sync and async', async () => {
    const p = join(dir, 'ok');
    writeFileSync(p, 'x'.repeat(1024));
    expect((await readBounded(p, opts)).length).toBe(1024);
    expect(readBoundedSync(p, opts).length).toBe(1024);
  });
  test('one byte over the cap, /dev/zero and /dev/urandom are refused with the path quoted', async () => {
    const p = join(dir, 'big');
    writeFileSync(p, 'x'.repeat(1025));
    expect((await refusal(readBounded(p, opts))).message).toMatch(/^error: --thing ".*big" is larger than 1 KB.*refused/);
    for (const dev of ['/dev/zero', '/dev/urandom']) {
      const e = await refusal(readBounded(dev, opts));
      expect(e.code).toBe('profile-too-large');
      expect(e.message).toContain(`"${dev}"`);
    }
    expect(() => readBoundedSync('/dev/zero', opts)).toThrow(/"\/dev\/zero" is larger than 1 KB/);
  });
  test('a missing file, a directory, a FIFO nobody writes to', async () => {
    expect((await refusal(readBounded(join(dir, 'nope'), opts))).message).toMatch(/cannot be read \(ENOENT\)/);
    expect((await refusal(readBounded(dir, opts))).message).toMatch(/cannot be read \(EISDIR\)/);
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // No writer: opened non-blocking, read as empty at once instead of hanging.
    const started = performance.now();
    expect((await readBounded(fifo, opts)).length).toBe(0);
    expect(readBoundedSync(fifo, opts).length).toBe(0);
    expect(performance.now() - started).toBeLessThan(1000);
  });
  test('text: NUL bytes and invalid UTF-8 are refused with an offset', async () => {
    const nul = join(dir, 'nul');
    writeFileSync(nul, Buffer.from('abc\0def'));
    expect((await refusal(readBoundedText(nul, opts))).message).toMatch(/is not a text file \(a NUL byte at offset 3\)/);
    const latin = join(dir, 'latin');
    writeFileSync(latin, Buffer.from([0x61, 0xff, 0xfe, 0x62]));
    expect((await refusal(readBoundedText(latin, opts))).message).toMatch(/bytes that are not UTF-8/);
  });
});
