import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';

/**
 * Hostile peers, scripted here: TCP servers on 127.0.0.1 that answer a ClientHello with
 * malformed TLS, and client programs that leave children behind, flood stderr or print their
 * private key. Every run ends within bounds, says what happened in one line, leaves no process
 * it started, and writes no key into any report. Signals and a closed stdout end a run cleanly.
 */

const root = mkdtempSync(join(tmpdir(), 'mtls-hostile-peers-'));
const certs = join(root, 'certs');
mkdirSync(certs, { recursive: true });
const servers: Server[] = [];

beforeAll(async () => {
  const init = await runCli(['certs', 'init', certs]);
  expect(init.code, init.stderr).toBe(0);
});
afterAll(() => {
  for (const s of servers) s.close();
});

/** A TCP server that reads the first bytes of each connection (the ClientHello) and then does `answer`. */
async function scriptedServer(answer: (socket: Socket) => void): Promise<string> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => answer(socket));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function record(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, 3, 3, body.length >> 8, body.length & 0xff]), body]);
}

/** A TLS 1.2 ServerHello (ECDHE-RSA-AES128-GCM-SHA256, empty renegotiation_info) so the client reads on. */
function serverHello12(): Buffer {
  const body = Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 7), Buffer.from([0, 0xc0, 0x2f, 0, 0, 5, 0xff, 0x01, 0, 1, 0])]);
  return record(0x16, Buffer.concat([Buffer.from([2, 0, 0, body.length]), body]));
}

/** A Certificate handshake message of `bytes`, split over maximum-size records. */
function hugeCertificate(bytes: number): Buffer {
  const msg = Buffer.alloc(4 + bytes);
  msg[0] = 0x0b;
  msg.writeUIntBE(bytes, 1, 3);
  const out: Buffer[] = [];
  for (let o = 0; o < msg.length; o += 16384) out.push(record(0x16, msg.subarray(o, o + 16384)));
  return Buffer.concat(out);
}

function expectOneLine(stderr: string, ...fragments: string[]): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toContain('internal fault');
  const line = stderr.trim().split('\n').pop()!;
  for (const f of fragments) expect(line).toContain(f);
}

describe('malformed TLS from the target is named, not "cannot reach"', () => {
  test.each([
    ['a record header announcing 64 KB, never completed', (s: Socket) => s.write(Buffer.from([0x16, 3, 3, 0xff, 0xff])), 'the target sent a TLS record of 64 KB'],
    ['a handshake message announcing 16 MB', (s: Socket) => s.write(record(0x16, Buffer.from([0x02, 0xff, 0xff, 0xff]))), 'the target announced a ServerHello of 16 MB'],
    ['a 1 MB certificate chain', (s: Socket) => s.write(Buffer.concat([serverHello12(), hugeCertificate(1024 * 1024)])), 'a handshake message larger than a TLS client accepts'],
    ['application data before any handshake', (s: Socket) => s.write(record(0x17, Buffer.from('hello'))), 'application_data before any ServerHello'],
  ])('%s', async (_name, answer, fragment) => {
    const url = await scriptedServer(answer);
    const started = Date.now();
    const run = await runCli(['run', '--target', url, '--certs', certs, '--report-dir', join(root, 'r-tls'), '--timeout', '2s']);
    expect(run.code, run.stderr).toBe(3);
    expectOneLine(run.stderr, 'answers, but', fragment, 'refused', url);
    expect(run.stderr).not.toContain('cannot reach');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  test.each([
    ['closes at once', (s: Socket) => s.end()],
    ['resets at once', (s: Socket) => s.resetAndDestroy()],
  ])('a port that accepts and %s, without a byte: not TLS, exit 3, no case runs', async (_name, answer) => {
    const url = await scriptedServer(answer);
    const dir = join(root, `r-notls-${_name.replace(/\W+/g, '-')}`);
    const run = await runCli(['run', '--target', url, '--certs', certs, '--report-dir', dir, '--timeout', '2s']);
    expect(run.code, run.stderr).toBe(3);
    expectOneLine(run.stderr, 'accepts connections but', 'without a TLS answer', url);
    // Before, the cipher sweeps "passed" against it and 36 cases were inconclusive.
    expect(existsSync(join(dir, 'report.json'))).toBe(false);
  });
});

/** Whether a process still runs (a zombie waiting for its reaper counts as gone). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function pidsIn(file: string): number[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split(/\s+/).filter(Boolean).map(Number) : [];
}

describe('client programs cannot leak', () => {
  test('a background child left in the process group dies after every case', async () => {
    const pids = join(root, 'bg-pids');
    const script = join(root, 'bg-client.sh');
    // The child keeps no pipe open (the probe would otherwise wait for it): it must be killed by group.
    writeFileSync(script, `sleep 120 >/dev/null 2>&1 &\necho $! >> ${pids}\nexit 1\n`);
    const run = await runCli(['run', '--target-client', `sh ${script}`, '--certs', certs, '--report-dir', join(root, 'r-bg'), '--only', 'client/server-auth/*', '--timeout', '3s'], { timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(3);
    const left = pidsIn(pids);
    expect(left.length).toBeGreaterThan(3);
    await new Promise((r) => setTimeout(r, 200));
    expect(left.filter(running)).toEqual([]);
  });

  test('a descendant that leaves the process group (setsid) dies after its case too', async () => {
    const pids = join(root, 'setsid-pids');
    const script = join(root, 'setsid-client.sh');
    // setsid gives the sleeper a session and group of its own: the group kill cannot reach it.
    writeFileSync(script, `setsid sh -c 'echo $$ >> ${pids}; exec sleep 120' >/dev/null 2>&1 < /dev/null &\nsleep 0.2\nexit 1\n`);
    const run = await runCli(['run', '--target-client', `sh ${script}`, '--certs', certs, '--report-dir', join(root, 'r-setsid'), '--only', 'client/server-auth/expired', '--timeout', '3s'], { timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(3);
    const left = pidsIn(pids);
    expect(left.length).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(left.filter(running)).toEqual([]);
  });

  test('a 20 KB stderr line is cut to a few hundred characters in every message', async () => {
    const script = join(root, 'loud-client.sh');
    writeFileSync(script, `head -c 20000 /dev/zero | tr '\\0' 'x' >&2\necho >&2\nexit 1\n`);
    const run = await runCli(['run', '--target-client', `sh ${script}`, '--certs', certs, '--report-dir', join(root, 'r-loud'), '--only', 'client/server-auth/expired', '--timeout', '3s']);
    expect(run.code).toBe(3);
    for (const line of `${run.stdout}\n${run.stderr}`.split('\n')) expect(line.length).toBeLessThan(1000);
    expect(run.stderr).toMatch(/x{300}… \(\d+ more characters\)/);
    const report = readFileSync(join(root, 'r-loud', 'report.json'), 'utf8');
    expect(report.length).toBeLessThan(200_000);
  });

  test('a client that prints its private key: a finding in the report, the key in no file', async () => {
    const script = join(root, 'key-client.sh');
    // Its own key (the harness-issued one) and a fresh key, on both streams.
    writeFileSync(script, 'cat "$CONFORMANCE_CLIENT_KEY"\ncat "$CONFORMANCE_CLIENT_KEY" >&2\nopenssl genpkey -algorithm ed25519 2>/dev/null\nexit 1\n');
    const dir = join(root, 'r-key');
    const run = await runCli(['run', '--target-client', `sh ${script}`, '--certs', certs, '--report-dir', dir, '--only', 'client/server-auth/expired', '--timeout', '3s']);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).not.toContain('internal fault');
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/PRIVATE KEY|MC4CAQAw|MIIE/);
    const files = readdirSync(dir);
    expect(files).toEqual(expect.arrayContaining(['report.json', 'junit.xml', 'manifest.json']));
    for (const f of files) expect(readFileSync(join(dir, f), 'utf8'), f).not.toMatch(/PRIVATE KEY|MC4CAQAw|MIIE[A-Za-z0-9+/]{20}/);
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toContain('the client printed private key material on stdout and stderr');
  });

  test('a working client that also prints its key fails client/certificate/key-not-printed (exit 1); a quiet one passes it', async () => {
    const leaky = join(root, 'leaky-client.sh');
    writeFileSync(leaky, 'cat "$CONFORMANCE_CLIENT_KEY" >&2\nexec curl -sS --max-time 3 --cacert "$CONFORMANCE_CA_FILE" --cert "$CONFORMANCE_CLIENT_CERT" --key "$CONFORMANCE_CLIENT_KEY" "$CONFORMANCE_URL"\n');
    const quiet = join(root, 'quiet-client.sh');
    writeFileSync(quiet, 'exec curl -sS --max-time 3 --cacert "$CONFORMANCE_CA_FILE" --cert "$CONFORMANCE_CLIENT_CERT" --key "$CONFORMANCE_CLIENT_KEY" "$CONFORMANCE_URL"\n');
    const verdictOf = (dir: string) => (JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { results: { id: string; verdict: string; reason: string }[] }).results.find((r) => r.id === 'client/certificate/key-not-printed')!;
    const leakyRun = await runCli(['run', '--target-client', `sh ${leaky}`, '--certs', certs, '--report-dir', join(root, 'r-leaky'), '--only', 'client/certificate/*', '--timeout', '3s']);
    expect(leakyRun.code, leakyRun.stdout + leakyRun.stderr).toBe(1);
    expect(verdictOf(join(root, 'r-leaky'))).toMatchObject({ verdict: 'fail', reason: expect.stringContaining('printed private key material on stderr') });
    expect(`${leakyRun.stdout}${leakyRun.stderr}`).not.toMatch(/PRIVATE KEY/);
    const quietRun = await runCli(['run', '--target-client', `sh ${quiet}`, '--certs', certs, '--report-dir', join(root, 'r-quiet'), '--only', 'client/certificate/*', '--timeout', '3s']);
    expect(verdictOf(join(root, 'r-quiet')).verdict, quietRun.stdout + quietRun.stderr).toBe('pass');
  });
});

/** Start the CLI, wait until it printed `ready` (or a delay), send `signal`, and time the end. */
function runAndSignal(args: string[], signal: NodeJS.Signals, afterMs: number): Promise<{ code: number | null; stderr: string; endedMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    let sentAt = 0;
    setTimeout(() => {
      sentAt = Date.now();
      child.kill(signal);
    }, afterMs);
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the CLI did not end after ${signal}: ${stderr}`));
    }, afterMs + 10_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stderr, endedMs: Date.now() - sentAt });
    });
  });
}

describe('signals and a closed stdout', () => {
  test.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s ends a run within 2 s, exit %i, and stops the client process group it started', async (signal, exitCode) => {
    const pids = join(root, `slow-${signal}`);
    const script = join(root, `slow-${signal}.sh`);
    writeFileSync(script, `echo $$ >> ${pids}\nsleep 120 &\necho $! >> ${pids}\nwait\n`);
    const r = await runAndSignal(['run', '--target-client', `sh ${script}`, '--certs', certs, '--report-dir', join(root, `r-${signal}`), '--timeout', '60s'], signal, 2500);
    expect(r.code, r.stderr).toBe(exitCode);
    expect(r.endedMs).toBeLessThan(2000);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).toContain(`${signal} received`);
    const started = pidsIn(pids);
    expect(started.length).toBeGreaterThan(0);
    await new Promise((res) => setTimeout(res, 200));
    expect(started.filter(running)).toEqual([]);
  });

  test('SIGTERM while the target never answers (a 60 s --timeout) still ends at once', async () => {
    const url = await scriptedServer(() => undefined);
    const r = await runAndSignal(['run', '--target', url, '--certs', certs, '--report-dir', join(root, 'r-silent'), '--timeout', '60s'], 'SIGTERM', 1500);
    expect(r.code).toBe(143);
    expect(r.endedMs).toBeLessThan(2000);
  });

  test('a closed stdout (| head -1) ends quietly with the exit code the run would have had', async () => {
    const args = ['run', '--target', 'builtin:lenient', '--certs', certs, '--report-dir', join(root, 'r-epipe'), '--only', 'server/client-auth/*'];
    const full = await runCli(args);
    expect(full.code).toBe(1);
    const piped = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // Like `head -1`: read the first chunk, then close the pipe.
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(piped.code, piped.stderr).toBe(1);
    expect(piped.stderr).not.toMatch(/EPIPE|^\s+at /m);
  });
});
