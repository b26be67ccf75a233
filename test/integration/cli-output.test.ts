import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';

// The terminal: live progress on a TTY, plain lines when not, NO_COLOR, --quiet, --json.
const certs = join(mkdtempSync(join(tmpdir(), 'mtls-output-')), 'certs');
mkdirSync(certs, { recursive: true });
const ONLY = ['--only', 'server/protocol/*'];
const ESC = String.fromCharCode(27);

/** Run the CLI under a pseudo-terminal (util-linux `script`), as a user at a terminal would. */
function underTty(args: string[], env: Record<string, string> = {}): string {
  const cmd = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  try {
    return execFileSync('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, TERM: 'xterm', GITHUB_STEP_SUMMARY: '', ...env }, timeout: 60_000 }).toString();
  } catch (err) {
    return String((err as { stdout?: Buffer }).stdout ?? '');
  }
}

describe('terminal output', () => {
  test('not a TTY: plain lines, no colour, no progress', async () => {
    const run = await runCli(['run', '--certs', certs, '--report-dir', mkdtempSync(join(tmpdir(), 'r-')), ...ONLY], { env: { NO_COLOR: '' } });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain(ESC);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^PASS\s+server\/protocol\/tls1\.0/m);
  });

  test('a TTY: live progress case by case, colour; NO_COLOR turns the colour off', () => {
    const tty = underTty(['run', '--certs', certs, '--report-dir', mkdtempSync(join(tmpdir(), 'r-')), ...ONLY], { NO_COLOR: '' });
    expect(tty).toMatch(/1 judged · PASS server\//);
    expect(tty).toMatch(/8 judged · PASS server\//);
    expect(tty).toContain(`${ESC}[32mPASS`);
    const plain = underTty(['run', '--certs', certs, '--report-dir', mkdtempSync(join(tmpdir(), 'r-')), ...ONLY], { NO_COLOR: '1' });
    expect(plain).toMatch(/judged · PASS/);
    expect(plain).not.toContain(`${ESC}[32m`);
  });

  test('--quiet prints the summary line only', async () => {
    const run = await runCli(['run', '--quiet', '--certs', certs, '--report-dir', mkdtempSync(join(tmpdir(), 'r-')), ...ONLY]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toMatch(/^8 cases: 8 pass, 0 fail, 0 inconclusive, 0 skip · CONFORMANT/);
  });

  test('--json prints the report to stdout, the same as report.json', async () => {
    const out = mkdtempSync(join(tmpdir(), 'r-'));
    const run = await runCli(['run', '--json', '--target', 'builtin:lenient', '--certs', certs, '--report-dir', out, ...ONLY]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
  });
});
