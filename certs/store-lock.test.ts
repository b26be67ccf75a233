import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ownerAlive, parseLock, processStart, StoreLockNotFile, withStoreLock } from './store-lock.js';

const root = mkdtempSync(join(tmpdir(), 'mtls-store-lock-'));
const hasProc = existsSync('/proc/self/stat');

describe('what a lock records and how its owner is judged', () => {
  test('our record, a bare PID (older versions), and junk', () => {
    expect(parseLock('{"pid":12,"start":"345","command":"node main.js run"}\n')).toEqual({ pid: 12, start: '345', command: 'node main.js run' });
    expect(parseLock('12\n')).toEqual({ pid: 12, start: null, command: null });
    expect(parseLock('garbage')).toBeNull();
    expect(parseLock('{"pid":-1}')).toBeNull();
  });

  test.skipIf(!hasProc)('alive only with the recorded start time; an old bare-PID lock only if the process looks like this tool', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = sleeper.pid!;
      await new Promise((r) => setTimeout(r, 50));
      const start = processStart(pid)!;
      expect(start).toMatch(/^\d+$/);
      expect(ownerAlive({ pid, start, command: null })).toBe(true);
      expect(ownerAlive({ pid, start: String(Number(start) + 1), command: null })).toBe(false);
      // `sleep` is not a conformance run: a bare PID of it is a reused PID.
      expect(ownerAlive({ pid, start: null, command: null })).toBe(false);
      expect(ownerAlive({ pid: 4194303, start: null, command: null })).toBe(false);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });
});

describe('withStoreLock', () => {
  test('records this process and removes its own lock afterwards', async () => {
    const dir = join(root, 'own');
    const seen = await withStoreLock(dir, async () => parseLock(readFileSync(join(dir, '.lock'), 'utf8')));
    expect(seen).toMatchObject({ pid: process.pid, start: processStart(process.pid) });
    expect(existsSync(join(dir, '.lock'))).toBe(false);
  });

  test('a directory at the lock path is refused, not opened nor removed', async () => {
    const dir = join(root, 'dir');
    mkdirSync(join(dir, '.lock'), { recursive: true });
    await expect(withStoreLock(dir, async () => 1)).rejects.toBeInstanceOf(StoreLockNotFile);
    expect(existsSync(join(dir, '.lock'))).toBe(true);
  });

  test('a live holder: told whom it waits for once, then a bounded timeout', async () => {
    const dir = join(root, 'held');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: process.pid, start: processStart(process.pid), command: 'node main.js run' }));
    const lines: string[] = [];
    await expect(withStoreLock(dir, async () => 1, { waitMs: 1500, onWaiting: (l) => lines.push(l) })).rejects.toThrow(/held by PID \d+ \("node main.js run"\) for more than 2 s/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`PID ${process.pid} ("node main.js run")`);
  });
});
