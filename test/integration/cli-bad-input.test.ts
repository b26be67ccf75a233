import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import * as https from 'node:https';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';

// Every bad input: one line on stderr, the input quoted, the next step, exit 2 or 3, no stack trace.
const certs = join(mkdtempSync(join(tmpdir(), 'mtls-bad-')), 'certs');
const scratch = mkdtempSync(join(tmpdir(), 'mtls-bad-scratch-'));

beforeAll(async () => {
  expect((await runCli(['certs', 'init', certs])).code).toBe(0);
});

function expectOneLine(stderr: string, ...fragments: string[]): void {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  for (const f of fragments) expect(lines[0]).toContain(f);
}

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('usage errors exit 2', () => {
  const profileFile = join(scratch, 'bad-profile.yaml');
  const notPem = join(scratch, 'not.pem');
  const reportFile = join(scratch, 'a-file');
  beforeAll(() => {
    writeFileSync(profileFile, 'name: partner\ntls:\n  versions: [TLSv1.2]\n  cipher: ECDHE\n');
    writeFileSync(notPem, 'hello\n');
    writeFileSync(reportFile, 'x');
    mkdirSync(join(scratch, 'conformance-certs'), { recursive: true });
  });

  test.each([
    ['malformed URL', ['run', '--target', 'not a url'], ['"not a url"', 'https://host:port']],
    ['unknown scheme', ['run', '--target', 'htps://a:8443'], ['"htps://a:8443"', 'unknown scheme "htps"', 'Use https://host:port']],
    ['plain http scheme', ['run', '--target', 'http://127.0.0.1:8080'], ['unknown scheme "http"']],
    ['unknown builtin', ['run', '--target', 'builtin:nope'], ['"builtin:nope"', 'builtin:strict']],
    ['a path in --target (it would be dropped)', ['run', '--target', 'https://127.0.0.1:8443/api/v1?x=1'], ['"https://127.0.0.1:8443/api/v1?x=1"', '--http-path /api/v1?x=1']],
    ['--target-port without an image', ['run', '--target', 'https://127.0.0.1:8443', '--target-port', '9'], ['--target-port only goes with --target-image']],
    ['--target-env and --target-cmd without an image', ['run', '--target-env', 'A=b', '--target-cmd', 'x'], ['--target-env, --target-cmd only go with --target-image']],
    ['unknown profile name', ['run', '--profile', 'paranoid'], ['"paranoid"', 'intermediate', 'modern']],
    ['profile file with a wrong field', ['run', '--profile', profileFile], [`${profileFile}:4:3`, 'tls', 'unknown field "cipher"']],
    ['unreadable --issuer-cert', ['run', '--issuer-cert', join(scratch, 'missing.pem'), '--issuer-key', notPem], ['--issuer-cert', 'missing.pem', 'ENOENT']],
    ['non-PEM --issuer-cert', ['run', '--issuer-cert', notPem, '--issuer-key', notPem], ['--issuer-cert', 'no PEM certificate']],
    ['--issuer-cert without --issuer-key', ['run', '--issuer-cert', notPem], ['--issuer-key is missing']],
    ['--report-dir that is a file', ['run', '--report-dir', reportFile], ['--report-dir', 'a-file', 'is a file']],
    ['--concurrency 0', ['run', '--concurrency', '0'], ['--concurrency "0"', '≥ 1']],
    ['--timeout -1', ['run', '--timeout', '-1'], ['--timeout "-1"', 'positive duration']],
    ['--timeout abc', ['run', '--timeout', 'abc'], ['--timeout "abc"']],
    ['unknown flag', ['run', '--targett', 'https://a'], ["unknown option '--targett'. Did you mean \"--target\"?", 'conformance --help']],
    ['unknown command', ['rnu'], ["unknown command 'rnu'. Did you mean \"run\"?"]],
    ['unknown flag of another command', ['lint', '--jsn', 'x.pem'], ["unknown option '--jsn'. Did you mean \"--json\"?"]],
    // A typo in --certs must not mint a new CA (exit 3 and "reconfigure your server"): exit 2, the near sibling, certs init.
    ['--certs that does not exist', ['run', '--certs', './conformance-cert'], ['--certs "./conformance-cert" does not exist', 'Did you mean "./conformance-certs"?', 'conformance certs init ./conformance-cert']],
    ['serve --certs that does not exist', ['serve', '--certs', 'no-such-certs'], ['--certs "no-such-certs" does not exist', 'conformance certs init no-such-certs']],
    ['--only that matches nothing', ['run', '--only', 'server/nothing/*'], ['"server/nothing/*"', 'conformance cases']],
  ])('%s', async (_name, args, fragments) => {
    const run = await runCli([...args, '--certs', certs].filter((a, i, all) => !(a === '--certs' && all.indexOf('--certs') !== i)), { cwd: scratch });
    expect(run.code, run.stderr + run.stdout).toBe(2);
    expectOneLine(run.stderr, ...fragments);
  });

  test('mismatched --issuer-key', async () => {
    const run = await runCli(['run', '--certs', certs, '--issuer-cert', join(certs, 'trust', 'client-ca.pem'), '--issuer-key', join(certs, 'private', 'server-ca-key.pem')]);
    expect(run.code).toBe(2);
    expectOneLine(run.stderr, 'is not the key of --issuer-cert');
  });

  test('an unsupported Node gets one line and exit 2', async () => {
    const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => existsSync(p));
    if (!oldNode) return;
    const { execFileSync } = await import('node:child_process');
    const version = execFileSync(oldNode, ['-p', 'process.versions.node']).toString().trim();
    if (Number(version.split('.')[0]) >= 22) return;
    const run = await runCli(['run'], { node: oldNode });
    expect(run.code).toBe(2);
    expectOneLine(run.stderr, `this is Node ${version}`, 'Node 22.12+ or 24');
  });
});

describe('harness cannot run: exit 3', () => {
  test('port closed', async () => {
    const port = await freePort();
    const run = await runCli(['run', '--target', `https://127.0.0.1:${port}`, '--certs', certs, '--report-dir', join(scratch, 'r1')]);
    expect(run.code).toBe(3);
    expectOneLine(run.stderr, `127.0.0.1:${port}`, 'connection refused');
  });

  test('host that does not resolve', async () => {
    const run = await runCli(['run', '--target', 'https://no-such-host.invalid:8443', '--certs', certs, '--timeout', '3s', '--report-dir', join(scratch, 'r2')]);
    expect(run.code).toBe(3);
    expectOneLine(run.stderr, '"no-such-host.invalid"', 'does not resolve');
  });

  describe('servers started by the test', () => {
    const servers: { close: () => void }[] = [];
    afterAll(() => servers.forEach((s) => s.close()));

    test('a plain-HTTP port', async () => {
      const http = createHttpServer((_req, res) => res.end('plain'));
      await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
      servers.push(http);
      const port = (http.address() as AddressInfo).port;
      const run = await runCli(['run', '--target', `https://127.0.0.1:${port}`, '--certs', certs, '--report-dir', join(scratch, 'r3')]);
      expect(run.code).toBe(3);
      expectOneLine(run.stderr, 'not with TLS', `127.0.0.1:${port}`);
    });

    test('a port that accepts TCP and never answers: bounded by --timeout', async () => {
      const silent = createNetServer(() => undefined);
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
      servers.push(silent);
      const port = (silent.address() as AddressInfo).port;
      const t0 = Date.now();
      const run = await runCli(['run', '--target', `https://127.0.0.1:${port}`, '--certs', certs, '--timeout', '700ms', '--report-dir', join(scratch, 'r4')]);
      expect(run.code).toBe(3);
      expect(Date.now() - t0).toBeLessThan(15_000);
      expectOneLine(run.stderr, 'no TLS answer within 700 ms');
    });

    test('a target that does not trust the client CA: positive control fails, rejections inconclusive, exit 3', async () => {
      const srv = https.createServer(
        {
          key: readFileSync(join(certs, 'target', 'server-key.pem')),
          cert: readFileSync(join(certs, 'target', 'server-cert.pem')),
          ca: readFileSync(join(certs, 'ca', 'untrusted-ca.pem')),
          requestCert: true,
          rejectUnauthorized: true,
        },
        (_req, res) => res.end('ok'),
      );
      srv.on('tlsClientError', () => undefined);
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
      servers.push(srv);
      const port = (srv.address() as AddressInfo).port;
      const out = join(scratch, 'r5');
      const run = await runCli(['run', '--target', `https://127.0.0.1:${port}`, '--certs', certs, '--report-dir', out]);
      expect(run.code).toBe(3);
      expectOneLine(run.stderr, 'positive control server/client-auth/valid was not accepted', join(certs, 'trust', 'client-ca.pem'));
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
      const verdicts = Object.fromEntries(report.results.map((r: { id: string; verdict: string }) => [r.id, r.verdict]));
      expect(verdicts['server/client-auth/valid']).toBe('fail');
      expect(verdicts['server/client-auth/expired']).toBe('inconclusive');
      expect(verdicts['server/client-auth/untrusted-ca']).toBe('fail'); // it trusts that CA: accepting it is a real finding
      // The positive control was not accepted: the run's verdict is inconclusive (exit 3), whatever else failed.
      expect(report.summary.verdict).toBe('inconclusive');
    });
  });
});
