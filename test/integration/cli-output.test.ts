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
  test('not a TTY: the header, a plain line per case as it is judged, no colour, nothing on stderr', async () => {
    const run = await runCli(['run', '--certs', certs, '--report-dir', mkdtempSync(join(tmpdir(), 'r-')), ...ONLY], { env: { NO_COLOR: '' } });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain(ESC);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/^mtls-conformance \S+ · target builtin:strict \(https:\/\/127\.0\.0\.1:\d+\) · profile intermediate \(sha256 [0-9a-f]{12}\) · 8 cases$/);
    expect(run.stdout).toMatch(/^\d\/8 PASS\s+server\/protocol\/tls1\.0\s+expect reject/m);
    expect(lines.filter((l) => /^\d\/8 /.test(l)).map((l) => l.slice(0, 3))).toEqual(['1/8', '2/8', '3/8', '4/8', '5/8', '6/8', '7/8', '8/8']);
    // Every case passed: no closing block between the case lines and the summary.
    expect(lines.at(-2)).toMatch(/^8\/8 /);
  });

  test('a TTY: the same lines, coloured; NO_COLOR turns the colour off', () => {
    const tty = underTty(['run', '--certs', certs, '--report-dir', mkdtempSync(join(tmpdir(), 'r-')), ...ONLY], { NO_COLOR: '' });
    expect(tty).toMatch(/1\/8 \x1b\[32mPASS/);
    expect(tty).toMatch(/8\/8 \x1b\[32mPASS/);
    const plain = underTty(['run', '--certs', certs, '--report-dir', mkdtempSync(join(tmpdir(), 'r-')), ...ONLY], { NO_COLOR: '1' });
    expect(plain).toMatch(/8\/8 PASS/);
    expect(plain).not.toContain(`${ESC}[32m`);
  });

  test('findings are not failures: FINDING lines, the required failures listed first with their reasons, then the findings', async () => {
    const run = await runCli(['run', '--target', 'builtin:lenient', '--certs', certs, '--report-dir', mkdtempSync(join(tmpdir(), 'r-'))], { env: { FORCE_COLOR: '1', NO_COLOR: '' } });
    expect(run.code).toBe(1);
    // Colour forced off a terminal: a finding in magenta, a failure in red.
    expect(run.stdout).toMatch(new RegExp(`^\\s*\\d+/\\d+ ${ESC}\\[35mFINDING\\s*${ESC}\\[0m server/client-auth/eku-absent .*\\(recommended\\)$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^\\s*\\d+/\\d+ ${ESC}\\[31mFAIL\\s*${ESC}\\[0m server/client-auth/expired `, 'm'));
    const plain = run.stdout.replace(/\x1b\[[0-9;]*m/g, '');
    const failures = plain.indexOf('Required failures (');
    const findings = plain.indexOf('Findings (');
    const total = Number(/^(\d+) cases:/m.exec(plain)?.[1]);
    expect(total).toBeGreaterThan(40);
    expect(failures).toBeGreaterThan(plain.lastIndexOf(`${total}/${total} `));
    expect(findings).toBeGreaterThan(failures);
    expect(plain.slice(failures, findings)).not.toContain('eku-absent');
    expect(plain.slice(findings)).toMatch(/FINDING\s+server\/client-auth\/eku-absent \(recommended\)\n\s+accepted/);
    expect(plain).toMatch(/^\d+ cases: \d+ pass, \d+ fail, \d+ findings, 0 inconclusive, 1 skip · NON-CONFORMANT/m);
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
