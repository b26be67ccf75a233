import { mkdirSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as http2 from 'node:http2';
import * as tls from 'node:tls';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1 from '@peculiar/asn1-x509';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generate, type Material } from '../../certs/generate.js';
import { caSpec, specOf, type KeyKind } from '../../certs/spec.js';
import { freshKeyLike, probeCertificateVerify, requestNamesCa, type CertificateVerifyObservation, type CertificateVerifyProbeInput } from '../../harness/probes/certificate-verify-probe.js';
import { findNginx, findOpenssl, HOST, startNginx, startOpensslServer, versionOf } from '../helpers/peers.js';

/**
 * The certificate-verify prober (harness/probes/certificate-verify-probe.ts) against real servers:
 * Debian's nginx and `openssl s_server` (OpenSSL 3.0) and node:tls servers (OpenSSL 3.5 in
 * Node 24). For each, the control (CertificateVerify signed with the certificate's own key) must
 * get the server's real answer, and the wrong-key run (a fresh key of the same type) must be
 * refused: that proves the prober before any target verdict is drawn from it.
 */

const NGINX = findNginx();
const OPENSSL = findOpenssl();
const IN_CI = Boolean(process.env.CI) && !/^(false|0)$/i.test(process.env.CI ?? '');
const MISSING = 'nginx or openssl is not installed: run scripts/install-peers.sh as root (apt) to run the certificate-verify tests against them';
if (!NGINX || !OPENSSL) {
  if (IN_CI) {
    test('nginx and openssl are installed (required when CI is set)', () => {
      throw new Error(`${MISSING}. CI is set, so a missing peer is a failure, not a skip.`);
    });
  } else {
    console.warn(`test/integration/certificate-verify.test.ts: SKIPPED in part, ${MISSING}.`);
  }
}

const T = 60_000;
const KEY_KINDS: KeyKind[] = ['ec-p256', 'ec-p384', 'ed25519', 'rsa-2048'];
/** RFC 8446 §4.2.3: the scheme a TLS 1.3 client signs with for each key kind (RSA: PSS with rsaEncryption keys). */
const SCHEME_FOR: Record<string, string> = { 'ec-p256': 'ecdsa_secp256r1_sha256', 'ec-p384': 'ecdsa_secp384r1_sha384', ed25519: 'ed25519', 'rsa-2048': 'rsa_pss_rsae_sha256' };
/**
 * TLS 1.2: the first scheme of the server's list the key can sign. ECDSA's hash is not tied to the
 * curve there (RFC 5246 §7.4.1.4.1), and OpenSSL lists SHA-256 first, so a P-384 key signs with
 * ECDSA-SHA256 (code point 0x0403, named by its TLS 1.3 name); RSA-PSS comes before PKCS #1.
 */
const SCHEME_FOR_12: Record<string, string> = { ...SCHEME_FOR, 'ec-p384': 'ecdsa_secp256r1_sha256' };
const DECRYPT_ERROR = { code: 51, name: 'decrypt_error' };

let root: string;
let certsDir: string;
let clientCa: Material;
let server: Material;
const clients = new Map<KeyKind, Material>();
/** The client CA's subject, DER hex: what a CertificateRequest's certificate_authorities should carry. */
let clientCaSubjectDer: string;

function subjectDerHex(pem: string): string {
  const cert = AsnConvert.parse(new X509Certificate(pem).raw, asn1.Certificate);
  return Buffer.from(AsnConvert.serialize(cert.tbsCertificate.subject)).toString('hex');
}

/** A certs directory in the layout test/helpers/peers.ts serves (target/, trust/), made with the house's generator. */
async function makePki(): Promise<void> {
  root = await mkdtemp(join(tmpdir(), 'mtls-cv-test-'));
  certsDir = join(root, 'certs');
  mkdirSync(certsDir, { recursive: true });
  clientCa = await generate(caSpec({ name: 'client-ca', issuer: 'self', subject: 'CN=cv-probe client CA, O=mtls-conformance' }));
  const serverCa = await generate(caSpec({ name: 'server-ca', issuer: 'self', subject: 'CN=cv-probe server CA, O=mtls-conformance' }));
  server = await generate(
    specOf({
      name: 'server',
      issuer: 'server-ca',
      subject: 'CN=localhost, O=mtls-conformance',
      sans: [
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
      ],
      eku: ['serverAuth'],
    }),
    serverCa,
  );
  for (const key of KEY_KINDS) {
    clients.set(key, await generate(specOf({ name: `client-${key}`, issuer: 'client-ca', subject: `CN=cv-probe client ${key}, O=mtls-conformance`, key }), clientCa));
  }
  await mkdir(join(certsDir, 'target'), { recursive: true, mode: 0o700 });
  await mkdir(join(certsDir, 'trust'), { recursive: true, mode: 0o700 });
  await writeFile(join(certsDir, 'target', 'server-cert.pem'), server.certPem);
  await writeFile(join(certsDir, 'target', 'server-key.pem'), server.keyPem, { mode: 0o600 });
  await chmod(join(certsDir, 'target', 'server-key.pem'), 0o600);
  await writeFile(join(certsDir, 'trust', 'client-ca.pem'), clientCa.certPem);
  clientCaSubjectDer = subjectDerHex(clientCa.certPem);
}

beforeAll(makePki, T);
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

function probe(port: number, key: KeyKind, wrongKey: boolean, extra: Partial<CertificateVerifyProbeInput> = {}): Promise<CertificateVerifyObservation> {
  const m = clients.get(key)!;
  return probeCertificateVerify({
    host: HOST,
    port,
    servername: 'localhost',
    certChainPem: m.certPem,
    signingKeyPem: wrongKey ? freshKeyLike(m.keyPem) : m.keyPem,
    httpPath: '/',
    httpMethod: 'GET',
    timeoutMs: 5000,
    ...extra,
  });
}

/** Durations seen, printed once at the end for the report. */
const durations: string[] = [];
afterAll(() => {
  if (durations.length) console.log(`certificate-verify probe durations:\n${durations.join('\n')}`);
});
function note(server: string, what: string, o: CertificateVerifyObservation): void {
  durations.push(`  ${server} ${what}: ${o.outcome}${o.alert ? ` ${o.alert.code}` : ''}${o.httpStatus ? ` ${o.httpStatus}` : ''} in ${o.durationMs} ms (connect ${o.certificateVerify.timings.connectMs}, server flight ${o.certificateVerify.timings.serverFlightMs}, client flight ${o.certificateVerify.timings.clientFlightMs})`);
}

function expectControl(o: CertificateVerifyObservation, key: KeyKind, version: 'TLSv1.3' | 'TLSv1.2' = 'TLSv1.3'): void {
  const why = JSON.stringify(o, null, 1);
  expect(o.certificateVerify.serverFinishedVerified, why).toBe(true);
  expect(o.certificateVerify.keyMatchesCertificate).toBe(true);
  expect(o.certificateVerify.scheme, why).toBe(SCHEME_FOR[key]);
  expect(o.tlsVersion).toBe(version);
  expect(o.outcome, why).toBe('http-status');
  expect(o.httpStatus, why).toBe(200);
}

function expectWrongKeyRefused(o: CertificateVerifyObservation, key: KeyKind): void {
  const why = JSON.stringify(o, null, 1);
  expect(o.certificateVerify.serverFinishedVerified, why).toBe(true);
  expect(o.certificateVerify.keyMatchesCertificate).toBe(false);
  expect(o.certificateVerify.scheme, why).toBe(SCHEME_FOR[key]);
  // TLS 1.3: the client's flight is complete before the server checks it, so the refusal comes after the client Finished.
  expect(o.outcome, why).toBe('post-handshake-alert');
  expect(o.alert, why).toEqual(DECRYPT_ERROR);
}

/** TLS 1.2: the server checks CertificateVerify before its own Finished, so the refusal is a handshake alert and no Finished arrives. */
function expectWrongKeyRefused12(o: CertificateVerifyObservation, key: KeyKind): void {
  const why = JSON.stringify(o, null, 1);
  expect(o.tlsVersion, why).toBe('TLSv1.2');
  expect(o.certificateVerify.keyMatchesCertificate).toBe(false);
  expect(o.certificateVerify.scheme, why).toBe(SCHEME_FOR_12[key]);
  expect(o.certificateVerify.stage, why).toBe('client-flight');
  expect(o.certificateVerify.serverFinishedVerified, why).toBe(false);
  expect(o.outcome, why).toBe('handshake-alert');
  expect(o.alert, why).toEqual(DECRYPT_ERROR);
}

function expectControl12(o: CertificateVerifyObservation, key: KeyKind): void {
  const why = JSON.stringify(o, null, 1);
  expect(o.certificateVerify.version).toBe('TLSv1.2');
  expect(o.certificateVerify.serverFinishedVerified, why).toBe(true);
  expect(o.certificateVerify.scheme, why).toBe(SCHEME_FOR_12[key]);
  expect(o.tlsVersion).toBe('TLSv1.2');
  expect(o.outcome, why).toBe('http-status');
  expect(o.httpStatus, why).toBe(200);
}

describe.skipIf(!NGINX)(`nginx ssl_verify_client on, TLS 1.3${NGINX ? ` (${versionOf(NGINX, ['-v'])})` : ''}`, () => {
  test('control accepted with HTTP 200 "ok", wrong key refused with alert 51, for each key type; the CertificateRequest names the client CA', { timeout: T }, async () => {
    await using nginx = await startNginx({ certsDir, verifyClient: 'on', protocols: ['TLSv1.3'] });
    for (const key of KEY_KINDS) {
      const control = await probe(nginx.port, key, false);
      note('nginx', `${key} control`, control);
      expectControl(control, key);
      expect(control.detail).toBe('HTTP 200: ok');
      expect(control.alpn).toBe('http/1.1');
      const cr = control.certificateVerify.certificateRequest!;
      expect(cr.certificateAuthoritiesDer).toEqual([clientCaSubjectDer]);
      expect(cr.certificateAuthorities).toEqual(['CN=cv-probe client CA, O=mtls-conformance']);
      expect(requestNamesCa(cr, clientCa.certPem)).toBe(true);
      expect(requestNamesCa(cr, server.certPem)).toBe(false);
      expect(cr.signatureAlgorithms).toContain(SCHEME_FOR[key]);

      const wrong = await probe(nginx.port, key, true);
      note('nginx', `${key} wrong key`, wrong);
      expectWrongKeyRefused(wrong, key);
    }
    // nginx logged the controls as verified and never served the wrong-key runs.
    const logs = await nginx.logs();
    expect(logs.match(/verify="SUCCESS"/g)?.length ?? 0, logs).toBe(KEY_KINDS.length);
  });

  test('a chain with an intermediate (ssl_verify_depth 2), and 20 wrong-key runs at once: every one refused', { timeout: T }, async () => {
    const intermediate = await generate(caSpec({ name: 'client-int', issuer: 'client-ca', subject: 'CN=cv-probe client intermediate, O=mtls-conformance', pathLength: 0 }), clientCa);
    const leaf = await generate(specOf({ name: 'client-below-int', issuer: 'client-int', subject: 'CN=cv-probe client below intermediate' }), intermediate);
    await using nginx = await startNginx({ certsDir, verifyClient: 'on', verifyDepth: 2, protocols: ['TLSv1.3'] });
    const base = { host: HOST, port: nginx.port, servername: 'localhost', certChainPem: leaf.certPem + intermediate.certPem, httpPath: '/', httpMethod: 'GET', timeoutMs: 10_000 };
    const control = await probeCertificateVerify({ ...base, signingKeyPem: leaf.keyPem });
    expectControl(control, 'ec-p256');
    // Without the intermediate nginx cannot build the path: the control fails, so the chain above is what made it pass.
    const leafOnly = await probeCertificateVerify({ ...base, certChainPem: leaf.certPem, signingKeyPem: leaf.keyPem });
    expect(leafOnly).toMatchObject({ outcome: 'http-status', httpStatus: 400 });
    const started = performance.now();
    const runs = await Promise.all(Array.from({ length: 20 }, () => probeCertificateVerify({ ...base, signingKeyPem: freshKeyLike(leaf.keyPem) })));
    durations.push(`  nginx 20 concurrent wrong-key runs (chain with an intermediate): ${Math.round(performance.now() - started)} ms in all`);
    for (const o of runs) expectWrongKeyRefused(o, 'ec-p256');
  });

  test('TLS 1.2: control accepted with HTTP 200, wrong key refused with alert 51 during the handshake, for each key type', { timeout: T }, async () => {
    await using nginx = await startNginx({ certsDir, verifyClient: 'on', protocols: ['TLSv1.2'] });
    for (const key of KEY_KINDS) {
      const control = await probe(nginx.port, key, false, { version: 'TLSv1.2' });
      note('nginx TLS 1.2', `${key} control`, control);
      expectControl12(control, key);
      expect(control.detail).toBe('HTTP 200: ok');
      expect(control.certificateVerify.certificateRequest!.certificateAuthoritiesDer).toEqual([clientCaSubjectDer]);
      const wrong = await probe(nginx.port, key, true, { version: 'TLSv1.2' });
      note('nginx TLS 1.2', `${key} wrong key`, wrong);
      expectWrongKeyRefused12(wrong, key);
    }
  });

  test('ssl_ecdh_curve secp384r1: a HelloRetryRequest for P-384, then the same answers', { timeout: T }, async () => {
    await using nginx = await startNginx({ certsDir, verifyClient: 'on', protocols: ['TLSv1.3'], extraServerDirectives: ['ssl_ecdh_curve secp384r1;'] });
    const control = await probe(nginx.port, 'ec-p256', false);
    note('nginx secp384r1', 'ec-p256 control', control);
    expectControl(control, 'ec-p256');
    expect(control.certificateVerify).toMatchObject({ helloRetry: true, group: 'secp384r1' });
    const wrong = await probe(nginx.port, 'ec-p256', true);
    expectWrongKeyRefused(wrong, 'ec-p256');
    expect(wrong.certificateVerify).toMatchObject({ helloRetry: true, group: 'secp384r1' });
  });
});

describe.skipIf(!OPENSSL)(`openssl s_server -Verify 1 -verify_return_error -tls1_3 -www${OPENSSL ? ` (${versionOf(OPENSSL, ['version'])})` : ''}`, () => {
  test('control accepted (HTTP 200 page), wrong key refused with alert 51, for each key type and each TLS 1.3 suite', { timeout: T }, async () => {
    await using s = await startOpensslServer({ certsDir, args: ['-tls1_3', '-ciphersuites', 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256'] });
    for (const key of KEY_KINDS) {
      const control = await probe(s.port, key, false);
      note('s_server', `${key} control`, control);
      expectControl(control, key);
      // s_server -Verify loads its -CAfile as the client CA list.
      expect(requestNamesCa(control.certificateVerify.certificateRequest!, clientCa.certPem)).toBe(true);
      const wrong = await probe(s.port, key, true);
      note('s_server', `${key} wrong key`, wrong);
      expectWrongKeyRefused(wrong, key);
    }
    for (const [code, name] of [
      [0x1301, 'TLS_AES_128_GCM_SHA256'],
      [0x1302, 'TLS_AES_256_GCM_SHA384'],
      [0x1303, 'TLS_CHACHA20_POLY1305_SHA256'],
    ] as const) {
      const control = await probe(s.port, 'ec-p256', false, { suites: [code] });
      expect(control.cipher).toBe(name);
      expectControl(control, 'ec-p256');
      const wrong = await probe(s.port, 'ec-p256', true, { suites: [code] });
      expect(wrong.cipher).toBe(name);
      expectWrongKeyRefused(wrong, 'ec-p256');
    }
    // s_server -www echoes the session: the control reached its page over the negotiated suite.
    const page = await probe(s.port, 'ed25519', false, { alpn: [] });
    expect(page.alpn).toBeNull();
    expect(page.detail).toMatch(/^HTTP 200: .*s_server/i);
    expect(page.certificateVerify).toMatchObject({ helloRetry: false, group: 'x25519' });
  });

  test('-tls1_2: control accepted, wrong key refused with alert 51 during the handshake, for each key type and each AES-GCM suite', { timeout: T }, async () => {
    await using s = await startOpensslServer({ certsDir, args: ['-tls1_2'] });
    for (const key of KEY_KINDS) {
      const control = await probe(s.port, key, false, { version: 'TLSv1.2' });
      note('s_server TLS 1.2', `${key} control`, control);
      expectControl12(control, key);
      const wrong = await probe(s.port, key, true, { version: 'TLSv1.2' });
      note('s_server TLS 1.2', `${key} wrong key`, wrong);
      expectWrongKeyRefused12(wrong, key);
    }
    // The server certificate is ECDSA: the ECDHE-ECDSA suites.
    for (const [code, name] of [
      [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
      [0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'],
      [0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'],
    ] as const) {
      const control = await probe(s.port, 'ec-p384', false, { version: 'TLSv1.2', suites: [code] });
      expect(control.cipher).toBe(name);
      expectControl12(control, 'ec-p384');
      expectWrongKeyRefused12(await probe(s.port, 'ec-p384', true, { version: 'TLSv1.2', suites: [code] }), 'ec-p384');
    }
  });

  test('-tls1_2 with an RSA server certificate: the ECDHE-RSA suites', { timeout: T }, async () => {
    const rsaDir = join(root, 'certs-rsa');
    const serverCa = await generate(caSpec({ name: 'server-ca', issuer: 'self', subject: 'CN=cv-probe RSA server CA' }));
    const rsaServer = await generate(specOf({ name: 'server', issuer: 'server-ca', subject: 'CN=localhost', key: 'rsa-2048', eku: ['serverAuth'], sans: [{ type: 'dns', value: 'localhost' }] }), serverCa);
    await mkdir(join(rsaDir, 'target'), { recursive: true, mode: 0o700 });
    await mkdir(join(rsaDir, 'trust'), { recursive: true, mode: 0o700 });
    await writeFile(join(rsaDir, 'target', 'server-cert.pem'), rsaServer.certPem);
    await writeFile(join(rsaDir, 'target', 'server-key.pem'), rsaServer.keyPem, { mode: 0o600 });
    await writeFile(join(rsaDir, 'trust', 'client-ca.pem'), clientCa.certPem);
    await using s = await startOpensslServer({ certsDir: rsaDir, args: ['-tls1_2'] });
    for (const [code, name] of [
      [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
      [0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
      [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
    ] as const) {
      const control = await probe(s.port, 'ed25519', false, { version: 'TLSv1.2', suites: [code] });
      expect(control.cipher).toBe(name);
      expectControl12(control, 'ed25519');
      expectWrongKeyRefused12(await probe(s.port, 'ed25519', true, { version: 'TLSv1.2', suites: [code] }), 'ed25519');
    }
  });

  test('without -www, s_server waits for the client to close: the prober closes with an encrypted close_notify (RFC 8446 §6.1), logged as DONE, not as an unexpected EOF', { timeout: T }, async () => {
    for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
      await using s = await startOpensslServer({ certsDir, www: false, args: [version === 'TLSv1.3' ? '-tls1_3' : '-tls1_2'] });
      // s_server prints the request and never answers: the prober's bound ends the exchange after a complete handshake.
      const o = await probe(s.port, 'ec-p256', false, { version, timeoutMs: 1500 });
      expect(o.outcome).toBe('timeout');
      expect(o.certificateVerify).toMatchObject({ stage: 'answer', serverFinishedVerified: true });
      // The close reaches s_server after the observation: waited for, bounded.
      let logs = await s.logs();
      for (const until = Date.now() + 5000; !/^(DONE|ERROR)$/m.test(logs) && Date.now() < until; logs = await s.logs()) await new Promise((r) => setTimeout(r, 50));
      expect(logs, `${version}:\n${logs}`).toMatch(/^GET \/ HTTP\/1\.1$/m);
      expect(logs, `${version}:\n${logs}`).toMatch(/^DONE$/m);
      expect(logs).not.toMatch(/unexpected eof|^ERROR$/m);
    }
  });

  test('-groups P-256: a HelloRetryRequest for secp256r1, then the control accepted and the wrong key refused', { timeout: T }, async () => {
    await using s = await startOpensslServer({ certsDir, args: ['-tls1_3', '-groups', 'P-256'] });
    const control = await probe(s.port, 'ed25519', false);
    note('s_server P-256', 'ed25519 control', control);
    expectControl(control, 'ed25519');
    expect(control.certificateVerify).toMatchObject({ helloRetry: true, group: 'secp256r1' });
    const wrong = await probe(s.port, 'ed25519', true);
    expectWrongKeyRefused(wrong, 'ed25519');
    expect(wrong.certificateVerify.helloRetry).toBe(true);
  });
});

/** A node:tls HTTP-ish server: answers every request line with 200 and the peer certificate's subject CN. */
async function startNodeServer(options: tls.TlsOptions, listenHost: string = HOST): Promise<{ port: number; seen: string[]; hosts: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const hosts: string[] = [];
  const srv = tls.createServer({ cert: server.certPem, key: server.keyPem, ca: [clientCa.certPem], minVersion: 'TLSv1.3', ...options }, (socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (d: Buffer) => {
      hosts.push(/\r\nHost: ([^\r]*)\r\n/.exec(d.toString('latin1'))?.[1] ?? '');
      const cn = socket.getPeerCertificate()?.subject?.CN ?? 'none';
      seen.push(`${socket.authorized ? 'authorized' : `unauthorized (${socket.authorizationError})`} ${cn}`);
      socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nhello ${cn}\n`);
    });
  });
  srv.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => srv.listen(0, listenHost, r));
  const port = (srv.address() as { port: number }).port;
  return { port, seen, hosts, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

describe('node:tls servers (Node ' + process.versions.node + ', OpenSSL ' + process.versions.openssl + ')', () => {
  test('requestCert and rejectUnauthorized: control answered, wrong key refused with alert 51', { timeout: T }, async () => {
    const node = await startNodeServer({ requestCert: true, rejectUnauthorized: true });
    try {
      for (const key of KEY_KINDS) {
        const control = await probe(node.port, key, false);
        note('node rejectUnauthorized:true', `${key} control`, control);
        expectControl(control, key);
        // node:tls names the CAs of its `ca` option in the CertificateRequest.
        expect(requestNamesCa(control.certificateVerify.certificateRequest!, clientCa.certPem)).toBe(true);
        expect(control.detail).toBe(`HTTP 200: hello cv-probe client ${key}`);
        const wrong = await probe(node.port, key, true);
        note('node rejectUnauthorized:true', `${key} wrong key`, wrong);
        expectWrongKeyRefused(wrong, key);
      }
      expect(node.seen).toEqual(KEY_KINDS.map((k) => `authorized cv-probe client ${k}`));
    } finally {
      await node.close();
    }
  });

  test('rejectUnauthorized false (the application ignores the chain): OpenSSL still checks CertificateVerify, the wrong key is refused with alert 51', { timeout: T }, async () => {
    const node = await startNodeServer({ requestCert: true, rejectUnauthorized: false });
    try {
      const control = await probe(node.port, 'ec-p256', false);
      note('node rejectUnauthorized:false', 'ec-p256 control', control);
      expectControl(control, 'ec-p256');
      const wrong = await probe(node.port, 'ec-p256', true);
      note('node rejectUnauthorized:false', 'ec-p256 wrong key', wrong);
      expectWrongKeyRefused(wrong, 'ec-p256');
      // An untrusted chain (a self-signed leaf) gets in, so the refusal above is the signature check, not the chain.
      const self = await generate(specOf({ name: 'self', issuer: 'self', subject: 'CN=cv-probe self-signed' }));
      const untrusted = await probeCertificateVerify({ host: HOST, port: node.port, certChainPem: self.certPem, signingKeyPem: self.keyPem, httpPath: '/', httpMethod: 'GET', timeoutMs: 5000 });
      expect(untrusted.httpStatus, JSON.stringify(untrusted)).toBe(200);
      expect(node.seen).toEqual(['authorized cv-probe client ec-p256', expect.stringMatching(/^unauthorized \(.+\) cv-probe self-signed$/)]);
    } finally {
      await node.close();
    }
  });

  test('TLS 1.2 (maxVersion TLSv1.2): control answered, wrong key refused with alert 51 during the handshake', { timeout: T }, async () => {
    const node = await startNodeServer({ requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    try {
      for (const key of KEY_KINDS) {
        const control = await probe(node.port, key, false, { version: 'TLSv1.2' });
        note('node TLS 1.2', `${key} control`, control);
        expectControl12(control, key);
        const wrong = await probe(node.port, key, true, { version: 'TLSv1.2' });
        note('node TLS 1.2', `${key} wrong key`, wrong);
        expectWrongKeyRefused12(wrong, key);
      }
    } finally {
      await node.close();
    }
  });

  test('ecdhCurve P-384: a HelloRetryRequest, then the control answered and the wrong key refused', { timeout: T }, async () => {
    const node = await startNodeServer({ requestCert: true, rejectUnauthorized: true, ecdhCurve: 'P-384' });
    try {
      const control = await probe(node.port, 'rsa-2048', false);
      expectControl(control, 'rsa-2048');
      expect(control.certificateVerify).toMatchObject({ helloRetry: true, group: 'secp384r1' });
      expectWrongKeyRefused(await probe(node.port, 'rsa-2048', true), 'rsa-2048');
    } finally {
      await node.close();
    }
  });

  test('over ::1, without a server name: no SNI, Host is the bracketed address', { timeout: T }, async () => {
    const node = await startNodeServer({ requestCert: true, rejectUnauthorized: true }, '::1');
    try {
      const m = clients.get('ec-p256')!;
      const o = await probeCertificateVerify({ host: '::1', port: node.port, certChainPem: m.certPem, signingKeyPem: m.keyPem, httpPath: '/', httpMethod: 'GET', timeoutMs: 5000 });
      expectControl(o, 'ec-p256');
      expect(node.hosts).toEqual([`[::1]:${node.port}`]);
    } finally {
      await node.close();
    }
  });

  test('an HTTP/2-only server (ALPN h2 offered): the control is accepted on the server\'s first frames, the wrong key refused with alert 51', { timeout: T }, async () => {
    const srv = http2.createSecureServer({ cert: server.certPem, key: server.keyPem, ca: [clientCa.certPem], requestCert: true, rejectUnauthorized: true, allowHTTP1: false, minVersion: 'TLSv1.3' }, (_req, res) => res.end('h2'));
    srv.on('sessionError', () => undefined);
    await new Promise<void>((r) => srv.listen(0, HOST, r));
    const port = (srv.address() as { port: number }).port;
    try {
      // The prober speaks HTTP/1.1 only: over h2 the server's SETTINGS frame is the answer, non-HTTP data, so `accepted`.
      const control = await probe(port, 'ec-p256', false, { alpn: ['h2'] });
      expect(control).toMatchObject({ outcome: 'accepted', alpn: 'h2', certificateVerify: { serverFinishedVerified: true, scheme: 'ecdsa_secp256r1_sha256' } });
      const wrong = await probe(port, 'ec-p256', true, { alpn: ['h2'] });
      expectWrongKeyRefused(wrong, 'ec-p256');
      // Offering only http/1.1 to it: refused at the ClientHello, before any certificate (RFC 7301 §3.2).
      expect(await probe(port, 'ec-p256', false)).toMatchObject({ outcome: 'handshake-alert', alert: { code: 120, name: 'no_application_protocol' } });
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });

  test('a server that asks for no certificate: no CertificateRequest, no Certificate sent, the request answered', { timeout: T }, async () => {
    const node = await startNodeServer({ requestCert: false });
    try {
      const o = await probe(node.port, 'ec-p256', true);
      expect(o.certificateVerify.certificateRequest).toBeNull();
      expect(o.certificateVerify.scheme).toBeNull();
      expect(o.certificateVerify.serverFinishedVerified).toBe(true);
      expect(o.outcome).toBe('http-status');
      expect(o.httpStatus).toBe(200);
    } finally {
      await node.close();
    }
  });
});
