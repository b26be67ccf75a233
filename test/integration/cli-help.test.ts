import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';

// What a first-time user sees before any run: the help, the exit codes, colours on request.
describe('help and colour', () => {
  test('bare `conformance` prints the help to stderr and exits 2 (no command ran)', async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^Usage: conformance \[options\] \[command\]/);
    expect(run.stderr).toContain('run [options]');
  });

  test('--help (and run --help) lists the exit codes and two examples; exit 0', async () => {
    for (const args of [['--help'], ['run', '--help']]) {
      const run = await runCli(args);
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.stdout).toMatch(/Exit codes:\n {2}0 {2}conformant[^\n]*\n {2}1 {2}not conformant[^\n]*\n {2}2 {2}usage or configuration error[^\n]*\n {2}3 {2}the harness could not run/);
      expect(run.stdout).toContain('Examples:\n  conformance certs init ./conformance-certs\n  conformance run --target https://127.0.0.1:8443 --certs ./conformance-certs');
    }
  });

  test('FORCE_COLOR colours the verdicts when stdout is a pipe; NO_COLOR wins; plain by default', async () => {
    const certs = mkdtempSync(join(tmpdir(), 'mtls-help-certs-'));
    const args = ['run', '--target', 'builtin:strict', '--certs', certs, '--only', 'server/client-auth/valid'];
    const forced = await runCli([...args, '--report-dir', mkdtempSync(join(tmpdir(), 'r-'))], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('\x1b[32mPASS');
    expect(forced.stdout).toContain('\x1b[32mCONFORMANT\x1b[0m');
    const both = await runCli([...args, '--report-dir', mkdtempSync(join(tmpdir(), 'r-'))], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    const plain = await runCli([...args, '--report-dir', mkdtempSync(join(tmpdir(), 'r-'))], { env: { NO_COLOR: '', FORCE_COLOR: '' } });
    const off = await runCli([...args, '--report-dir', mkdtempSync(join(tmpdir(), 'r-'))], { env: { NO_COLOR: '', FORCE_COLOR: '0' } });
    for (const r of [both, plain, off]) {
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('CONFORMANT');
      expect(r.stdout).not.toContain('\x1b[');
    }
  });
});
