import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as http2 from 'node:http2';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, runCli, type CliRun } from '../helpers/cli.js';

/**
 * Hostile answers, part two (issue 17): scripted gRPC servers that send trailers no gRPC server
 * sends, damaged certificate-directory locks, hostile requests to the CRL/OCSP responder, report
 * files that carry markup, a client whose stderr quotes long paths, a report directory with a
 * symlink, and a server that refuses every handshake. Each is made here, at test time. Every run
 * ends with its exit code and one line, no stack trace, no process left, and the results the run
 * could judge kept in its report.
 */

const root = mkdtempSync(join(tmpdir(), 'mtls-hostile-answers-'));
const certs = join(root, 'certs');
const closers: (() => void)[] = [];

beforeAll(async () => {
  const init = await runCli(['certs', 'init', certs]);
  expect(init.code, init.stderr).toBe(0);
});
afterAll(() => {
  for (const close of closers) close();
});

/** No stack frame, no internal fault; the last line of stderr contains every fragment; returns it. */
function expectOneLine(stderr: string, ...fragments: string[]): string {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/internal fault|Unhandled|URIError/);
  const line = stderr.trim().split('\n').pop()!;
  for (const f of fragments) expect(line).toContain(f);
  return line;
}

/** Exit 2 and exactly one line on stderr with every fragment. */
function expectUsageError(run: CliRun, ...fragments: string[]): void {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(2);
  expect(run.stderr.trim().split('\n'), run.stderr).toHaveLength(1);
  expectOneLine(run.stderr, ...fragments);
}

interface ReportResult {
  id: string;
  verdict: string;
  reason: string;
  observed: { outcome: string; httpStatus: number | null; grpcStatus?: number | null; detail: string } | null;
}
function resultsOf(dir: string): Map<string, ReportResult> {
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { results: ReportResult[] };
  return new Map(report.results.map((r) => [r.id, r]));
}

// --- 1, 2: gRPC answers

/** What the scripted gRPC server sends on one stream: headers, an optional body, and trailers (or none). */
interface GrpcAnswer {
  headers: http2.OutgoingHttpHeaders;
  body?: string;
  trailers?: http2.OutgoingHttpHeaders;
}
const OK: GrpcAnswer = { headers: { ':status': 200, 'content-type': 'application/grpc' }, body: '\0\0\0\0\0', trailers: { 'grpc-status': '0' } };

/**
 * An HTTP/2 server with the store's server certificate that asks for a client certificate and lets
 * every one through the handshake; `answer` decides per stream, knowing whether the client's
 * certificate verified against the store's client CA. A real gRPC server never answers like this.
 */
async function grpcServer(answer: (authorized: boolean) => GrpcAnswer): Promise<string> {
  const server = http2.createSecureServer({
    key: readFileSync(join(certs, 'target', 'server-key.pem')),
    cert: readFileSync(join(certs, 'target', 'server-cert.pem')),
    ca: readFileSync(join(certs, 'trust', 'client-ca.pem')),
    requestCert: true,
    rejectUnauthorized: false,
    allowHTTP1: false,
  });
  server.on('stream', (stream) => {
    stream.on('error', () => undefined);
    // Read the call to its end, then answer.
    stream.resume();
    stream.on('end', () => {
      const a = answer((stream.session?.socket as TLSSocket | undefined)?.authorized === true);
      stream.respond(a.headers, { waitForTrailers: a.trailers !== undefined, endStream: a.body === undefined && a.trailers === undefined });
      if (a.trailers) stream.once('wantTrailers', () => stream.sendTrailers(a.trailers!));
      if (a.body !== undefined || a.trailers) stream.end(a.body === undefined ? undefined : Buffer.from(a.body, 'latin1'));
    });
  });
  server.on('sessionError', () => undefined);
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => server.close());
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function grpcRun(url: string, name: string): Promise<{ run: CliRun; dir: string }> {
  const dir = join(root, `r-grpc-${name}`);
  const run = await runCli(['run', '--target', url, '--protocol', 'grpc', '--certs', certs, '--target-ca', join(certs, 'trust', 'server-ca.pem'), '--report-dir', dir, '--only', 'server/client-auth/*', '--timeout', '3s'], { timeoutMs: 90_000 });
  return { run, dir };
}

describe('gRPC answers no gRPC server sends', () => {
  test('1. grpc-message with invalid percent-encoding: the raw text is kept, the run completes and judges', async () => {
    const url = await grpcServer((authorized) => (authorized ? OK : { ...OK, trailers: { 'grpc-status': '16', 'grpc-message': 'bad %E0%A4%A' } }));
    const { run, dir } = await grpcRun(url, 'message');
    expectOneLine(run.stderr);
    // The recommended eku-absent refusal aside, every bad certificate got 16 UNAUTHENTICATED: conformant.
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const results = resultsOf(dir);
    expect(results.get('server/client-auth/valid')!.verdict).toBe('pass');
    const expired = results.get('server/client-auth/expired')!;
    expect(expired.verdict).toBe('pass');
    expect(expired.observed).toMatchObject({ outcome: 'grpc-status', grpcStatus: 16 });
    expect(expired.observed!.detail).toContain('UNAUTHENTICATED: bad %E0%A4%A');
  });

  test.each([
    ['zzz', 'grpc-status "zzz" is not a gRPC status code'],
    ['99999999999999999999999', 'grpc-status "99999999999999999999999" is not a gRPC status code'],
  ])('2. grpc-status %j to every bad certificate: each reject case fails with what was seen; the control passes; exit 1', async (status, seen) => {
    const url = await grpcServer((authorized) => (authorized ? OK : { ...OK, trailers: { 'grpc-status': status } }));
    const { run, dir } = await grpcRun(url, `status-${status.length}`);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(1);
    expectOneLine(run.stderr);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/NaN|1e\+23/);
    const results = resultsOf(dir);
    expect(results.get('server/client-auth/valid')!.verdict).toBe('pass');
    for (const id of ['server/client-auth/expired', 'server/client-auth/untrusted-ca', 'server/client-auth/no-cert']) {
      const r = results.get(id)!;
      expect(r.observed, id).toMatchObject({ outcome: 'malformed-answer', grpcStatus: null, httpStatus: 200 });
      expect(r.verdict, id).toBe('fail');
      expect(r.reason, id).toContain(seen);
    }
  });

  test.each([
    ['no grpc-status at all', { headers: { ':status': 200, 'content-type': 'application/grpc' }, body: '\0\0\0\0\0' }, 'answered with HTTP 200 and no grpc-status'],
    ['HTTP 500 with a text body', { headers: { ':status': 500, 'content-type': 'text/plain' }, body: 'upstream exploded' }, 'answered with HTTP 500 and no grpc-status: upstream exploded'],
  ] as [string, GrpcAnswer, string][])('2. the control gets %s: exit 3, one line saying what was seen, every result kept', async (_name, bad, seen) => {
    const url = await grpcServer(() => bad);
    const { run, dir } = await grpcRun(url, `control-${bad.headers[':status']}-${bad.body?.length}`);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(3);
    const line = expectOneLine(run.stderr, 'the positive control server/client-auth/valid was not accepted (a malformed gRPC answer', seen, '--http-path');
    expect(line.length).toBeLessThan(700);
    const results = resultsOf(dir);
    expect(results.get('server/client-auth/valid')).toMatchObject({ verdict: 'fail', observed: { outcome: 'malformed-answer' } });
    // Not a pass: the answer is not a refusal the profile names.
    expect(results.get('server/client-auth/expired')!.verdict).toBe('fail');
    expect(results.size).toBeGreaterThan(10);
  });
});

// --- 3: the certificate directory's lock

/** A copy of the store made in beforeAll, so a damaged lock touches no other test. */
function storeCopy(name: string): string {
  const dir = join(root, name);
  cpSync(certs, dir, { recursive: true });
  return dir;
}

/** Whether a process still runs (a zombie waiting for its reaper counts as gone). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** /proc/PID/stat field 22, the process's start time: what a lock records. */
function startOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

/** A process that is not a run of ours: `sleep`, ended by the test by its PID. */
function sleeper(): ChildProcess {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  closers.push(() => child.kill('SIGKILL'));
  return child;
}

/** The CLI as a child whose stderr the test watches as it comes. */
function startCli(args: string[]): { child: ChildProcess; stderr: () => string; ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; waitFor: (re: RegExp, ms: number) => Promise<number> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  closers.push(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const began = Date.now();
  const waitFor = (re: RegExp, ms: number) =>
    new Promise<number>((resolve, reject) => {
      const tick = setInterval(() => {
        if (re.test(stderr)) {
          clearInterval(tick);
          resolve(Date.now() - began);
        } else if (Date.now() - began > ms) {
          clearInterval(tick);
          reject(new Error(`no ${re} on stderr within ${ms} ms: ${stderr}`));
        }
      }, 25);
    });
  return { child, stderr: () => stderr, ended, waitFor };
}

describe('the certificate directory lock', () => {
  const runOn = (dir: string, name: string) => runCli(['run', '--certs', dir, '--report-dir', join(root, `r-lock-${name}`), '-q', '--only', 'server/client-auth/valid'], { timeoutMs: 30_000 });

  test('a directory at the lock path: exit 2, one line naming it, for run and certs init', async () => {
    const dir = storeCopy('c-lock-dir');
    mkdirSync(join(dir, '.lock'));
    expectUsageError(await runOn(dir, 'dir'), `"${join(dir, '.lock')}"`, 'is a directory, not a regular file', '--certs');
    expectUsageError(await runCli(['certs', 'init', dir]), 'is a directory, not a regular file');
    expect(existsSync(join(dir, '.lock'))).toBe(true);
  });

  test('a FIFO or a symbolic link to /dev/zero at the lock path: exit 2 at once, nothing opened', async () => {
    const dir = storeCopy('c-lock-fifo');
    expect(spawnSync('mkfifo', [join(dir, '.lock')]).status).toBe(0);
    const started = Date.now();
    expectUsageError(await runOn(dir, 'fifo'), `"${join(dir, '.lock')}"`, 'is a FIFO (named pipe), not a regular file');
    expect(Date.now() - started).toBeLessThan(15_000);
    const link = storeCopy('c-lock-link');
    symlinkSync('/dev/zero', join(link, '.lock'));
    expectUsageError(await runOn(link, 'link'), 'is a symbolic link, not a regular file');
  });

  test.each([
    ['a bare PID (as older versions wrote)', (pid: number) => String(pid)],
    ['our record with another start time (the PID was reused)', (pid: number) => JSON.stringify({ pid, start: '1', command: 'node /x/main.js run' })],
  ])('the PID of an unrelated live process, %s: taken over at once, silently', async (_name, content) => {
    const other = sleeper();
    const dir = storeCopy(`c-lock-reused-${content(1).length}`);
    writeFileSync(join(dir, '.lock'), content(other.pid!));
    const started = Date.now();
    const r = await runOn(dir, `reused-${content(1).length}`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(running(other.pid!)).toBe(true);
    expect(existsSync(join(dir, '.lock'))).toBe(false);
  });

  test('a live run holding it: within 2 s one line names its PID and command; the run goes on once it ends', async () => {
    const owner = sleeper();
    const dir = storeCopy('c-lock-live');
    writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: owner.pid, start: startOf(owner.pid!), command: 'node /opt/ci/main.js run', startedAt: '2026-12-03T09:00:00.000Z' }));
    const cli = startCli(['run', '--certs', dir, '--report-dir', join(root, 'r-lock-live'), '-q', '--only', 'server/client-auth/valid']);
    const saidAt = await cli.waitFor(/waiting for/, 5000);
    expect(saidAt).toBeLessThan(2500);
    const line = cli.stderr().trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain(`PID ${owner.pid} ("node /opt/ci/main.js run", started 2026-12-03T09:00:00.000Z)`);
    owner.kill('SIGKILL');
    const end = await cli.ended;
    expect(end.code, cli.stderr()).toBe(0);
    expect(resultsOf(join(root, 'r-lock-live')).get('server/client-auth/valid')!.verdict).toBe('pass');
  });

  test('SIGTERM while waiting for the lock ends the run within 2 s, exit 143, the process gone', async () => {
    const owner = sleeper();
    const dir = storeCopy('c-lock-term');
    writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: owner.pid, start: startOf(owner.pid!), command: 'node /opt/ci/main.js run' }));
    const cli = startCli(['run', '--certs', dir, '--report-dir', join(root, 'r-lock-term'), '-q']);
    await cli.waitFor(/waiting for/, 5000);
    const sentAt = Date.now();
    cli.child.kill('SIGTERM');
    const end = await cli.ended;
    expect(Date.now() - sentAt).toBeLessThan(2000);
    expect(end.code).toBe(143);
    expect(cli.stderr()).not.toMatch(/^\s+at /m);
    expect(running(cli.child.pid!)).toBe(false);
    // The lock was the other run's: left alone.
    expect(readFileSync(join(dir, '.lock'), 'utf8')).toContain(String(owner.pid));
  });

  test('a FIFO and SIGTERM: nothing blocks, so the run has ended before the signal could matter', async () => {
    const dir = storeCopy('c-lock-fifo-term');
    expect(spawnSync('mkfifo', [join(dir, '.lock')]).status).toBe(0);
    const cli = startCli(['run', '--certs', dir, '--report-dir', join(root, 'r-lock-fifo-term'), '-q']);
    const timer = setTimeout(() => cli.child.kill('SIGTERM'), 5000);
    const end = await cli.ended;
    clearTimeout(timer);
    expect(end.code, cli.stderr()).toBe(2);
    expect(running(cli.child.pid!)).toBe(false);
  });
});

// --- 4: report merge output

describe('report merge writes what artifacts hold as text, never markup or rows', () => {
  test('<script>, <img onerror>, "|" and newlines in targets and errors: escaped in index.md; one row per target', async () => {
    const job = join(root, 'm-job');
    mkdirSync(job);
    // Each target its own directory (merge counts a directory named twice once), relative to the index.
    let n = 0;
    const row = (target: string, error?: string) => ({ target, profile: 'intermediate', reportDir: `t${++n}`, exitCode: 3, verdict: 'could-not-run', pass: 0, fail: 0, inconclusive: 0, skip: 0, ...(error ? { error } : {}) });
    const targets = [
      row('https://a.example:8443/<script>alert(1)</script>', 'error: <img src=x onerror=alert(2)> refused'),
      row('https://b.example:8443 | forged | conformant | 99 | 0 | 0 | |\n| https://evil.example | x | conformant | 1 | 0 | 0 | |', 'line one\n| forged row | x | conformant | 1 | 0 | 0 | |'),
      row('tls://c.example:443', '[click](javascript:alert(3)) @here `code` *x* _y_'),
    ];
    writeFileSync(join(job, 'index.json'), JSON.stringify({ schemaVersion: 1, generatedAt: '2026-12-03T09:00:00Z', targets, summary: { targets: 3, conformant: 0, nonConformant: 0, couldNotRun: 3 } }));
    const out = join(root, 'm-out');
    const run = await runCli(['report', 'merge', job, '--out', out]);
    // Three targets that could not run: exit 3, as the index says.
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    const md = readFileSync(join(out, 'index.md'), 'utf8');
    expect(md).not.toMatch(/<script|<img|(?<!\\)\]\(javascript:|@here/);
    expect(md).toContain('&lt;script&gt;');
    expect(md).toContain('\\[click\\](javascript:');
    const tableRows = md.split('\n').filter((l) => l.startsWith('|'));
    // Header, separator, three targets: no forged row.
    expect(tableRows).toHaveLength(5);
    // Every row has exactly the table's 9 cell borders (8 columns); the rest of the "|" are escaped.
    for (const l of tableRows) expect(l.replace(/\\\|/g, '').split('|')).toHaveLength(10);
    // index.json keeps the text as it was (data, not markup).
    expect(JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')).targets[0].target).toBe(targets[0]!.target);
  });
});

// --- 5: hostile requests to the CRL/OCSP responder (under `conformance serve`)

/** Send raw bytes to 127.0.0.1:port and read the status line of the answer (bounded). */
function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write(bytes));
    let got = '';
    const timer = setTimeout(() => s.destroy(), 5000);
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got.split('\r\n')[0] ?? '');
    });
  });
}

describe('the CRL/OCSP responder under hostile requests', () => {
  test('a broken percent-encoding is 400, slow connections are closed within the header bound, the rest is served; SIGINT ends serve cleanly', async () => {
    const dir = storeCopy('c-responder');
    const port = (JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { revocationPort: number }).revocationPort;
    const serve = spawn(process.execPath, [CLI, 'serve', '--json', '--certs', dir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    closers.push(() => serve.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    serve.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    serve.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => serve.on('close', (code, signal) => resolve({ code, signal })));
    for (let i = 0; i < 200 && !stdout.includes('\n'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(stdout, stderr).toContain('\n');

    expect(await rawRequest(port, 'GET /ocsp/%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await rawRequest(port, 'GET /ocsp/%ZZ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');

    // 200 connections that never finish a request: half send part of the headers, half nothing.
    const slow: Socket[] = [];
    let closed = 0;
    for (let i = 0; i < 200; i++) {
      const s = connect(port, '127.0.0.1', () => {
        if (i % 2) s.write('GET /crl/client-ca.crl HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      });
      s.on('error', () => undefined);
      s.on('close', () => closed++);
      s.resume();
      slow.push(s);
    }
    const began = Date.now();
    while (closed < 200 && Date.now() - began < 6000) await new Promise((r) => setTimeout(r, 100));
    for (const s of slow) s.destroy();
    expect(closed).toBe(200);
    expect(Date.now() - began).toBeLessThan(4500);

    // The responder still serves what the certificates name.
    expect(await rawRequest(port, 'GET /crl/client-ca.crl HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')).toBe('HTTP/1.1 200 OK');
    serve.kill('SIGINT');
    expect(await ended).toEqual({ code: 0, signal: null });
    expect(stderr).toBe('');
    expect(running(serve.pid!)).toBe(false);
  });
});

// --- 6: --servername

describe('--servername that no TLS client can send', () => {
  test.each([[''], ['a b'], ['*.example.com'], ['bad\u0001host'], ['x'.repeat(300)]])('%j: exit 2, one line naming the flag, before any connection', async (name) => {
    const url = await grpcServer(() => OK);
    const dir = join(root, 'r-servername');
    const run = await runCli(['run', '--target', url, '--protocol', 'grpc', '--servername', name, '--certs', certs, '--report-dir', dir, '--only', 'server/client-auth/valid']);
    expectUsageError(run, '--servername', 'Pass');
    expect(run.stderr).not.toContain('ERR_INVALID_URL');
    expect(existsSync(join(dir, 'report.json'))).toBe(false);
  });

  test('in a targets file entry: refused by entry, nothing runs', async () => {
    const file = join(root, 't-servername.yaml');
    writeFileSync(file, '- target: builtin:strict\n  args: ["--servername", ""]\n');
    const run = await runCli(['run', '--targets-file', file, '--certs', certs, '--report-dir', join(root, 'r-t-servername')]);
    expectUsageError(run, 't-servername.yaml', '--servername');
  });

  test('a valid name still runs: the control passes over HTTP/2', async () => {
    const url = await grpcServer(() => OK);
    const dir = join(root, 'r-servername-ok');
    const run = await runCli(['run', '--target', url, '--protocol', 'grpc', '--servername', 'localhost', '--certs', certs, '--report-dir', dir, '--only', 'server/client-auth/valid']);
    expect(run.code, run.stderr).toBe(0);
    expect(resultsOf(dir).get('server/client-auth/valid')!.verdict).toBe('pass');
  });
});

// --- 7: a client's stderr in the one error line

describe('a client whose stderr quotes the long paths it was handed', () => {
  test('the error line quotes at most 300 characters of it, the paths named {cert} {key}; the report is kept', async () => {
    const longCerts = join(root, `c-${'a-long-certificate-directory-'.repeat(7)}`);
    cpSync(certs, longCerts, { recursive: true });
    const script = join(root, 'pem-client.sh');
    // As curl says it when it cannot load what it was handed; then a long tail of OpenSSL words.
    writeFileSync(script, `echo "curl: (58) could not load PEM client certificate from $CONFORMANCE_CLIENT_CERT with key $CONFORMANCE_CLIENT_KEY, OpenSSL error error:80000002:system library::No such file or directory, $(head -c 400 /dev/zero | tr '\\0' 'z')" >&2\nexit 58\n`);
    const dir = join(root, 'r-pem');
    const run = await runCli(['run', '--target-client', `sh ${script} {url}`, '--certs', longCerts, '--report-dir', dir, '--only', 'client/server-auth/expired', '--timeout', '3s'], { timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    const line = expectOneLine(run.stderr, 'client stderr: curl: (58) could not load PEM client certificate from {cert} with key {key}, OpenSSL error');
    const quoted = /client stderr: (.*)\), so no refusal can be judged/.exec(line)![1]!;
    expect(quoted.replace(/… \(\d+ more characters\)$/, '').length).toBeLessThanOrEqual(300);
    expect(quoted).toMatch(/z… \(\d+ more characters\)$/);
    // Outside the quote, the line names the CA file once (the next step), and nothing else grows with the path.
    expect(line.length - quoted.length).toBeLessThan(longCerts.length + 300);
    expect(line.split(longCerts).length - 1).toBe(1);
    // The run's other results are kept: the report holds the case that ran, judged.
    expect(resultsOf(dir).get('client/server-auth/expired')!.verdict).toBe('inconclusive');
  });
});

// --- 8: verify and symbolic links in the report directory

describe('verify: the evidence is the files in the directory', () => {
  test('report.md or manifest.json as a symbolic link out of the directory (identical bytes): one "differs" line each, exit 1; a FIFO is not read', async () => {
    const dir = join(root, 'r-verify');
    const run = await runCli(['run', '--certs', certs, '--report-dir', dir, '-q', '--only', 'server/client-auth/valid']);
    expect(run.code, run.stderr).toBe(0);
    const clean = await runCli(['verify', dir]);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);

    const outside = join(root, 'outside');
    mkdirSync(outside);
    const swap = (name: string) => {
      const copy = join(outside, name);
      cpSync(join(dir, name), copy);
      spawnSync('rm', [join(dir, name)]);
      symlinkSync(copy, join(dir, name));
      return copy;
    };
    const restore = (name: string) => {
      spawnSync('rm', [join(dir, name)]);
      cpSync(join(outside, name), join(dir, name));
    };

    const md = swap('report.md');
    const linked = await runCli(['verify', dir]);
    expect(linked.code, linked.stdout + linked.stderr).toBe(1);
    expect(linked.stdout.trim().split('\n')).toEqual([`differs: report.md: a symbolic link (to "${md}"), not a file in the report directory`]);
    expect(linked.stderr).toBe('');
    restore('report.md');

    swap('manifest.json');
    const manifest = await runCli(['verify', dir]);
    expect(manifest.code).toBe(1);
    expect(manifest.stdout).toMatch(/^differs: manifest\.json: a symbolic link/);
    restore('manifest.json');

    spawnSync('rm', [join(dir, 'report.html')]);
    expect(spawnSync('mkfifo', [join(dir, 'report.html')]).status).toBe(0);
    const started = Date.now();
    const fifo = await runCli(['verify', dir], { timeoutMs: 15_000 });
    expect(fifo.code).toBe(1);
    expect(fifo.stdout).toContain('differs: report.html: not a regular file (a FIFO)');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(fifo.stderr).not.toMatch(/^\s+at /m);
  });
});

// --- 9: a target that completes no handshake

/** A TCP server that answers every ClientHello with a fatal alert 80 internal_error, as a TLS server that cannot use its own certificate does. */
async function alert80Server(): Promise<string> {
  const server = createTcpServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end(Buffer.from([0x15, 3, 3, 0, 2, 2, 80])));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => server.close());
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A healthy TLS 1.3-only server with mutual TLS that answers HTTP 200: it refuses every TLS 1.2 suite by choice. */
async function tls13OnlyServer(): Promise<string> {
  const server = createTlsServer({
    key: readFileSync(join(certs, 'target', 'server-key.pem')),
    cert: readFileSync(join(certs, 'target', 'server-cert.pem')),
    ca: readFileSync(join(certs, 'trust', 'client-ca.pem')),
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.3',
  });
  server.on('secureConnection', (socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => server.close());
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('checks that could not complete one handshake', () => {
  const ONLY = ['--only', 'server/cipher/*', '--only', 'server/protocol/renegotiation'];

  test('alert 80 to every ClientHello: the suite sweeps and renegotiation are inconclusive, not pass or skip; exit 3, one line', async () => {
    const url = await alert80Server();
    const dir = join(root, 'r-alert80');
    const run = await runCli(['run', '--target', url, '--certs', certs, '--report-dir', dir, '--timeout', '2s', ...ONLY], { timeoutMs: 60_000 });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(3);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expectOneLine(run.stderr, 'alert 80 internal_error', "check the server's TLS configuration");
    expect(run.stdout).not.toMatch(/^PASS/m);
    const results = resultsOf(dir);
    for (const id of ['server/cipher/tls1.2-suites', 'server/cipher/tls1.3-suites']) {
      const r = results.get(id)!;
      expect(r.verdict, id).toBe('inconclusive');
      expect(r.reason, id).toContain('the target completed no handshake: no ClientHello got a ServerHello');
      expect(r.reason, id).toContain('alert 80 internal_error');
    }
    expect(results.get('server/protocol/renegotiation')!.verdict).toBe('inconclusive');
    // The control's own result is kept, with what it saw.
    expect(results.get('server/client-auth/valid')).toMatchObject({ verdict: 'fail', observed: { outcome: 'handshake-alert' } });
  });

  test('a healthy TLS 1.3-only server still passes "accepts no TLS 1.2 suite"; renegotiation is a skip', async () => {
    const url = await tls13OnlyServer();
    const dir = join(root, 'r-tls13only');
    const run = await runCli(['run', '--target', url, '--certs', certs, '--target-ca', join(certs, 'trust', 'server-ca.pem'), '--report-dir', dir, '--timeout', '2s', ...ONLY], { timeoutMs: 60_000 });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const results = resultsOf(dir);
    expect(results.get('server/cipher/tls1.2-suites')).toMatchObject({ verdict: 'pass', reason: 'accepts no TLSv1.2 suite' });
    expect(results.get('server/cipher/tls1.3-suites')!.verdict).toBe('pass');
    expect(results.get('server/protocol/renegotiation')!.verdict).toBe('skip');
  });
});
