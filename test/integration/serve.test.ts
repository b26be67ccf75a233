import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import * as https from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { catalogue } from '../../harness/cases/catalogue.js';
import { startServerMatrix, type MatrixConnection } from '../../harness/peers/server-matrix.js';
import { CLI } from '../helpers/cli.js';

/**
 * `conformance serve` as a child process, driven by real clients (curl, node:https) on 127.0.0.1,
 * and the same matrix in-process through the API. Every wait is bounded; the only process
 * stopped is the one spawned here, by its PID.
 */

const tmp = mkdtempSync(join(tmpdir(), 'mtls-serve-'));
const certsDir = join(tmp, 'certs');
mkdirSync(certsDir, { recursive: true });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const hasCurl = spawnSync('curl', ['--version'], { timeout: 5000 }).status === 0;
const CLIENT_IDS = catalogue()
  .filter((c) => c.role === 'client' && c.recipe.kind === 'reference-server')
  .map((c) => c.id);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `get` until it returns a value, or fail after `timeoutMs` naming what was awaited. */
async function waitFor<T>(get: () => T | undefined, timeoutMs: number, what: string, explain: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${explain()}`);
    await sleep(25);
  }
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(bin: string, args: string[], timeoutMs = 10_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      // execFile's error carries the exit code as a number (null when killed at the timeout).
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** What a TCP connect to 127.0.0.1:port gives: 'connected' or the error code. Bounded. */
function tcpConnect(port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    const done = (r: string) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    sock.once('connect', () => done('connected'));
    sock.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

interface ServeDoc {
  profile: string;
  servers: { id: string; url: string; expect: string; rationale: string; crlFile?: string }[];
  caFile: string;
  crlFile?: string;
  clientCertFile: string;
  clientKeyFile: string;
}

describe('conformance serve --json (child process)', () => {
  let child: ChildProcess;
  let stdout = '';
  let stderr = '';
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let doc: ServeDoc;
  const explain = () => `--- stdout\n${stdout}\n--- stderr\n${stderr}`;
  const lines = () => stdout.split('\n').filter(Boolean);
  const events = (): MatrixConnection[] => lines().slice(1).map((l) => JSON.parse(l) as MatrixConnection);
  const urlOf = (id: string) => doc.servers.find((s) => s.id === id)!.url;
  /** The first event for `id` after the `after` events already seen. */
  const nextEvent = (id: string, after: number) => waitFor(() => events().slice(after).find((e) => e.id === id), 5000, `a connection line for ${id}`, explain);

  beforeAll(async () => {
    child = spawn(process.execPath, [CLI, 'serve', '--json', '--certs', certsDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    exit = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
    // First run generates the certificate store (RSA keys): allow for it.
    const first = await waitFor(() => (stdout.includes('\n') ? lines()[0] : child.exitCode !== null ? '' : undefined), 45_000, 'the JSON document of conformance serve', explain);
    expect(first, explain()).not.toBe('');
    doc = JSON.parse(first!) as ServeDoc;
  }, 60_000);

  afterAll(() => {
    // Only the process this file spawned, by its handle.
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  test('lists every client/server-auth and client/protocol case with its expectation and a 127.0.0.1 URL', () => {
    expect(CLIENT_IDS.length).toBeGreaterThan(10);
    expect(doc.servers.map((s) => s.id).sort()).toEqual([...CLIENT_IDS].sort());
    for (const s of doc.servers) {
      expect(['accept', 'reject'], s.id).toContain(s.expect);
      expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      expect(s.rationale.length).toBeGreaterThan(0);
    }
    const expectOf = Object.fromEntries(doc.servers.map((s) => [s.id, s.expect]));
    expect(expectOf['client/server-auth/valid']).toBe('accept');
    expect(expectOf['client/server-auth/expired']).toBe('reject');
    expect(expectOf['client/protocol/tls1.0-only-server']).toBe('reject');
    expect(new Set(doc.servers.map((s) => s.url)).size).toBe(doc.servers.length);
    expect(doc.caFile).toBe(join(certsDir, 'trust', 'server-ca.pem'));
    expect(readFileSync(doc.clientCertFile, 'utf8')).toMatch(/BEGIN CERTIFICATE/);
    expect(readFileSync(doc.clientKeyFile, 'utf8')).toMatch(/PRIVATE KEY/);
  });

  test.runIf(hasCurl)('curl with the CA and the client certificate gets through the valid server: correct', async () => {
    const before = events().length;
    const r = await run('curl', ['-sS', '--max-time', '5', '--cacert', doc.caFile, '--cert', doc.clientCertFile, '--key', doc.clientKeyFile, urlOf('client/server-auth/valid')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ok client/server-auth/valid');
    const e = await nextEvent('client/server-auth/valid', before);
    // curl offers h2 first by ALPN; the matrix servers speak HTTP/2 and HTTP/1.1.
    expect(e, explain()).toMatchObject({ outcome: 'request', request: 'GET / HTTP/2.0', judgement: 'correct', presentedCertificate: true });
  });

  test.runIf(hasCurl)('curl refuses the expired server certificate: correct', async () => {
    const before = events().length;
    const r = await run('curl', ['-sS', '--max-time', '5', '--cacert', doc.caFile, urlOf('client/server-auth/expired')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/expired/i);
    const e = await nextEvent('client/server-auth/expired', before);
    expect(e.outcome, explain()).not.toBe('request');
    expect(e.judgement).toBe('correct');
    expect(e.request).toBeUndefined();
  });

  test.runIf(hasCurl)('curl -k sends its request over the expired certificate: WRONG, with the reason', async () => {
    const before = events().length;
    const r = await run('curl', ['-sSk', '--max-time', '5', urlOf('client/server-auth/expired')]);
    expect(r.code, r.stderr).toBe(0);
    const e = await nextEvent('client/server-auth/expired', before);
    expect(e, explain()).toMatchObject({ outcome: 'request', judgement: 'wrong', expect: 'reject' });
    // The verdict comes from judge.ts (the case's rationale); what was seen is in detail.
    expect(e.reason).toMatch(/^accepted \(request sent \(GET \/ HTTP\/[\d.]+\)\) but must be refused: The validity period has ended/);
    expect(e.detail).toMatch(/^the client sent "GET \/ HTTP\/[\d.]+" over TLSv1\.[23]$/);
  });

  test('each server names the CRL file a run hands its case: crl-stale its own (with the stale CRL), the others the shared bundle', () => {
    const shared = join(certsDir, 'trust', 'server-crl.pem');
    expect(doc.crlFile).toBe(shared);
    const stale = doc.servers.find((s) => s.id === 'client/revocation/crl-stale')!;
    expect(stale.crlFile?.startsWith(join(certsDir, 'crl', 'case') + '/'), stale.crlFile).toBe(true);
    // The stale CRL goes only into the case's own file (a shared bundle with it is refused whole by gnutls).
    const crls = (path: string) => readFileSync(path, 'utf8').match(/-----BEGIN X509 CRL-----/g)?.length ?? 0;
    expect(crls(stale.crlFile!)).toBeGreaterThan(0);
    expect(readFileSync(stale.crlFile!, 'utf8')).not.toBe(readFileSync(shared, 'utf8'));
    for (const s of doc.servers.filter((x) => x.id !== 'client/revocation/crl-stale')) expect(s.crlFile, s.id).toBe(shared);
  });

  test.runIf(hasCurl)('curl --crlfile with crl-stale\'s own file refuses for the stale CRL itself, as in a run (with the shared bundle it could only miss a CRL)', async () => {
    const stale = doc.servers.find((s) => s.id === 'client/revocation/crl-stale')!;
    const own = await run('curl', ['-sS', '--max-time', '5', '--cacert', doc.caFile, '--crlfile', stale.crlFile!, '--cert', doc.clientCertFile, '--key', doc.clientKeyFile, stale.url]);
    expect(own.code).not.toBe(0);
    expect(own.stderr).toMatch(/CRL has expired/);
    const shared = await run('curl', ['-sS', '--max-time', '5', '--cacert', doc.caFile, '--crlfile', doc.crlFile!, '--cert', doc.clientCertFile, '--key', doc.clientKeyFile, stale.url]);
    expect(shared.stderr).not.toMatch(/CRL has expired/);
  });

  test('SIGINT closes every server and exits 0', async () => {
    expect(child.exitCode, explain()).toBeNull();
    child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([exit, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 10_000)))]);
    clearTimeout(timer);
    expect(ended, explain()).toEqual({ code: 0, signal: null });
    expect(stderr).toBe('');
    const ports = doc.servers.map((s) => Number(new URL(s.url).port));
    expect(await Promise.all(ports.map((p) => tcpConnect(p)))).toEqual(ports.map(() => 'ECONNREFUSED'));
  });

  test('a client that gets through without presenting a certificate is judged wrong (mutual TLS), with the reason', async () => {
    const seen: MatrixConnection[] = [];
    await using m = await startServerMatrix({ profile: 'intermediate', certsDir, onConnection: (e) => seen.push(e) });
    const url = m.servers.find((s) => s.id === 'client/server-auth/valid')!.url;
    const status = await new Promise<number | string>((resolve) => {
      const req = https.get(url, { ca: readFileSync(m.caFile), agent: false, timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(status).toBe(200);
    const [e] = await waitFor(() => (seen.length > 0 ? seen : undefined), 5000, 'a connection event');
    expect(e).toMatchObject({ id: 'client/server-auth/valid', outcome: 'request', presentedCertificate: false, judgement: 'wrong' });
    expect(e!.reason).toContain('presented no client certificate');
  });

  test.skipIf(!hasCurl)('a client that asks for a stapled OCSP response gets one: "good" for valid, "revoked" for server/revoked (curl --cert-status)', async () => {
    await using m = await startServerMatrix({ profile: 'intermediate', certsDir });
    const url = (id: string) => m.servers.find((s) => s.id === id)!.url;
    const curl = (id: string) => run('curl', ['-sS', '--max-time', '5', '--cert-status', '--cacert', m.caFile, '--cert', m.clientCertFile!, '--key', m.clientKeyFile!, url(id)]);
    const good = await curl('client/server-auth/valid');
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toBe('ok client/server-auth/valid\n');
    // Without --crlfile, only the staple can tell curl the certificate is revoked.
    const revoked = await curl('client/server-auth/revoked');
    expect(revoked.code).not.toBe(0);
    expect(revoked.stderr).toMatch(/certificate revocation reason/);
  });
});

describe('startServerMatrix (API, in-process)', () => {
  function get(url: string, opts: https.RequestOptions): Promise<{ status: number; body: string } | { error: string }> {
    return new Promise((resolve) => {
      const req = https.get(url, { ...opts, agent: false, timeout: 5000 }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    });
  }

  test('await using: the valid URL serves a client that trusts the CA, the self-signed one fails it; ports close on dispose', async () => {
    const seen: MatrixConnection[] = [];
    let ports: number[];
    {
      await using m = await startServerMatrix({ profile: 'intermediate', certsDir, onConnection: (e) => seen.push(e) });
      ports = m.servers.map((s) => s.port);
      expect(m.servers.map((s) => s.id).sort()).toEqual([...CLIENT_IDS].sort());
      const url = (id: string) => m.servers.find((s) => s.id === id)!.url;
      const ca = readFileSync(m.caFile);
      const tlsClient = { ca, cert: readFileSync(m.clientCertFile!), key: readFileSync(m.clientKeyFile!) };

      const ok = await get(url('client/server-auth/valid'), tlsClient);
      expect(ok).toEqual({ status: 200, body: 'ok client/server-auth/valid\n' });
      const refused = await get(url('client/server-auth/self-signed'), tlsClient);
      expect(refused).toMatchObject({ error: expect.stringMatching(/SELF_SIGNED/) });
      // A client that verifies nothing is the wrong one, and is told so.
      const careless = await get(url('client/server-auth/self-signed'), { ...tlsClient, rejectUnauthorized: false });
      expect(careless).toMatchObject({ status: 200 });

      const forId = (id: string, n: number) => {
        const of = () => seen.filter((e) => e.id === id);
        return waitFor(() => (of().length >= n ? of() : undefined), 5000, `${n} connection event(s) for ${id}`, () => JSON.stringify(seen, null, 2));
      };
      const [valid] = await forId('client/server-auth/valid', 1);
      expect(valid).toMatchObject({ outcome: 'request', judgement: 'correct', presentedCertificate: true });
      const selfSigned = await forId('client/server-auth/self-signed', 2);
      expect(selfSigned.map((e) => e.judgement)).toEqual(['correct', 'wrong']);
      expect(['alert', 'closed']).toContain(selfSigned[0]!.outcome);
      expect(selfSigned[1]).toMatchObject({ outcome: 'request', request: 'GET / HTTP/1.1' });
    }
    expect(await Promise.all(ports.map((p) => tcpConnect(p)))).toEqual(ports.map(() => 'ECONNREFUSED'));
  });
});
