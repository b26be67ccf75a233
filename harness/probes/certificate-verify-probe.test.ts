import { constants, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, verify, X509Certificate, createPrivateKey } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generate, type Material } from '../../certs/generate.js';
import { caSpec, specOf } from '../../certs/spec.js';
import { clientVerifyContent, freshKeyLike, parseCertificateRequest, probeCertificateVerify, type CertificateVerifyObservation, type CertificateVerifyProbeInput } from './certificate-verify-probe.js';
import { u16, u24, u8, vec16, vec8 } from './raw-hello.js';
import { parseCertificateRequest12 } from './tls12-handshake.js';
import { applicationSecrets, CONTENT, finishedVerifyData, handshakeSecrets, RecordProtection, tls13Suite, Transcript } from './tls13-keys.js';

/**
 * The prober against servers written in this test: hostile ones (garbage, huge lengths, a slow
 * drip, endless alerts) that must give a bounded harness-error or timeout, never a hang or a
 * throw; and a minimal TLS 1.3 server built on tls13-keys.ts that checks what the prober sends
 * (the Certificate it presents, the CertificateVerify signature over RFC 8446 §4.4.3's content).
 */

let ec: Material;
let rsa: Material;
beforeAll(async () => {
  const ca = await generate(caSpec({ name: 'ca', issuer: 'self', subject: 'CN=unit CA' }));
  ec = await generate(specOf({ name: 'ec', issuer: 'ca', subject: 'CN=unit ec' }), ca);
  rsa = await generate(specOf({ name: 'rsa', issuer: 'ca', subject: 'CN=unit rsa', key: 'rsa-2048' }), ca);
}, 30_000);

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** A TCP server on 127.0.0.1 that runs `onClient` for each connection; resolves its port. */
async function fakeServer(onClient: (socket: Socket, firstBytes: Buffer) => void): Promise<number> {
  const srv = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (first) => onClient(socket, first));
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return (srv.address() as { port: number }).port;
}

function run(port: number, extra: Partial<CertificateVerifyProbeInput> = {}): Promise<CertificateVerifyObservation> {
  return probeCertificateVerify({ host: '127.0.0.1', port, certChainPem: ec.certPem, signingKeyPem: ec.keyPem, httpPath: '/', httpMethod: 'GET', timeoutMs: 2000, ...extra });
}

const record = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type, 3, 3]), u16(body.length), body]);
const hsMessage = (type: number, body: Buffer) => Buffer.concat([u8(type), u24(body.length), body]);

describe('hostile servers: every answer bounded, every malformation a harness-error', () => {
  test('non-TLS bytes', async () => {
    const port = await fakeServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const o = await run(port);
    expect(o.outcome).toBe('harness-error');
    expect(o.detail).toMatch(/not a TLS record/);
  });

  test('a record header claiming 65535 bytes', async () => {
    const port = await fakeServer((s) => s.write(Buffer.from([22, 3, 3, 0xff, 0xff])));
    const o = await run(port);
    expect(o.outcome).toBe('harness-error');
    expect(o.detail).toMatch(/65535 bytes/);
    expect(o.durationMs).toBeLessThan(1000);
  });

  test('a ServerHello claiming 16 MiB is refused at its header, not read', async () => {
    const port = await fakeServer((s) => s.write(record(22, Buffer.from([2, 0xff, 0xff, 0xff]))));
    const o = await run(port);
    expect(o.outcome).toBe('harness-error');
    expect(o.detail).toMatch(/ServerHello claims 16777215 bytes/);
  });

  test('an endless stream of user_canceled alerts stops at maxBytes', async () => {
    const chunk = Buffer.concat(Array.from({ length: 1000 }, () => record(21, Buffer.from([1, 90]))));
    const port = await fakeServer((s) => {
      const pump = () => {
        while (!s.destroyed && s.write(chunk));
        if (!s.destroyed) s.once('drain', pump);
      };
      pump();
    });
    const o = await run(port, { maxBytes: 64 * 1024 });
    expect(o.outcome).toBe('harness-error');
    expect(o.detail).toMatch(/more than 65536 bytes/);
  });

  test('a slow drip of a valid-looking ServerHello ends at the time bound', async () => {
    const hello = record(22, hsMessage(2, randomBytes(80)));
    const port = await fakeServer((s) => {
      let i = 0;
      const t = setInterval(() => (s.destroyed || i >= hello.length ? clearInterval(t) : s.write(hello.subarray(i, ++i))), 50);
      s.on('close', () => clearInterval(t));
    });
    const o = await run(port, { timeoutMs: 600 });
    expect(o.outcome).toBe('timeout');
    expect(o.detail).toMatch(/within 600 ms while waiting for the server's ServerHello/);
    expect(o.durationMs).toBeGreaterThanOrEqual(590);
    expect(o.durationMs).toBeLessThan(1500);
  });

  test('silence, a close, a reset', async () => {
    const silent = await fakeServer(() => undefined);
    expect((await run(silent, { timeoutMs: 300 })).outcome).toBe('timeout');
    const closing = await fakeServer((s) => s.end());
    expect(await run(closing)).toMatchObject({ outcome: 'closed-no-data' });
    const resetting = await fakeServer((s) => s.resetAndDestroy());
    expect(await run(resetting)).toMatchObject({ outcome: 'tcp-reset' });
  });

  test('a fatal alert to the ClientHello is a handshake-alert; a warning is read past, and reported if nothing follows', async () => {
    const port = await fakeServer((s) => s.end(record(21, Buffer.from([2, 40]))));
    expect(await run(port)).toMatchObject({ outcome: 'handshake-alert', alert: { code: 40, name: 'handshake_failure' } });
    const warned = await fakeServer((s) => s.end(Buffer.concat([record(21, Buffer.from([1, 112])), record(21, Buffer.from([2, 40]))])));
    expect(await run(warned)).toMatchObject({ outcome: 'handshake-alert', alert: { code: 40 } });
    const onlyWarned = await fakeServer((s) => s.end(record(21, Buffer.from([1, 112]))));
    const o = await run(onlyWarned);
    expect(o).toMatchObject({ outcome: 'handshake-alert', alert: { code: 112, name: 'unrecognized_name' } });
    expect(o.detail).toMatch(/^warning alert 112 unrecognized_name, then the connection closed/);
  });

  test('a TLS 1.2 ServerHello: the harness aborts with protocol_version, as node:tls does', async () => {
    let got = Buffer.alloc(0);
    const port = await fakeServer((s) => {
      const body = Buffer.concat([u16(0x0303), randomBytes(32), vec8(Buffer.alloc(0)), u16(0xc02f), u8(0)]);
      s.on('data', (d) => (got = Buffer.concat([got, d])));
      s.write(record(22, hsMessage(2, body)));
    });
    const o = await run(port);
    expect(o).toMatchObject({ outcome: 'handshake-alert', alert: { code: 70 }, tlsVersion: 'TLSv1.2' });
    await new Promise((r) => setTimeout(r, 50));
    expect(got.toString('hex')).toContain('15030300020246');
  });

  test('HelloRetryRequest: one asking for the group already sent, and a second one, are harness-errors', async () => {
    const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');
    const hrr = (sid: Buffer, group: number) =>
      record(22, hsMessage(2, Buffer.concat([u16(0x0303), HRR_RANDOM, vec8(sid), u16(0x1301), u8(0), vec16(Buffer.concat([u16(43), vec16(u16(0x0304)), u16(51), vec16(u16(group))]))])));
    const sidOf = (first: Buffer) => first.subarray(5 + 4 + 2 + 32 + 1, 5 + 4 + 2 + 32 + 1 + first[5 + 4 + 2 + 32]!);
    const same = await fakeServer((s, first) => s.write(hrr(sidOf(first), 0x001d)));
    expect((await run(same)).detail).toMatch(/HelloRetryRequest asks for group x25519: not one offered, or the one already sent/);
    const unknown = await fakeServer((s, first) => s.write(hrr(sidOf(first), 0x0100)));
    expect((await run(unknown)).detail).toMatch(/HelloRetryRequest asks for group 0x0100/);
    const seconds: Buffer[] = [];
    const twice = await fakeServer((s, first) => {
      s.write(hrr(sidOf(first), 0x0017));
      s.on('data', (d) => {
        seconds.push(d);
        s.write(hrr(sidOf(first), 0x0018));
      });
    });
    const o = await run(twice);
    expect(o.outcome).toBe('harness-error');
    expect(o.detail).toMatch(/a second HelloRetryRequest/);
    // The second ClientHello came after a change_cipher_spec, with a P-256 share (65 bytes) and the same session id.
    const second = Buffer.concat(seconds);
    expect(second.subarray(0, 6)).toEqual(Buffer.from([20, 3, 3, 0, 1, 1]));
    expect(second.includes(Buffer.concat([u16(0x0017), u16(65), Buffer.from([4])]))).toBe(true);
  });

  test('TLS 1.2: a TLS 1.1 answer is aborted with protocol_version; an unoffered suite, or a change_cipher_spec out of turn, is a harness-error', async () => {
    const sh12 = (version: number, suite: number) => record(22, hsMessage(2, Buffer.concat([u16(version), randomBytes(32), vec8(Buffer.alloc(0)), u16(suite), u8(0)])));
    const old = await fakeServer((s) => s.write(sh12(0x0302, 0xc02f)));
    expect(await run(old, { version: 'TLSv1.2' })).toMatchObject({ outcome: 'handshake-alert', alert: { code: 70 }, tlsVersion: 'TLSv1.1' });
    const cbc = await fakeServer((s) => s.write(sh12(0x0303, 0xc013)));
    expect((await run(cbc, { version: 'TLSv1.2' })).detail).toMatch(/selects suite 0xc013, which was not offered/);
    const ccs = await fakeServer((s) => s.write(Buffer.concat([sh12(0x0303, 0xc02f), record(20, Buffer.from([1]))])));
    const o = await run(ccs, { version: 'TLSv1.2' });
    expect(o.outcome).toBe('harness-error');
    expect(o.detail).toMatch(/change_cipher_spec while waiting for the server's Certificate/);
  });

  test('connection refused is a harness-error, not a target verdict', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    await new Promise((r) => srv.close(r));
    const o = await run(port);
    expect(o.outcome).toBe('harness-error');
    expect(o.detail).toMatch(/cannot connect/);
  });
});

// --- a minimal TLS 1.3 server, test-side

interface FakeTls13Options {
  /** CertificateRequest body; null: none sent. */
  certificateRequest: Buffer | null;
  /** Corrupt the server Finished MAC. */
  badFinished?: boolean;
  /** Replace the encrypted flight by bytes that do not decrypt. */
  garbageFlight?: boolean;
  /** Extra handshake messages sent under the application keys before the answer. */
  postHandshake?: Buffer[];
  /** What to answer once the client's flight is in: a response, or an alert code. */
  answer: { http: string } | { alert: number };
}

interface ClientFlight {
  certificates: number;
  scheme: number | null;
  signatureValid: boolean | null;
  finishedValid: boolean;
  request: string;
}

const SUITE = tls13Suite(0x1301)!;
const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex');

/** A TLS 1.3 server speaking just enough to take the prober through a handshake, recording what it sent. */
async function fakeTls13(opts: FakeTls13Options, clientCertPem: string): Promise<{ port: number; flights: ClientFlight[] }> {
  const flights: ClientFlight[] = [];
  const port = await fakeServer((socket, first) => {
    let inbuf = first;
    const take = (): Buffer | null => {
      if (inbuf.length < 5 || inbuf.length < 5 + inbuf.readUInt16BE(3)) return null;
      const rec = inbuf.subarray(0, 5 + inbuf.readUInt16BE(3));
      inbuf = inbuf.subarray(rec.length);
      return rec;
    };
    const ch = take()!.subarray(5);
    // ClientHello: header 4, version 2, random 32, session id, suites, compression, extensions.
    let p = 4 + 2 + 32;
    const sid = ch.subarray(p + 1, p + 1 + ch[p]!);
    p += 1 + ch[p]!;
    p += 2 + ch.readUInt16BE(p);
    p += 1 + ch[p]!;
    const extEnd = p + 2 + ch.readUInt16BE(p);
    p += 2;
    let clientShare: Buffer | null = null;
    while (p < extEnd) {
      const type = ch.readUInt16BE(p);
      const len = ch.readUInt16BE(p + 2);
      if (type === 51) clientShare = ch.subarray(p + 4 + 2 + 4, p + 4 + len);
      p += 4 + len;
    }
    const mine = generateKeyPairSync('x25519');
    const myPub = mine.publicKey.export({ type: 'spki', format: 'der' }).subarray(12);
    const shared = diffieHellman({ privateKey: mine.privateKey, publicKey: createPublicKey({ key: Buffer.concat([X25519_SPKI, clientShare!]), format: 'der', type: 'spki' }) });
    const shBody = Buffer.concat([u16(0x0303), randomBytes(32), vec8(sid), u16(0x1301), u8(0), vec16(Buffer.concat([u16(43), vec16(u16(0x0304)), u16(51), vec16(Buffer.concat([u16(0x1d), vec16(myPub)]))]))]);
    const sh = hsMessage(2, shBody);
    const t = new Transcript();
    t.add(ch);
    t.add(sh);
    const hs = handshakeSecrets(SUITE, shared, t.hash('sha256'));
    const flight: Buffer[] = [hsMessage(8, vec16(Buffer.alloc(0)))];
    if (opts.certificateRequest) flight.push(hsMessage(13, opts.certificateRequest));
    flight.push(hsMessage(11, Buffer.concat([vec8(Buffer.alloc(0)), u24(0)])));
    flight.push(hsMessage(15, Buffer.concat([u16(0x0403), vec16(randomBytes(70))])));
    for (const m of flight) t.add(m);
    const mac = finishedVerifyData(SUITE, hs.serverHandshakeTraffic, t.hash('sha256'));
    if (opts.badFinished) mac[0]! ^= 1;
    const fin = hsMessage(20, mac);
    t.add(fin);
    flight.push(fin);
    const app = applicationSecrets(SUITE, hs.masterSecret, t.hash('sha256'));
    const serverHs = new RecordProtection(SUITE, hs.serverHandshakeTraffic);
    const encrypted = opts.garbageFlight ? record(23, randomBytes(200)) : serverHs.seal(CONTENT.handshake, Buffer.concat(flight));
    socket.write(Buffer.concat([record(22, sh), record(20, Buffer.from([1])), encrypted]));

    const clientHs = new RecordProtection(SUITE, hs.clientHandshakeTraffic);
    const clientApp = new RecordProtection(SUITE, app.client);
    const serverApp = new RecordProtection(SUITE, app.server);
    const got: ClientFlight = { certificates: 0, scheme: null, signatureValid: null, finishedValid: false, request: '' };
    let handshakeDone = false;
    socket.on('data', (d) => {
      inbuf = Buffer.concat([inbuf, d]);
      for (let rec = take(); rec; rec = take()) {
        if (rec[0] === 20) continue;
        if (!handshakeDone) {
          const opened = clientHs.open(rec.subarray(0, 5), rec.subarray(5));
          if ('error' in opened) return socket.destroy();
          let m = opened.content;
          while (m.length >= 4) {
            const type = m[0]!;
            const len = m.readUIntBE(1, 3);
            const msg = m.subarray(0, 4 + len);
            const body = msg.subarray(4);
            m = m.subarray(4 + len);
            if (type === 11) {
              // context, then certificate_list<0..2^24-1>: count the entries.
              let q = 1 + body[0]! + 3;
              while (q < body.length) {
                q += 3 + body.readUIntBE(q, 3);
                q += 2 + body.readUInt16BE(q);
                got.certificates++;
              }
            } else if (type === 15) {
              got.scheme = body.readUInt16BE(0);
              const sig = body.subarray(4, 4 + body.readUInt16BE(2));
              // Written out here rather than by clientVerifyContent, so this check is independent of the prober's.
              const content = Buffer.concat([Buffer.alloc(64, 0x20), Buffer.from('TLS 1.3, client CertificateVerify'), Buffer.from([0]), t.hash('sha256')]);
              const pub = new X509Certificate(clientCertPem).publicKey;
              got.signatureValid =
                got.scheme === 0x0403
                  ? verify('sha256', content, { key: pub, dsaEncoding: 'der' }, sig)
                  : verify(got.scheme === 0x0805 ? 'sha384' : 'sha256', content, { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: got.scheme === 0x0805 ? 48 : 32 }, sig);
            } else if (type === 20) {
              got.finishedValid = finishedVerifyData(SUITE, hs.clientHandshakeTraffic, t.hash('sha256')).equals(body);
              handshakeDone = true;
            }
            t.add(msg);
          }
          continue;
        }
        const opened = clientApp.open(rec.subarray(0, 5), rec.subarray(5));
        if ('error' in opened) return socket.destroy();
        got.request += opened.content.toString('latin1');
        if (got.request.endsWith('\r\n\r\n')) {
          flights.push(got);
          const out = (opts.postHandshake ?? []).map((m) => serverApp.seal(CONTENT.handshake, m));
          if ('http' in opts.answer) out.push(serverApp.seal(CONTENT.application_data, Buffer.from(opts.answer.http)));
          else out.push(serverApp.seal(CONTENT.alert, Buffer.from([2, opts.answer.alert])));
          socket.end(Buffer.concat(out));
        }
      }
    });
  });
  return { port, flights };
}

/** RFC 8446 §4.3.2 CertificateRequest body: empty context, signature_algorithms, optional certificate_authorities. */
function certificateRequestBody(schemes: number[], caNames: Buffer[] = []): Buffer {
  const exts = [Buffer.concat([u16(13), vec16(vec16(Buffer.concat(schemes.map(u16))))])];
  if (caNames.length) exts.push(Buffer.concat([u16(47), vec16(vec16(Buffer.concat(caNames.map(vec16))))]));
  return Buffer.concat([vec8(Buffer.alloc(0)), vec16(Buffer.concat(exts))]);
}

describe('against a minimal TLS 1.3 server of this test', () => {
  test('the control presents the chain, signs a CertificateVerify that verifies with the certificate, and a valid Finished', async () => {
    const f = await fakeTls13({ certificateRequest: certificateRequestBody([0x0804, 0x0403]), answer: { http: 'HTTP/1.1 204 No Content\r\n\r\n' } }, ec.certPem);
    const o = await run(f.port, { servername: 'unit.test', httpPath: '/probe?x=1', httpMethod: 'HEAD' });
    expect(o).toMatchObject({ outcome: 'http-status', httpStatus: 204, tlsVersion: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' });
    expect(o.certificateVerify).toMatchObject({ scheme: 'ecdsa_secp256r1_sha256', keyType: 'ec-p256', keyMatchesCertificate: true, serverFinishedVerified: true, serverCertificates: 0, stage: 'answer' });
    expect(f.flights).toEqual([{ certificates: 1, scheme: 0x0403, signatureValid: true, finishedValid: true, request: expect.stringMatching(/^HEAD \/probe\?x=1 HTTP\/1\.1\r\nHost: unit\.test:\d+\r\n/) }]);
  });

  test('the wrong key signs the same content with another key: the signature does not verify, everything else does', async () => {
    const f = await fakeTls13({ certificateRequest: certificateRequestBody([0x0403]), answer: { alert: 51 } }, ec.certPem);
    const o = await run(f.port, { signingKeyPem: freshKeyLike(ec.keyPem) });
    expect(o).toMatchObject({ outcome: 'post-handshake-alert', alert: { code: 51, name: 'decrypt_error' } });
    expect(o.certificateVerify.keyMatchesCertificate).toBe(false);
    expect(f.flights).toEqual([expect.objectContaining({ scheme: 0x0403, signatureValid: false, finishedValid: true })]);
  });

  test('a server that does not check the signature answers the wrong-key run: the observation a judge must fail', async () => {
    const f = await fakeTls13({ certificateRequest: certificateRequestBody([0x0403]), answer: { http: 'HTTP/1.1 200 OK\r\n\r\nwelcome' } }, ec.certPem);
    const o = await run(f.port, { signingKeyPem: freshKeyLike(ec.keyPem) });
    expect(o).toMatchObject({ outcome: 'http-status', httpStatus: 200, detail: 'HTTP 200: welcome', certificateVerify: { keyMatchesCertificate: false, scheme: 'ecdsa_secp256r1_sha256', serverFinishedVerified: true } });
    expect(f.flights[0]).toMatchObject({ signatureValid: false });
  });

  test("RSA: the scheme is the first of the server's list the key can sign (rsa_pss_rsae_sha384 here)", async () => {
    const f = await fakeTls13({ certificateRequest: certificateRequestBody([0x0403, 0x0805, 0x0804]), answer: { http: 'HTTP/1.0 200 OK\r\n\r\nok' } }, rsa.certPem);
    const o = await run(f.port, { certChainPem: rsa.certPem, signingKeyPem: rsa.keyPem });
    expect(o).toMatchObject({ outcome: 'http-status', httpStatus: 200, certificateVerify: { scheme: 'rsa_pss_rsae_sha384', keyType: 'rsa-2048' } });
    expect(f.flights[0]).toMatchObject({ scheme: 0x0805, signatureValid: true });
  });

  test('no scheme the key can sign: a harness-error naming the key type, not a verdict', async () => {
    const f = await fakeTls13({ certificateRequest: certificateRequestBody([0x0804]), answer: { alert: 40 } }, ec.certPem);
    const o = await run(f.port);
    expect(o.outcome).toBe('harness-error');
    expect(o.detail).toMatch(/no signature scheme a ec-p256 key can sign \(rsa_pss_rsae_sha256\)/);
  });

  test('a bad server Finished MAC is a harness-error (the key schedule check), and nothing is sent', async () => {
    const f = await fakeTls13({ certificateRequest: certificateRequestBody([0x0403]), badFinished: true, answer: { alert: 51 } }, ec.certPem);
    const o = await run(f.port);
    expect(o.outcome).toBe('harness-error');
    expect(o.detail).toMatch(/Finished MAC does not verify/);
    expect(o.certificateVerify.serverFinishedVerified).toBe(false);
    expect(o.certificateVerify.scheme).toBeNull();
    expect(f.flights).toEqual([]);
  });

  test('an encrypted flight that does not decrypt is a harness-error', async () => {
    const f = await fakeTls13({ certificateRequest: null, garbageFlight: true, answer: { alert: 51 } }, ec.certPem);
    const o = await run(f.port);
    expect(o.outcome).toBe('harness-error');
    expect(o.detail).toMatch(/does not decrypt/);
  });

  test('NewSessionTicket and KeyUpdate before the answer are handled; the answer under the updated key is read', async () => {
    // The fake server does not really update its key, so KeyUpdate makes the answer undecryptable: proves it is acted on.
    const ticket = hsMessage(4, Buffer.concat([Buffer.alloc(8), vec8(Buffer.alloc(0)), vec16(Buffer.from('t')), vec16(Buffer.alloc(0))]));
    const withTicket = await fakeTls13({ certificateRequest: null, postHandshake: [ticket], answer: { http: 'HTTP/1.1 200 OK\r\n\r\n' } }, ec.certPem);
    expect(await run(withTicket.port)).toMatchObject({ outcome: 'http-status', httpStatus: 200, certificateVerify: { certificateRequest: null, scheme: null } });
    const withUpdate = await fakeTls13({ certificateRequest: null, postHandshake: [hsMessage(24, Buffer.from([0]))], answer: { http: 'HTTP/1.1 200 OK\r\n\r\n' } }, ec.certPem);
    const o = await run(withUpdate.port);
    expect(o.outcome).toBe('harness-error');
    expect(o.detail).toMatch(/does not decrypt/);
    const postHandshakeAuth = await fakeTls13({ certificateRequest: null, postHandshake: [hsMessage(13, certificateRequestBody([0x0403]))], answer: { http: 'HTTP/1.1 200 OK\r\n\r\n' } }, ec.certPem);
    expect((await run(postHandshakeAuth.port)).detail).toMatch(/CertificateRequest where only NewSessionTicket or KeyUpdate was expected/);
  });
});

describe('parts', () => {
  test('parseCertificateRequest: schemes, CA names as RFC 4514 strings and DER; malformed requests are strings', () => {
    // SEQUENCE { SET { SEQUENCE { OID 2.5.4.3 (CN), UTF8String "Unit CA" } } }
    const caDer = Buffer.from('30123110300e06035504030c07556e6974204341', 'hex');
    const ok = parseCertificateRequest(certificateRequestBody([0x0403, 0x0807, 0x1234], [caDer]));
    expect(ok).toMatchObject({
      schemes: [0x0403, 0x0807, 0x1234],
      facts: { contextLength: 0, signatureAlgorithms: ['ecdsa_secp256r1_sha256', 'ed25519', '0x1234'], signatureAlgorithmsCert: null, certificateAuthorities: ['CN=Unit CA'], certificateAuthoritiesDer: [caDer.toString('hex')], extensions: [13, 47] },
    });
    expect(parseCertificateRequest(Buffer.concat([vec8(Buffer.alloc(0)), vec16(Buffer.alloc(0))]))).toMatch(/no signature_algorithms/);
    expect(parseCertificateRequest(Buffer.from([0, 0, 9, 0, 13]))).toMatch(/malformed/);
    expect(parseCertificateRequest(Buffer.concat([vec8(Buffer.alloc(0)), vec16(Buffer.concat([u16(13), vec16(Buffer.from([0, 3, 4, 3, 5]))]))]))).toMatch(/malformed/);
  });

  test('parseCertificateRequest12: certificate types, signature algorithms, CA names (RFC 5246 §7.4.4)', () => {
    const caDer = Buffer.from('30123110300e06035504030c07556e6974204341', 'hex');
    const body = Buffer.concat([vec8(Buffer.from([1, 64])), vec16(Buffer.concat([u16(0x0403), u16(0x0401)])), vec16(vec16(caDer))]);
    expect(parseCertificateRequest12(body)).toMatchObject({
      schemes: [0x0403, 0x0401],
      facts: { signatureAlgorithms: ['ecdsa_secp256r1_sha256', 'rsa_pkcs1_sha256'], certificateAuthorities: ['CN=Unit CA'], certificateTypes: [1, 64] },
    });
    expect(parseCertificateRequest12(body.subarray(0, body.length - 1))).toMatch(/malformed/);
    expect(parseCertificateRequest12(Buffer.concat([vec8(Buffer.from([1])), vec16(Buffer.alloc(0)), vec16(Buffer.alloc(0))]))).toMatch(/malformed/);
  });

  test('freshKeyLike: same type and size, another key', () => {
    for (const pem of [ec.keyPem, rsa.keyPem, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string]) {
      const a = createPrivateKey(pem);
      const b = createPrivateKey(freshKeyLike(pem));
      expect(b.asymmetricKeyType).toBe(a.asymmetricKeyType);
      expect(b.asymmetricKeyDetails).toEqual(a.asymmetricKeyDetails);
      expect(createPublicKey(b).export({ type: 'spki', format: 'der' }).equals(createPublicKey(a).export({ type: 'spki', format: 'der' }))).toBe(false);
    }
  });

  test('clientVerifyContent is 64 spaces, the context string, a zero byte and the hash (RFC 8446 §4.4.3)', () => {
    const c = clientVerifyContent(Buffer.alloc(32, 0xaa));
    expect(c.subarray(0, 64).every((b) => b === 0x20)).toBe(true);
    expect(c.subarray(64, 64 + 33).toString()).toBe('TLS 1.3, client CertificateVerify');
    expect(c[97]).toBe(0);
    expect(c.length).toBe(64 + 33 + 1 + 32);
  });

  test('unusable input is a HarnessError, before any connection', async () => {
    await expect(run(1, { certChainPem: 'nope' })).rejects.toThrow(/certChainPem holds no PEM certificate/);
    await expect(run(1, { signingKeyPem: 'nope' })).rejects.toThrow(/signingKeyPem is not a PEM private key/);
    await expect(run(1, { suites: [0x1304] })).rejects.toThrow(/suite 0x1304/);
    await expect(run(1, { version: 'TLSv1.2', suites: [0x1301] })).rejects.toThrow(/suite 0x1301 is not a TLSv1.2 suite/);
    await expect(run(1, { httpPath: '/ HTTP/1.1\r\nX: y' })).rejects.toThrow(/httpPath .* is not a request target/);
    await expect(run(1, { httpMethod: 'GET /' })).rejects.toThrow(/httpMethod "GET \/" is not an HTTP method token/);
  });
});
