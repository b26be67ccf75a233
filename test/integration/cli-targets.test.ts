import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli, verdictsOf } from '../helpers/cli.js';

const certs = join(mkdtempSync(join(tmpdir(), 'mtls-targets-')), 'certs');
mkdirSync(certs, { recursive: true });
beforeAll(async () => {
  expect((await runCli(['certs', 'init', certs])).code).toBe(0);
});
const report = (dir: string) => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));

describe('the target certificate is its own finding', () => {
  test('--target-ca that did not issue the server certificate fails server/certificate/trusted only', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mtls-r-'));
    const run = await runCli(['run', '--target', 'builtin:strict', '--certs', certs, '--target-ca', join(certs, 'trust', 'client-ca.pem'), '--report-dir', out]);
    expect(run.code).toBe(1);
    const r = report(out);
    const failing = r.results.filter((x: { verdict: string }) => x.verdict === 'fail');
    expect(failing.map((x: { id: string }) => x.id)).toEqual(['server/certificate/trusted']);
    expect(failing[0].reason).toMatch(/not trusted: (UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify)/i);
    expect(verdictsOf(r)['server/client-auth/expired']).toBe('pass');
    expect(verdictsOf(r)['server/certificate/chain-complete']).toBe('inconclusive');
  });
});

describe('server/certificate/chain-complete judges the chain the target sends, not the one completed locally', () => {
  async function serve(certFile: string, keyFile: string) {
    const https = await import('node:https');
    const srv = https.createServer(
      { key: readFileSync(keyFile), cert: readFileSync(certFile), ca: readFileSync(join(certs, 'trust', 'client-ca.pem')), requestCert: true, rejectUnauthorized: true },
      (_q, res) => res.end('ok'),
    );
    srv.on('tlsClientError', () => undefined);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    return srv;
  }

  test('a server that omits its intermediate fails chain-complete, even when the --target-ca bundle holds the intermediate', async () => {
    const bundle = join(mkdtempSync(join(tmpdir(), 'mtls-bundle-')), 'bundle.pem');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(bundle, readFileSync(join(certs, 'trust', 'server-ca.pem'), 'utf8') + readFileSync(join(certs, 'ca', 'server-intermediate.pem'), 'utf8'));
    const srv = await serve(join(certs, 'server', 'intermediate-not-sent.pem'), join(certs, 'private', 'server', 'intermediate-not-sent-key.pem'));
    try {
      const port = (srv.address() as AddressInfo).port;
      const out = mkdtempSync(join(tmpdir(), 'mtls-r-'));
      const run = await runCli(['run', '--target', `https://127.0.0.1:${port}`, '--certs', certs, '--target-ca', bundle, '--report-dir', out, '--only', 'server/certificate/*']);
      const r = report(out);
      expect(verdictsOf(r)['server/certificate/trusted']).toBe('pass');
      expect(verdictsOf(r)['server/certificate/chain-complete']).toBe('fail');
      expect(r.results.find((x: { id: string }) => x.id === 'server/certificate/chain-complete').reason).toContain('does not send the issuer');
      expect(run.code).toBe(1);
    } finally {
      srv.close();
    }
  });

  test('the same leaf sent with its intermediate passes', async () => {
    const chain = join(mkdtempSync(join(tmpdir(), 'mtls-chain-')), 'chain.pem');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(chain, readFileSync(join(certs, 'server', 'intermediate-not-sent.pem'), 'utf8') + readFileSync(join(certs, 'ca', 'server-intermediate.pem'), 'utf8'));
    const srv = await serve(chain, join(certs, 'private', 'server', 'intermediate-not-sent-key.pem'));
    try {
      const port = (srv.address() as AddressInfo).port;
      const out = mkdtempSync(join(tmpdir(), 'mtls-r-'));
      await runCli(['run', '--target', `https://127.0.0.1:${port}`, '--certs', certs, '--target-ca', join(certs, 'trust', 'server-ca.pem'), '--report-dir', out, '--only', 'server/certificate/*']);
      const v = verdictsOf(report(out));
      expect([v['server/certificate/trusted'], v['server/certificate/chain-complete']]).toEqual(['pass', 'pass']);
    } finally {
      srv.close();
    }
  });
});

describe('--protocol tls: a non-HTTP mutual-TLS service (a real node:tls server)', () => {
  let server: tls.Server;
  let port = 0;
  beforeAll(async () => {
    server = tls.createServer(
      {
        key: readFileSync(join(certs, 'target', 'server-key.pem')),
        cert: readFileSync(join(certs, 'target', 'server-cert.pem')),
        ca: readFileSync(join(certs, 'trust', 'client-ca.pem')),
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
      },
      // A line protocol: the server greets and waits; nothing HTTP about it. It reads (resume), as a
      // real line server does: a socket never read never sees the peer's FIN, and the CertificateVerify
      // prober closes cleanly after reading the greeting, so server.close() would wait on it forever.
      (socket) => (socket.write('220 ready\r\n'), socket.resume()),
    );
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('valid accepted; bad certificates refused by closing without an alert', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mtls-r-'));
    const run = await runCli(['run', '--target', `tls://127.0.0.1:${port}`, '--certs', certs, '--report-dir', out, '--only', 'server/client-auth/*', '--timeout', '2s']);
    const r = report(out);
    const v = verdictsOf(r);
    expect(v['server/client-auth/valid']).toBe('pass');
    expect(v['server/client-auth/expired']).toBe('pass');
    expect(v['server/client-auth/untrusted-ca']).toBe('pass');
    // node:tls checks the chain, not the EKU absence or key size policy: real findings.
    expect(v['server/client-auth/eku-absent']).toBe('fail');
    expect(v['server/client-auth/rsa-2048']).toBe('pass');
    const expired = r.results.find((x: { id: string }) => x.id === 'server/client-auth/expired');
    expect(['closed-no-data', 'tcp-reset']).toContain(expired.observed.outcome);
    const valid = r.results.find((x: { id: string }) => x.id === 'server/client-auth/valid');
    expect(valid.observed.outcome).toBe('accepted');
    expect(run.code).toBe(0);
  });
});
