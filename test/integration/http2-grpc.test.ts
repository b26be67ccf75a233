import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, runCli, verdictsOf } from '../helpers/cli.js';
import { findNginx, startNginx } from '../helpers/peers.js';

/**
 * HTTP/2 and gRPC peers judged end to end through the CLI: a grpc-js server with mTLS (with and
 * without checkClientCertificate, and one whose application refuses identities), a grpc-js client
 * as a --target-client program, an HTTP/2-only node:http2 server, an HTTP/1.1-only server, nginx
 * with HTTP/2, and a TLS 1.3-only nginx under intermediate and under a profile that requires TLS 1.2.
 *
 * What the grpc-js server (@grpc/grpc-js 1.x, test/fixtures/grpc-server.mjs) does, observed by hand
 * with the store of `conformance certs init`:
 *   openssl s_client -alpn http/1.1 ...        -> alert 120 no_application_protocol ("No ALPN negotiated")
 *   openssl s_client -alpn h2 -cert valid      -> "ALPN protocol: h2", Verify return code 0
 *   openssl s_client -alpn h2 -cert expired    -> handshake completes, then EOF without an alert
 *   openssl s_client -alpn h2 (no certificate) -> alert 116 certificate_required (TLS 1.3)
 *   curl --http2 GET /                         -> HTTP/2 415 (not a gRPC call, but an HTTP answer)
 *   curl --http2 POST application/grpc, te: trailers, 5 zero bytes, /grpc.health.v1.Health/Check
 *                                              -> HTTP/2 200, grpc-status: 0
 *   curl --http1.1 --no-alpn                   -> HTTP/1.0 403 "Missing ALPN Protocol, expected `h2`"
 * With --no-check-client-certificate, s_client reports "No client certificate CA names sent" (the
 * server does not ask) and curl with an expired certificate gets grpc-status 0. With --require-cn,
 * the call over a verified certificate with another CN gets grpc-status 16 UNAUTHENTICATED.
 * The expected verdicts below follow from those observations, not from the harness.
 */

const T = 90_000;
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const NGINX = findNginx();

let root: string;
let certs: string;
const started: ChildProcess[] = [];

/** Start test/fixtures/grpc-server.mjs; resolves with its port once it prints `listening PORT` (bounded). */
function startGrpcServer(args: string[] = []): Promise<{ port: number; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(FIXTURES, 'grpc-server.mjs'), certs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the gRPC server did not listen within 10 s: ${out}`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), child });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`the gRPC server exited (${code}): ${out}`)));
  });
}

async function run(target: string, args: string[] = []) {
  const out = await mkdtemp(join(root, 'report-'));
  const res = await runCli(['run', '--target', target, '--certs', certs, '--target-ca', join(certs, 'trust', 'server-ca.pem'), '--report-dir', out, ...args], { timeoutMs: 80_000 });
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  const byId = (id: string) => report.results.find((r: { id: string }) => r.id === id);
  return { res, report, verdicts: verdictsOf(report), byId, why: `${res.stdout}\n${res.stderr}` };
}

const CLIENT_AUTH_REJECTS = ['no-cert', 'self-signed', 'untrusted-ca', 'expired', 'not-yet-valid', 'eku-server-only', 'rsa-1024', 'sha1-signature', 'issuer-not-ca', 'intermediate-not-sent'].map(
  (n) => `server/client-auth/${n}`,
);

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build).`);
  root = await mkdtemp(join(tmpdir(), 'mtls-h2-grpc-'));
  certs = join(root, 'certs');
  mkdirSync(certs, { recursive: true });
  const init = await runCli(['certs', 'init', certs]);
  expect(init.code, init.stderr).toBe(0);
}, T);

afterAll(async () => {
  for (const c of started) if (c.exitCode === null && c.pid) process.kill(c.pid, 'SIGTERM');
  if (root) await rm(root, { recursive: true, force: true });
});

describe('a grpc-js server with mutual TLS', () => {
  test('checkClientCertificate true, --protocol grpc: every bad certificate is refused; the TLS 1.2 sweep finds the ARIA and CCM suites', { timeout: T }, async () => {
    const { port } = await startGrpcServer();
    const r = await run(`https://127.0.0.1:${port}`, ['--protocol', 'grpc']);
    expect(r.byId('server/client-auth/valid').observed, r.why).toMatchObject({ outcome: 'grpc-status', grpcStatus: 0, alpn: 'h2', httpStatus: 200 });
    for (const id of CLIENT_AUTH_REJECTS) expect(r.verdicts[id], `${id}\n${r.why}`).toBe('pass');
    expect(r.byId('server/client-auth/no-cert').observed.alert).toEqual({ code: 116, name: 'certificate_required' });
    // grpc-js refuses the expired certificate after the client's TLS 1.3 handshake is done, by closing
    // without an alert: a close (FIN), or a reset when the client's HTTP/2 preface is already unread in
    // the server's socket (a race; seen both ways on this machine). Either is a refusal, never an answer.
    expect(['closed-no-data', 'tcp-reset']).toContain(r.byId('server/client-auth/expired').observed.outcome);
    // OpenSSL accepts a certificate without EKU (recommended refusal only under intermediate).
    expect(r.verdicts['server/client-auth/eku-absent']).toBe('fail');
    for (const id of ['server/client-auth/valid-chain', 'server/protocol/tls1.2', 'server/protocol/tls1.3', 'server/client-auth/rsa-2048']) expect(r.verdicts[id], id).toBe('pass');
    // The CertificateVerify prober speaks HTTP/1.1 only: skipped under grpc, never passed; the CertificateRequest is still read (ALPN h2).
    expect(r.byId('server/client-auth/certificate-verify-wrong-key')).toMatchObject({ verdict: 'skip', reason: expect.stringMatching(/HTTP\/1\.1 only/) });
    expect(r.verdicts['server/certificate/requests-client-ca'], r.byId('server/certificate/requests-client-ca').reason).toBe('pass');
    // Node's default TLS 1.2 server suites: ARIA-GCM and AES-CCM, which no hand-picked table offered.
    expect(r.verdicts['server/cipher/tls1.2-suites']).toBe('fail');
    expect(r.byId('server/cipher/tls1.2-suites').reason).toMatch(/TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256.*TLS_ECDHE_ECDSA_WITH_AES_128_CCM/);
    expect(r.byId('server/cipher/tls1.2-suites').observed.sweep.offered).toBeGreaterThan(300);
    expect(r.report.summary.verdict).toBe('non-conformant');
    expect(r.res.code).toBe(1);
  });

  test('the default --protocol https speaks HTTP/2 to it: the control is an HTTP answer over h2, not alert 120', { timeout: T }, async () => {
    const { port } = await startGrpcServer();
    const r = await run(`https://127.0.0.1:${port}`, ['--only', 'server/client-auth/*']);
    expect(r.byId('server/client-auth/valid').observed, r.why).toMatchObject({ outcome: 'http-status', httpStatus: 415, alpn: 'h2' });
    expect(r.verdicts['server/client-auth/valid']).toBe('pass');
    expect(r.verdicts['server/client-auth/expired']).toBe('pass');
  });

  test('checkClientCertificate false: it lets every certificate (and none) in, and the cases say so', { timeout: T }, async () => {
    const { port } = await startGrpcServer(['--no-check-client-certificate']);
    const r = await run(`https://127.0.0.1:${port}`, ['--protocol', 'grpc', '--only', 'server/client-auth/*']);
    expect(r.verdicts['server/client-auth/valid'], r.why).toBe('pass');
    for (const id of CLIENT_AUTH_REJECTS) {
      expect(r.verdicts[id], id).toBe('fail');
      expect(r.byId(id).observed).toMatchObject({ outcome: 'grpc-status', grpcStatus: 0 });
    }
    expect(r.res.code).toBe(1);
  });

  test('an application that refuses the identity (grpc-status 16): exit 3, INCONCLUSIVE, the hint names the subject and clientIdentity', { timeout: T }, async () => {
    const { port } = await startGrpcServer(['--require-cn', 'partner-7']);
    const r = await run(`https://127.0.0.1:${port}`, ['--protocol', 'grpc', '--only', 'server/client-auth/*', '--only', 'server/protocol/*']);
    expect(r.res.code, r.why).toBe(3);
    expect(r.byId('server/client-auth/valid').observed).toMatchObject({ outcome: 'grpc-status', grpcStatus: 16 });
    expect(r.report.summary.verdict).toBe('inconclusive');
    expect(r.res.stdout).toMatch(/· INCONCLUSIVE ·/);
    // Refused like the control: nothing is learnt about the version.
    expect(r.verdicts['server/protocol/tls1.2']).toBe('inconclusive');
    const line = r.res.stderr.trim().split('\n').filter((l) => l.startsWith('error:'));
    expect(line).toHaveLength(1);
    expect(line[0]).toContain('its application refused the identity (gRPC status 16)');
    expect(line[0]).toContain('subject "CN=conformance-client, O=mtls-conformance"');
    expect(line[0]).toContain("clientIdentity");
    expect(line[0]).not.toContain('configure it to trust');
  });
});

test('a grpc-js client as --target-client: its calls are answered, every case judged, exit 0', { timeout: T }, async () => {
  const out = await mkdtemp(join(root, 'client-'));
  const res = await runCli(['run', '--target-client', `${process.execPath} ${join(FIXTURES, 'grpc-client.mjs')} {url}`, '--certs', certs, '--report-dir', out], { timeoutMs: 80_000 });
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  const v = verdictsOf(report);
  const why = `${res.stdout}\n${res.stderr}`;
  const control = report.results.find((r: { id: string }) => r.id === 'client/server-auth/valid');
  expect(control.observed.detail, why).toContain('POST /grpc.health.v1.Health/Check HTTP/2.0');
  for (const [id, verdict] of Object.entries(v)) {
    if (id === 'client/cipher/offered-suites') expect(verdict).toBe('fail'); // Node offers CBC, DHE, ARIA, static RSA (recommended)
    else if (id === 'client/server-auth/revoked' || id === 'client/server-auth/revoked-intermediate' || id.startsWith('client/revocation/')) expect(verdict, id).toBe('fail'); // given no CRL, grpc-js checks no revocation (recommended)
    else if (id === 'client/certificate/identity' || id === 'client/certificate/sends-intermediates') expect(verdict).toBe('skip');
    else expect(verdict, `${id}\n${why}`).toBe('pass');
  }
  // The certificate cases judge what it presented after a real CertificateRequest.
  expect(v['client/certificate/presented']).toBe('pass');
  expect(v['client/protocol/tls1.2-only-server']).toBe('pass');
  expect(res.code).toBe(0);
});

describe('HTTP/2-only and HTTP/1.1-only servers', () => {
  const tlsFiles = () => ({
    key: readFileSync(join(certs, 'target', 'server-key.pem')),
    cert: readFileSync(join(certs, 'target', 'server-cert.pem')),
    ca: readFileSync(join(certs, 'trust', 'client-ca.pem')),
    requestCert: true,
    rejectUnauthorized: true,
  });

  test('node:http2 without allowHTTP1: the control is a request on an HTTP/2 stream; bad certificates refused', { timeout: T }, async () => {
    const srv = http2.createSecureServer(tlsFiles(), (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok h2\n');
    });
    srv.on('tlsClientError', () => undefined);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    try {
      const r = await run(`https://127.0.0.1:${(srv.address() as AddressInfo).port}`, ['--only', 'server/client-auth/*', '--only', 'server/protocol/*', '--only', 'server/session/*']);
      expect(r.byId('server/client-auth/valid').observed, r.why).toMatchObject({ outcome: 'http-status', httpStatus: 200, alpn: 'h2' });
      // The session probe speaks h2 too (connection preface), so an h2-only server's tickets are read.
      expect(r.verdicts['server/session/ticket-lifetime'], JSON.stringify(r.byId('server/session/ticket-lifetime'))).toBe('pass');
      expect(r.byId('server/session/ticket-lifetime').observed.session.versions.find((v: { version: string }) => v.version === 'TLSv1.3')).toMatchObject({ status: 'negotiated' });
      expect(r.byId('server/client-auth/valid').observed.detail).toContain('ok h2');
      for (const id of ['server/client-auth/expired', 'server/client-auth/untrusted-ca', 'server/client-auth/no-cert']) expect(r.verdicts[id], id).toBe('pass');
      expect([r.verdicts['server/protocol/tls1.2'], r.verdicts['server/protocol/tls1.3']]).toEqual(['pass', 'pass']);
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  test('an HTTP/1.1-only server (ALPN http/1.1): the harness speaks HTTP/1.1 to it', { timeout: T }, async () => {
    const srv = https.createServer({ ...tlsFiles(), ALPNProtocols: ['http/1.1'] }, (_req, res) => res.end('ok h1\n'));
    srv.on('tlsClientError', () => undefined);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    try {
      const r = await run(`https://127.0.0.1:${(srv.address() as AddressInfo).port}`, ['--only', 'server/client-auth/*']);
      expect(r.byId('server/client-auth/valid').observed, r.why).toMatchObject({ outcome: 'http-status', httpStatus: 200, alpn: 'http/1.1' });
      expect(r.verdicts['server/client-auth/expired']).toBe('pass');
    } finally {
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
});

describe.skipIf(!NGINX)('nginx', () => {
  test('nginx with HTTP/2 (listen ... ssl http2): the round trip goes over h2 and the run is conformant', { timeout: T }, async () => {
    await using server = await startNginx({ certsDir: certs, verifyClient: 'on', verifyDepth: 2, http2: true });
    const r = await run(server.url);
    expect(r.byId('server/client-auth/valid').observed, `${r.why}\n${await server.logs()}`).toMatchObject({ outcome: 'http-status', httpStatus: 200, alpn: 'h2' });
    // nginx answers 400 over HTTP/2 too when the certificate fails verification.
    expect(r.byId('server/client-auth/expired').observed).toMatchObject({ outcome: 'http-status', httpStatus: 400, alpn: 'h2' });
    expect(r.report.summary.verdict, r.why).toBe('conformant');
    expect(r.res.code).toBe(0);
  });

  test('a TLS 1.3-only nginx: conformant under intermediate (refusing TLS 1.2 is a note), non-conformant where TLS 1.2 is required', { timeout: T }, async () => {
    await using server = await startNginx({ certsDir: certs, verifyClient: 'on', verifyDepth: 2, protocols: ['TLSv1.3'] });
    const inter = await run(server.url);
    expect(inter.byId('server/protocol/tls1.2'), inter.why).toMatchObject({ verdict: 'fail', severity: 'recommended' });
    expect(inter.report.summary.verdict, inter.why).toBe('conformant');
    expect(inter.res.code).toBe(0);
    const required = await run(server.url, ['--profile', fileURLToPath(new URL('../../examples/profiles/tls12-minimum.yaml', import.meta.url))]);
    expect(required.byId('server/protocol/tls1.2'), required.why).toMatchObject({ verdict: 'fail', severity: 'required' });
    expect(required.report.summary.verdict).toBe('non-conformant');
    expect(required.res.code).toBe(1);
  });
});
