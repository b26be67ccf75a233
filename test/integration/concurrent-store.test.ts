import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';

/**
 * Runs that start together on one empty certificate directory (a targets file, a CI matrix, two
 * jobs on one cache) take turns generating it: each must end with the same CAs and a positive
 * control that passes. Before the lock, about one round in three had a run whose builtin target
 * trusted one run's client CA while it presented another's certificate.
 */

const root = mkdtempSync(join(tmpdir(), 'mtls-concurrent-store-'));

describe('one certificate directory, several runs at once', () => {
  test('four runs on an empty directory, three rounds: every run conformant, its control accepted', async () => {
    for (let round = 0; round < 3; round++) {
      const certs = join(root, `certs-${round}`);
      mkdirSync(certs, { recursive: true });
      const runs = await Promise.all(
        [0, 1, 2, 3].map((i) => runCli(['run', '--certs', certs, '--report-dir', join(root, `r-${round}-${i}`), '-q', '--only', 'server/client-auth/valid', '--only', 'server/client-auth/expired'], { timeoutMs: 120_000 })),
      );
      for (const r of runs) expect(r.code, `round ${round}: ${r.stdout}${r.stderr}`).toBe(0);
      const statuses = new Set([0, 1, 2, 3].map((i) => JSON.parse(readFileSync(join(root, `r-${round}-${i}`, 'report.json'), 'utf8')).results[0].observed.httpStatus));
      expect(statuses).toEqual(new Set([200]));
      expect(existsSync(join(certs, '.lock'))).toBe(false);
    }
  });

  test('a lock left by a process that is gone is taken over at once', async () => {
    const certs = join(root, 'certs-stale');
    mkdirSync(certs, { recursive: true });
    // PID 2^22 - 1 is above Linux's default pid_max range in use here: no such process.
    writeFileSync(join(certs, '.lock'), '4194303');
    const started = Date.now();
    const r = await runCli(['run', '--certs', certs, '--report-dir', join(root, 'r-stale'), '-q', '--only', 'server/client-auth/valid'], { timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(existsSync(join(certs, '.lock'))).toBe(false);
  });
});
