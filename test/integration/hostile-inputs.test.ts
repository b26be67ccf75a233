import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { CLI, runCli, type CliRun } from '../helpers/cli.js';

/**
 * A careless user and a hostile file: every broken input ends in one line that names it, with
 * exit 2, never an internal fault, a stack trace, a hang or a command run from a data file.
 * The files are made here, at test time.
 */

const root = mkdtempSync(join(tmpdir(), 'mtls-hostile-inputs-'));
const certs = join(root, 'certs');
mkdirSync(certs, { recursive: true });
const path = (name: string) => join(root, name);
function file(name: string, content: string | Buffer): string {
  writeFileSync(path(name), content);
  return path(name);
}

beforeAll(async () => {
  const init = await runCli(['certs', 'init', certs]);
  expect(init.code, init.stderr).toBe(0);
});

/** Exit 2, one line on stderr that contains every fragment, no stack frame, no internal fault. */
function expectUsageError(run: CliRun, ...fragments: string[]): void {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(2);
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  for (const f of fragments) expect(lines[0]).toContain(f);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stderr).not.toContain('internal fault');
}

describe('profiles', () => {
  test('a catastrophic pattern whose example does not match it: refused at once by profile check and run', async () => {
    const p = file('redos.yaml', `name: redos\nclientIdentity:\n  match: cn\n  pattern: '^(a+)+$'\n  example: '${'a'.repeat(38)}!'\n`);
    const started = Date.now();
    expectUsageError(await runCli(['profile', 'check', p]), `${p}:5:3`, 'clientIdentity.example', 'does not match');
    expectUsageError(await runCli(['run', '--profile', p, '--certs', certs, '--report-dir', path('r-redos')]), 'does not match');
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  test('a catastrophic pattern with a matching example runs in linear time against the builtin target', async () => {
    const p = file('redos-ok.yaml', `name: redos-ok\nclientIdentity:\n  match: cn\n  pattern: '^(a+)+$'\n  example: '${'a'.repeat(40)}'\n`);
    mkdirSync(join(root, 'certs-redos'), { recursive: true });
    const run = await runCli(['run', '--profile', p, '--certs', join(root, 'certs-redos'), '--report-dir', path('r-redos-ok'), '--only', 'server/client-auth/*'], { timeoutMs: 90_000 });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(path('r-redos-ok'), 'report.json'), 'utf8'));
    expect(report.results.find((r: { id: string }) => r.id === 'server/client-auth/unexpected-identity').verdict).toBe('pass');
  });

  test('a pattern RE2 cannot run, an alias bomb, /dev/zero, a 50 KB description, NUL bytes', async () => {
    expectUsageError(
      await runCli(['profile', 'check', file('look.yaml', "name: l\nclientIdentity:\n  match: cn\n  pattern: '^(?=a)a$'\n  example: a\n")]),
      'clientIdentity.pattern',
      'RE2 syntax',
    );
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [prev, name] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g'], ['g', 'h'], ['h', 'i']]) levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    expectUsageError(await runCli(['profile', 'check', file('bomb.yaml', `name: bomb\n${levels.join('\n')}\n`)]), 'bomb.yaml', 'alias');
    expectUsageError(await runCli(['profile', 'check', '/dev/zero']), '"/dev/zero"', 'larger than 1 MB');
    expectUsageError(await runCli(['profile', 'show', '/dev/zero']), '"/dev/zero"', 'larger than 1 MB');
    expectUsageError(await runCli(['profile', 'check', file('desc.yaml', `name: d\ndescription: "${'d'.repeat(50_000)}"\n`)]), 'field "description"', 'longer than 4096');
    expectUsageError(await runCli(['profile', 'check', file('nul.yaml', Buffer.from('name: n\0\n'))]), 'nul.yaml', 'NUL byte');
  });
});

describe('targets files hold targets, never commands', () => {
  test('a line that is not a URL is refused by line number, and nothing runs', async () => {
    const marker = path('created-by-targets-file');
    const run = await runCli(['run', '--targets-file', file('t-shell.txt', `builtin:strict\n# a comment\ntouch ${marker}\n`), '--report-dir', path('r-t')]);
    expectUsageError(run, 't-shell.txt', 'line 3', `"touch ${marker}"`, 'is not a target URL', 'client:');
    expect(existsSync(marker)).toBe(false);
  });

  test('NUL bytes, random bytes, a YAML entry with an unknown field or reserved args', async () => {
    expectUsageError(await runCli(['run', '--targets-file', file('t-nul.txt', Buffer.from('builtin:strict\n\0touch x\n'))]), 't-nul.txt', 'NUL byte at offset 15');
    const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    expectUsageError(await runCli(['run', '--targets-file', file('t-random.bin', random)]), 't-random.bin', 'not a text file');
    expectUsageError(await runCli(['run', '--targets-file', file('t-run.yaml', '- target: builtin:strict\n- run: touch x\n')]), 'line 2 (entry 2)', 'unknown field "run"');
    expectUsageError(await runCli(['run', '--targets-file', file('t-recurse.yaml', `- target: builtin:strict\n  args: ["--targets-file", "${path('t-recurse.yaml')}"]\n`)]), 'line 1 (entry 1)', '"--targets-file"');
    expectUsageError(await runCli(['run', '--targets-file', '/dev/zero']), '"/dev/zero"', 'larger than 1 MB');
  });

  test('a client program is a target only when the file says "client:"', async () => {
    const marker = path('client-ran');
    const client = `sh -c 'touch ${marker}; exit 3'`;
    const run = await runCli(['run', '--targets-file', file('t-client.yaml', `- client: "${client}"\n`), '--certs', certs, '--report-dir', path('r-client'), '--only', 'client/server-auth/valid', '--timeout', '3s'], { timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(3);
    expect(existsSync(marker)).toBe(true);
    const index = JSON.parse(readFileSync(join(path('r-client'), 'index.json'), 'utf8'));
    expect(index.targets[0].target).toBe(client);
  });
});

describe('flags that reach the wire', () => {
  test.each([
    [['--http-path', '/\r\nX-Injected: 1'], '--http-path "/\\r\\nX-Injected: 1"', 'a line break'],
    [['--http-path', '/a b'], '--http-path "/a b"', 'a space'],
    [['--http-path', 'health'], 'no leading "/"'],
    [['--http-method', 'GET / HTTP/1.1\r\nHost: x\r\n\r\nGET'], '--http-method', 'is not an HTTP method'],
    [['--http-method', 'G ET'], '--http-method "G ET"'],
    [['--target', 'https://127.0.0.1:0'], '"https://127.0.0.1:0"', 'port 0'],
  ])('%j is a usage error', async (args, ...fragments) => {
    expectUsageError(await runCli(['run', ...(args as string[])]), ...fragments);
  });
});

describe('files named by run flags', () => {
  test('/dev/zero as a CA, an issuer or a client CA; a --sign-key that is not a key', async () => {
    expectUsageError(await runCli(['run', '--certs', certs, '--report-dir', path('r-f'), '--target-ca', '/dev/zero']), '--target-ca "/dev/zero"', 'larger than 8 MB');
    expectUsageError(await runCli(['run', '--certs', certs, '--report-dir', path('r-f'), '--issuer-cert', '/dev/zero', '--issuer-key', '/dev/zero']), '--issuer-cert "/dev/zero"', 'larger than 8 MB');
    expectUsageError(await runCli(['run', '--target-client', 'true', '--certs', certs, '--report-dir', path('r-f'), '--client-cert-ca', '/dev/zero']), '--client-cert-ca "/dev/zero"', 'larger than 8 MB');
    const notKey = file('not-a-sign-key.pem', 'hello\n');
    const signRun = await runCli(['run', '--certs', certs, '--report-dir', path('r-sign'), '--only', 'server/client-auth/valid', '-q', '--sign-key', notKey]);
    expectUsageError(signRun, `--sign-key "${notKey}"`, 'no readable PEM private key');
    // Checked before any case runs: nothing was probed, no report was written.
    expect(signRun.stdout).toBe('');
    expect(existsSync(path('r-sign'))).toBe(false);
  });
});

describe('certs init and damaged certificate directories', () => {
  test.each([[''], ['a b'], ['bad\u0001host'], ['-leading.example'], ['x/y']])('--host %j is refused', async (host) => {
    expectUsageError(await runCli(['certs', 'init', path('c-host'), '--host', host]), '--host', 'neither a DNS name nor an IP address');
    expect(existsSync(path('c-host'))).toBe(false);
  });

  test('a certs directory under a regular file', async () => {
    const f = file('plain-file', 'x');
    expectUsageError(await runCli(['certs', 'init', join(f, 'certs')]), `"${f}" is a file`);
    expectUsageError(await runCli(['run', '--certs', join(f, 'certs'), '--report-dir', path('r-under')]), join(f, 'certs'));
  });

  async function copyOfCerts(name: string): Promise<string> {
    const dir = path(name);
    const init = await runCli(['certs', 'init', dir]);
    expect(init.code, init.stderr).toBe(0);
    return dir;
  }

  test('a truncated CA, a garbage index.json: the file is named and "certs init --force" repairs it', async () => {
    const dir = await copyOfCerts('c-damaged');
    const ca = join(dir, 'trust', 'client-ca.pem');
    truncateSync(ca, 200);
    const run = await runCli(['run', '--certs', dir, '--report-dir', path('r-damaged')]);
    expectUsageError(run, ca, 'certs init', '--force');
    writeFileSync(join(dir, 'index.json'), 'garbage{');
    expectUsageError(await runCli(['certs', 'init', dir]), join(dir, 'index.json'), 'is not JSON', '--force');
    const repaired = await runCli(['certs', 'init', dir, '--force']);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect((await runCli(['run', '--certs', dir, '--report-dir', path('r-repaired'), '--only', 'server/client-auth/valid'])).code).toBe(0);
  });

  test('a truncated client key is named and regenerated; a 0644 key is set back to 0600 with a warning', async () => {
    const dir = await copyOfCerts('c-keys');
    const key = join(dir, 'private', 'client', 'valid-key.pem');
    truncateSync(key, 100);
    const other = join(dir, 'private', 'client', 'expired-key.pem');
    chmodSync(other, 0o644);
    const run = await runCli(['run', '--certs', dir, '--report-dir', path('r-keys'), '--only', 'server/client-auth/*']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`"${key}" is not a readable PEM private key`);
    expect(run.stderr).toContain(`private key "${other}" was readable by others (mode 0644); set it to 0600.`);
    expect(statSync(other).mode & 0o777).toBe(0o600);
    expect(readFileSync(key, 'utf8')).toMatch(/-----END PRIVATE KEY-----/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('reports: directories that cannot be written, merge inputs, verify', () => {
  test('--report-dir under a file, --out a file or under a file', async () => {
    const f = file('a-file', 'x');
    const run = await runCli(['run', '--certs', certs, '--report-dir', join(f, 'report'), '--only', 'server/client-auth/valid']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(f);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stderr).not.toMatch(/internal fault|Unhandled/);
    expectUsageError(await runCli(['report', 'merge', root, '--out', f]), `--out "${f}" is a file`);
    expectUsageError(await runCli(['report', 'merge', root, '--out', join(f, 'x')]), `"${f}" is a file`);
  });

  test('merge: not JSON, the wrong shape, a huge index', async () => {
    const d = path('m-bad');
    mkdirSync(d);
    writeFileSync(join(d, 'index.json'), 'not json');
    expectUsageError(await runCli(['report', 'merge', d, '--out', path('m-out')]), join(d, 'index.json'), 'is not JSON');
    const summary = { targets: 1, conformant: 1, nonConformant: 0, couldNotRun: 0 };
    const row = { target: 'x', profile: 'intermediate', reportDir: 'x', exitCode: 'zero', verdict: 'conformant', pass: 1, fail: 0, inconclusive: 0, skip: 0 };
    writeFileSync(join(d, 'index.json'), JSON.stringify({ schemaVersion: 1, generatedAt: '2026-01-01T00:00:00Z', targets: [row], summary }));
    expectUsageError(await runCli(['report', 'merge', d, '--out', path('m-out')]), 'is not an index: it does not match its schema at targets.0.exitCode');
    writeFileSync(join(d, 'index.json'), '[]');
    expectUsageError(await runCli(['report', 'merge', d, '--out', path('m-out')]), 'is not an index');
    const r = path('m-report');
    mkdirSync(r);
    writeFileSync(join(r, 'report.json'), JSON.stringify({ schemaVersion: 1, summary: { verdict: 'conformant' }, target: {}, profile: {} }));
    expectUsageError(await runCli(['report', 'merge', r, '--out', path('m-out')]), join(r, 'report.json'), 'is not a report: it does not match its schema at tool');
    writeFileSync(join(d, 'index.json'), `{"schemaVersion":1,"targets":[${'"x",'.repeat(20 * 1024 * 1024)}"x"]}`);
    expectUsageError(await runCli(['report', 'merge', d, '--out', path('m-out')]), 'larger than 64 MB');
  });

  test('lint and verify: /dev/zero, a directory, a pubkey that is not a key', async () => {
    expectUsageError(await runCli(['lint', '/dev/zero']), '"/dev/zero"', 'larger than 8 MB');
    expectUsageError(await runCli(['lint', root]), 'EISDIR');
    expectUsageError(await runCli(['verify', root, '--pubkey', '/dev/zero']), '--pubkey "/dev/zero"', 'larger than 1 MB');
    expectUsageError(await runCli(['verify', root, '--pubkey', file('not-a-key.pem', 'hello\n')]), '--pubkey', 'not-a-key.pem', 'no readable PEM public key');
  });
});

// A real read-only file system: a read-only bind mount in a private mount namespace (unshare -m,
// root only), so nothing outside this test sees it. Elsewhere the test says why it is skipped.
const roOk = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind / /mnt 2>/dev/null; exit 0'], { encoding: 'utf8' }).status === 0 && process.getuid?.() === 0;

describe.skipIf(!roOk)('a read-only file system (bind mount in a private mount namespace)', () => {
  function inReadOnly(dir: string, args: string[]): CliRun {
    mkdirSync(dir, { recursive: true });
    const cli = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const r = spawnSync('unshare', ['-m', 'sh', '-c', `mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec ${cli}`, dir], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  test('--report-dir on it: exit 2, one line that says "read-only file system"', () => {
    const ro = path('ro-report');
    const run = inReadOnly(ro, ['run', '--certs', certs, '--report-dir', join(ro, 'report'), '-q', '--only', 'server/client-auth/valid']);
    expectUsageError(run, `--report-dir "${join(ro, 'report')}"`, 'read-only file system');
  });

  test('--certs on it: exit 2, one line that names the directory', () => {
    const ro = path('ro-certs');
    const run = inReadOnly(ro, ['run', '--certs', join(ro, 'certs'), '--report-dir', path('r-ro-certs'), '-q', '--only', 'server/client-auth/valid']);
    expectUsageError(run, join(ro, 'certs'), 'read-only file system');
  });
});

// Node's recursive mkdir spins forever under /proc (the parent exists, every child is ENOENT):
// every directory the CLI makes is made level by level, so these end at once with one line.
describe.skipIf(!existsSync('/proc/self'))('directories under /proc', () => {
  test.each([
    [['run', '--report-dir', '/proc/mtls-x/report', '-q'], '--report-dir "/proc/mtls-x/report"', 'cannot'],
    [['run', '--target-client', 'curl {url}', '--report-dir', '/proc/mtls-x/report', '-q'], '--report-dir "/proc/mtls-x/report"', 'cannot'],
    // An explicit --certs must exist: certs init (the next row) is what would make it.
    [['run', '--certs', '/proc/mtls-x/certs', '--report-dir', path('r-proc'), '-q'], '"/proc/mtls-x/certs"', 'does not exist'],
    [['certs', 'init', '/proc/mtls-x/certs'], '"/proc/mtls-x/certs"', 'cannot'],
  ])('%j: exit 2 at once', async (args, quoted, problem) => {
    const started = Date.now();
    const run = await runCli(args as string[], { timeoutMs: 15_000 });
    expectUsageError(run, quoted, problem);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
