import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generate } from '../../certs/generate.js';
import { specOf } from '../../certs/spec.js';
import { HarnessError } from '../errors.js';
import { SUITE_CODES, suiteByName, suiteFitsVersion, suiteTraits, TLS_EMPTY_RENEGOTIATION_INFO_SCSV } from '../tls/suite-codes.js';
import { judgeSuite, LEGACY_SUITES, MODERN_SUITES_12, SUITES_13, suitesForVersion } from './cipher-sweep.js';
import { buildClientHello, HELLO_RETRY_RANDOM, MAX_RECORD_LENGTH, probeHello, ServerHelloReader, type HelloObservation, type HelloVersion } from './raw-hello.js';

const HOST = '127.0.0.1';
const code = (name: string) => suiteByName(name)!.code;

// --- an independent ClientHello parser: every length field must add up exactly

interface ParsedClientHello {
  recordVersion: number;
  clientVersion: number;
  random: Buffer;
  sessionId: Buffer;
  suites: number[];
  compression: number[];
  extensions: Map<number, Buffer> | null;
}

function parseClientHelloStrict(buf: Buffer): ParsedClientHello {
  let p = 0;
  const need = (n: number, what: string) => {
    if (p + n > buf.length) throw new Error(`${what}: needs ${n} bytes at ${p}, buffer has ${buf.length}`);
  };
  const u8 = (what: string) => (need(1, what), buf[p++]);
  const u16 = (what: string) => (need(2, what), (p += 2), buf.readUInt16BE(p - 2));
  const take = (n: number, what: string) => (need(n, what), (p += n), buf.subarray(p - n, p));

  expect(u8('content type')).toBe(22);
  const recordVersion = u16('record version');
  const recordLength = u16('record length');
  expect(recordLength, 'record length = bytes after the record header').toBe(buf.length - 5);
  expect(u8('handshake type')).toBe(1);
  const hsLength = (u8('len') << 16) | (u8('len') << 8) | u8('len');
  expect(hsLength, 'handshake length = bytes after the handshake header').toBe(buf.length - 9);
  const clientVersion = u16('client_version');
  const random = take(32, 'random');
  const sessionId = take(u8('session id length'), 'session id');
  const suitesLength = u16('cipher suites length');
  expect(suitesLength % 2).toBe(0);
  const suiteBytes = take(suitesLength, 'cipher suites');
  const suites = Array.from({ length: suitesLength / 2 }, (_, i) => suiteBytes.readUInt16BE(i * 2));
  const compression = [...take(u8('compression length'), 'compression methods')];
  let extensions: Map<number, Buffer> | null = null;
  if (p < buf.length) {
    const extLength = u16('extensions length');
    expect(extLength, 'extensions length = bytes that remain').toBe(buf.length - p);
    extensions = new Map();
    while (p < buf.length) {
      const type = u16('extension type');
      const data = take(u16('extension length'), `extension ${type}`);
      expect(extensions.has(type), `extension ${type} twice`).toBe(false);
      extensions.set(type, data);
    }
  }
  expect(p).toBe(buf.length);
  return { recordVersion, clientVersion, random, sessionId, suites, compression, extensions };
}

/** A `<2..2^16-2>` list of u16 inside an extension (supported_groups, signature_algorithms). */
function u16List(data: Buffer): number[] {
  expect(data.readUInt16BE(0)).toBe(data.length - 2);
  return Array.from({ length: (data.length - 2) / 2 }, (_, i) => data.readUInt16BE(2 + i * 2));
}

function sniName(data: Buffer): string {
  expect(data.readUInt16BE(0)).toBe(data.length - 2);
  expect(data[2]).toBe(0); // host_name
  const len = data.readUInt16BE(3);
  expect(len).toBe(data.length - 5);
  return data.subarray(5).toString('ascii');
}

describe('buildClientHello', () => {
  const suites = [code('TLS_RSA_WITH_RC4_128_SHA'), code('TLS_RSA_WITH_3DES_EDE_CBC_SHA'), code('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')];

  test.each(['TLSv1', 'TLSv1.1', 'TLSv1.2'] as const)('%s: client_version, the suites in order, and the legacy extensions', (version) => {
    const random = randomBytes(32);
    const hello = parseClientHelloStrict(buildClientHello({ version, suites, servername: 'partner.example', random }));
    expect(hello.recordVersion).toBe(0x0301);
    expect(hello.clientVersion).toBe({ TLSv1: 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303 }[version]);
    expect(hello.random.equals(random)).toBe(true);
    expect(hello.sessionId.length).toBe(0);
    expect(hello.suites).toEqual(suites);
    expect(hello.compression).toEqual([0]);
    const ext = hello.extensions!;
    expect([...ext.keys()].sort((a, b) => a - b)).toEqual([0, 10, 11, 13, 0xff01]);
    expect(sniName(ext.get(0)!)).toBe('partner.example');
    expect(u16List(ext.get(10)!)).toEqual([0x001d, 0x0017, 0x0018]);
    expect([...ext.get(11)!]).toEqual([1, 0]);
    const sigalgs = u16List(ext.get(13)!);
    // rsa_pkcs1_sha1 and ecdsa_sha1 so that legacy servers find a signature they can make.
    expect(sigalgs).toEqual(expect.arrayContaining([0x0201, 0x0203, 0x0401, 0x0403, 0x0804]));
    expect([...ext.get(0xff01)!]).toEqual([0]);
  });

  test('SSLv3: record and client version 3.0, no extensions, renegotiation signalled by the SCSV', () => {
    const hello = parseClientHelloStrict(buildClientHello({ version: 'SSLv3', suites, servername: 'partner.example' }));
    expect(hello.recordVersion).toBe(0x0300);
    expect(hello.clientVersion).toBe(0x0300);
    expect(hello.extensions).toBeNull();
    expect(hello.suites).toEqual([...suites, TLS_EMPTY_RENEGOTIATION_INFO_SCSV]);
  });

  test('TLS 1.3: legacy_version 1.2, supported_versions [1.3], an X25519 key share, a 32-byte session id', () => {
    const hello = parseClientHelloStrict(buildClientHello({ version: 'TLSv1.3', suites: [0x1301, 0x1302], servername: 'partner.example' }));
    expect(hello.recordVersion).toBe(0x0301);
    expect(hello.clientVersion).toBe(0x0303);
    expect(hello.sessionId.length).toBe(32);
    expect(hello.suites).toEqual([0x1301, 0x1302]);
    const ext = hello.extensions!;
    expect([...ext.keys()].sort((a, b) => a - b)).toEqual([0, 10, 13, 43, 45, 50, 51]);
    expect([...ext.get(43)!]).toEqual([2, 0x03, 0x04]);
    expect([...ext.get(45)!]).toEqual([1, 1]);
    const ks = ext.get(51)!;
    expect(ks.readUInt16BE(0)).toBe(ks.length - 2);
    expect(ks.readUInt16BE(2)).toBe(0x001d);
    expect(ks.readUInt16BE(4)).toBe(32);
    expect(ks.length).toBe(6 + 32);
    expect(u16List(ext.get(50)!)).toEqual(u16List(ext.get(13)!));
  });

  test('SNI is left out for IP addresses and when no name is given; a trailing dot is dropped', () => {
    for (const servername of ['127.0.0.1', '::1', undefined]) {
      const ext = parseClientHelloStrict(buildClientHello({ version: 'TLSv1.2', suites, servername })).extensions!;
      expect(ext.has(0), `servername ${servername}`).toBe(false);
    }
    const ext = parseClientHelloStrict(buildClientHello({ version: 'TLSv1.2', suites, servername: 'partner.example.' })).extensions!;
    expect(sniName(ext.get(0)!)).toBe('partner.example');
  });

  test('the whole table fits one ClientHello; bad input is a harness error, not a malformed hello', () => {
    const all = SUITE_CODES.map((s) => s.code);
    expect(parseClientHelloStrict(buildClientHello({ version: 'TLSv1.2', suites: all })).suites).toEqual(all);
    const bad: [Parameters<typeof buildClientHello>[0], RegExp][] = [
      [{ version: 'TLSv1.2', suites: [] }, /no cipher suites/],
      [{ version: 'TLSv1.2', suites: [0x10000] }, /not a 16-bit code point/],
      [{ version: 'TLSv1.2', suites: [1.5] }, /not a 16-bit code point/],
      [{ version: 'TLSv1.2', suites: new Array(9000).fill(0x002f) }, /more than one record holds/],
      [{ version: 'TLSv1.2', suites, random: Buffer.alloc(31) }, /32 bytes/],
      [{ version: 'TLSv1.2', suites, servername: 'bad name\u00e9' }, /not an ASCII host name/],
      [{ version: 'SSLv2' as HelloVersion, suites }, /unknown version "SSLv2"/],
    ];
    for (const [input, message] of bad) {
      expect(() => buildClientHello(input)).toThrow(HarnessError);
      expect(() => buildClientHello(input)).toThrow(message);
    }
  });
});

// --- servers that answer with whatever a test scripts

type Script = (socket: Socket) => void;

async function scriptedServer(script: Script): Promise<{ port: number; server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    // Answer once the ClientHello has arrived, as a real server would.
    socket.once('data', () => script(socket));
  });
  await new Promise<void>((r) => server.listen(0, HOST, r));
  return { port: (server.address() as { port: number }).port, server, sockets };
}

const open: { server: Server; sockets: Set<Socket> }[] = [];
afterAll(async () => {
  for (const { server, sockets } of open) {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

async function answer(script: Script, opts: { timeoutMs?: number; maxBytes?: number } = {}): Promise<HelloObservation> {
  const srv = await scriptedServer(script);
  open.push(srv);
  const hello = buildClientHello({ version: 'TLSv1.2', suites: [0xc02f] });
  return probeHello({ host: HOST, port: srv.port, hello, timeoutMs: opts.timeoutMs ?? 2000, maxBytes: opts.maxBytes });
}

function record(type: number, body: Buffer, version = 0x0303): Buffer {
  const h = Buffer.alloc(5);
  h[0] = type;
  h.writeUInt16BE(version, 1);
  h.writeUInt16BE(body.length, 3);
  return Buffer.concat([h, body]);
}

function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
}

function ext(type: number, data: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16BE(type);
  h.writeUInt16BE(data.length, 2);
  return Buffer.concat([h, data]);
}

/** A ServerHello body; each field can be overridden to make it wrong. */
function serverHelloBody(o: { version?: number; random?: Buffer; sessionId?: Buffer; suite?: number; extensions?: Buffer | null; extLength?: number } = {}): Buffer {
  const v = Buffer.alloc(2);
  v.writeUInt16BE(o.version ?? 0x0303);
  const sid = o.sessionId ?? randomBytes(32);
  const suite = Buffer.alloc(2);
  suite.writeUInt16BE(o.suite ?? 0xc02f);
  const parts = [v, o.random ?? randomBytes(32), Buffer.from([sid.length]), sid, suite, Buffer.from([0])];
  const exts = o.extensions === undefined ? ext(0xff01, Buffer.from([0])) : o.extensions;
  if (exts) {
    const l = Buffer.alloc(2);
    l.writeUInt16BE(o.extLength ?? exts.length);
    parts.push(l, exts);
  }
  return Buffer.concat(parts);
}

const serverHello = (o: Parameters<typeof serverHelloBody>[0] = {}) => record(22, handshake(2, serverHelloBody(o)));

describe('probeHello: hostile and broken servers are observations', () => {
  test('a fatal alert record', async () => {
    const obs = await answer((s) => s.end(record(21, Buffer.from([2, 40]))));
    expect(obs).toMatchObject({ kind: 'alert', level: 'fatal', code: 40, name: 'handshake_failure', bytesReceived: 7 });
  });

  test('an alert the table does not name keeps its number', async () => {
    const obs = await answer((s) => s.end(record(21, Buffer.from([2, 199]))));
    expect(obs).toMatchObject({ kind: 'alert', level: 'fatal', code: 199, name: 'unknown_alert_199' });
  });

  test('a warning alert (unrecognized_name) before the ServerHello does not end the handshake', async () => {
    const obs = await answer((s) => s.write(Buffer.concat([record(21, Buffer.from([1, 112])), serverHello()])));
    expect(obs).toMatchObject({ kind: 'server-hello', version: 'TLSv1.2', suite: 0xc02f, warnings: [{ code: 112, name: 'unrecognized_name' }] });
  });

  test('a warning alert and then a closed connection is reported as that alert', async () => {
    const obs = await answer((s) => s.end(record(21, Buffer.from([1, 112]))));
    expect(obs).toMatchObject({ kind: 'alert', level: 'warning', code: 112 });
  });

  test('a ServerHello written one byte at a time and split across two records', async () => {
    const msg = handshake(2, serverHelloBody({ suite: 0x002f }));
    const wire = Buffer.concat([record(22, msg.subarray(0, 10)), record(22, msg.subarray(10))]);
    const obs = await answer((s) => {
      s.setNoDelay(true);
      let i = 0;
      const tick = () => {
        if (i >= wire.length || s.destroyed) return;
        s.write(wire.subarray(i, ++i));
        setTimeout(tick, 1);
      };
      tick();
    }, { timeoutMs: 5000 });
    expect(obs).toMatchObject({ kind: 'server-hello', version: 'TLSv1.2', suite: 0x002f, suiteName: 'TLS_RSA_WITH_AES_128_CBC_SHA', bytesReceived: wire.length });
  });

  test('a ServerHello at the head of a record too large to read whole is still found', async () => {
    const big = Buffer.concat([handshake(2, serverHelloBody()), handshake(11, randomBytes(16_000))]);
    const obs = await answer((s) => s.write(record(22, big)));
    expect(obs).toMatchObject({ kind: 'server-hello', suite: 0xc02f });
    expect(obs.bytesReceived).toBeLessThanOrEqual(16 * 1024);
  });

  test('a truncated record header, then close', async () => {
    const obs = await answer((s) => s.end(Buffer.from([22, 3, 3, 0])));
    expect(obs).toMatchObject({ kind: 'malformed', bytesReceived: 4 });
    expect((obs as { detail: string }).detail).toMatch(/^truncated: connection closed after 4 byte\(s\)/);
  });

  test('a record shorter than its header says, then close', async () => {
    const full = serverHello();
    const obs = await answer((s) => s.end(full.subarray(0, 40)));
    expect(obs).toMatchObject({ kind: 'malformed', bytesReceived: 40 });
    expect((obs as { detail: string }).detail).toMatch(/^truncated/);
  });

  test('a record claiming 65535 bytes is refused at its header, without waiting for the bytes', async () => {
    const obs = await answer((s) => s.write(Buffer.from([22, 3, 3, 0xff, 0xff])), { timeoutMs: 3000 });
    expect(obs).toMatchObject({ kind: 'malformed', bytesReceived: 5 });
    expect((obs as { detail: string }).detail).toContain(`claims 65535 bytes, more than the ${MAX_RECORD_LENGTH}`);
    expect(obs.durationMs).toBeLessThan(1000);
  });

  test('a ServerHello claiming 16 MB is refused at its header', async () => {
    const obs = await answer((s) => s.write(record(22, Buffer.from([2, 0xff, 0xff, 0xff, 3, 3]))));
    expect(obs).toMatchObject({ kind: 'malformed' });
    expect((obs as { detail: string }).detail).toMatch(/ServerHello claims 16777215 bytes/);
  });

  test('garbage: an HTTP answer on the TLS port', async () => {
    const obs = await answer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    expect(obs).toMatchObject({ kind: 'malformed' });
    expect((obs as { detail: string }).detail).toBe('not a TLS record: content type 72, data "HTTP/1.1 400 Bad Request"');
  });

  test('garbage: random bytes, many times, never throw and never hang', async () => {
    const kinds = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const obs = await answer((s) => s.end(randomBytes(1 + (i * 37) % 300)), { timeoutMs: 2000 });
      kinds.add(obs.kind);
      expect(['malformed', 'alert', 'server-hello', 'closed']).toContain(obs.kind);
    }
    expect(kinds.has('malformed')).toBe(true);
  });

  test('an SSLv2 SERVER-HELLO', async () => {
    // SSLv2: 2-byte header with the top bit set, message type 4, then version 0x0002.
    const v2 = Buffer.concat([Buffer.from([0x80, 0x2e, 0x04, 0x00, 0x01, 0x00, 0x02]), randomBytes(43)]);
    const obs = await answer((s) => s.end(v2));
    expect(obs).toMatchObject({ kind: 'malformed' });
    expect((obs as { detail: string }).detail).toMatch(/^SSLv2 SERVER-HELLO/);
  });

  test('a record with a version that is not SSL 3 or TLS', async () => {
    const obs = await answer((s) => s.end(Buffer.from([22, 0xfe, 0xfd, 0, 2, 0, 0])));
    expect(obs).toMatchObject({ kind: 'malformed' });
    expect((obs as { detail: string }).detail).toMatch(/version major 254/);
  });

  test('application data or change_cipher_spec before any ServerHello', async () => {
    expect(await answer((s) => s.end(record(23, Buffer.from('hello'))))).toMatchObject({ kind: 'malformed', detail: 'application_data before any ServerHello' });
    expect(await answer((s) => s.end(record(20, Buffer.from([1]))))).toMatchObject({ kind: 'malformed', detail: 'change_cipher_spec before any ServerHello' });
  });

  test('a handshake that does not start with a ServerHello', async () => {
    const obs = await answer((s) => s.end(record(22, handshake(11, Buffer.alloc(3)))));
    expect(obs).toMatchObject({ kind: 'malformed', detail: 'first handshake message is type 11, expected ServerHello (2)' });
  });

  test('ServerHellos whose inner lengths lie', async () => {
    const cases: [Buffer, RegExp][] = [
      [serverHelloBody({ sessionId: Buffer.alloc(33) }), /session id length 33 exceeds 32/],
      [serverHelloBody({ extLength: 200 }), /extensions length 200 but 5 bytes remain/],
      [serverHelloBody({ extensions: ext(43, Buffer.from([3, 4, 0])) }), /supported_versions of 3 bytes/],
      [serverHelloBody({ extensions: Buffer.concat([ext(0xff01, Buffer.from([0])), ext(0xff01, Buffer.from([0]))]) }), /extension 65281 appears twice/],
      [serverHelloBody({ extensions: Buffer.from([0, 43, 0, 9, 3]) }), /extension 43 claims 9 bytes, 1 remain/],
      [serverHelloBody().subarray(0, 20), /too short for version and random/],
      [Buffer.concat([serverHelloBody({ extensions: null }), Buffer.from([7])]), /one stray byte/],
    ];
    for (const [body, detail] of cases) {
      const obs = await answer((s) => s.end(record(22, handshake(2, body))));
      expect(obs.kind, `${detail}`).toBe('malformed');
      expect((obs as { detail: string }).detail).toMatch(detail);
    }
  });

  test('an endless stream of warning alerts stops at the byte bound', async () => {
    const warnings = Buffer.concat(Array.from({ length: 4000 }, () => record(21, Buffer.from([1, 112]))));
    const obs = await answer((s) => s.write(warnings), { maxBytes: 4096 });
    expect(obs).toMatchObject({ kind: 'malformed', detail: 'more than 4096 bytes without a complete ServerHello', bytesReceived: 4096 });
  });

  test('nothing at all: a timeout, bounded', async () => {
    const obs = await answer(() => undefined, { timeoutMs: 300 });
    expect(obs).toMatchObject({ kind: 'timeout', bytesReceived: 0 });
    expect(obs.durationMs).toBeGreaterThanOrEqual(290);
    expect(obs.durationMs).toBeLessThan(1500);
  });

  test('half a ServerHello and then silence: truncated, not a hang', async () => {
    const obs = await answer((s) => s.write(serverHello().subarray(0, 30)), { timeoutMs: 300 });
    expect(obs).toMatchObject({ kind: 'malformed', bytesReceived: 30 });
    expect((obs as { detail: string }).detail).toMatch(/^truncated: no more data within 300 ms/);
  });

  test('an immediate close', async () => {
    expect(await answer((s) => s.end())).toMatchObject({ kind: 'closed', bytesReceived: 0 });
  });

  test('a reset', async () => {
    expect(await answer((s) => s.resetAndDestroy())).toMatchObject({ kind: 'reset', bytesReceived: 0 });
  });

  test('nobody listening: connect-failed', async () => {
    const srv = await scriptedServer(() => undefined);
    await new Promise<void>((r) => srv.server.close(() => r()));
    const obs = await probeHello({ host: HOST, port: srv.port, hello: buildClientHello({ version: 'TLSv1.2', suites: [0xc02f] }), timeoutMs: 2000 });
    expect(obs).toMatchObject({ kind: 'connect-failed', code: 'ECONNREFUSED' });
  });

  test('the reader never throws on mutated ServerHellos (in memory, 20 000 cases)', () => {
    const good = Buffer.concat([serverHello({ extensions: Buffer.concat([ext(43, Buffer.from([3, 4])), ext(51, randomBytes(36))]) })]);
    for (let i = 0; i < 20_000; i++) {
      const b = Buffer.from(good);
      const flips = 1 + (i % 6);
      for (let f = 0; f < flips; f++) b[(i * 7919 + f * 104729) % b.length] = (i * 31 + f) & 0xff;
      const cut = i % 3 === 0 ? b.subarray(0, i % b.length) : b;
      const reader = new ServerHelloReader();
      let done = false;
      for (let p = 0; p < cut.length && !done; p += 1 + (i % 13)) done = reader.push(cut.subarray(p, p + 1 + (i % 13))).done;
    }
  });
});

describe('probeHello against a real TLS stack (node:tls server, OpenSSL 3.5)', () => {
  let certPem: string;
  let keyPem: string;
  beforeAll(async () => {
    ({ certPem, keyPem } = await generate(specOf({ name: 'server', issuer: 'self', subject: 'CN=127.0.0.1', sans: [{ type: 'ip', value: HOST }], eku: ['serverAuth'] })));
  });

  async function tlsServer(options: tls.TlsOptions): Promise<number> {
    const server = tls.createServer({ cert: certPem, key: keyPem, ...options }, (s) => s.destroy());
    server.on('tlsClientError', () => undefined);
    const sockets = new Set<Socket>();
    server.on('connection', (s: Socket) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
    await new Promise<void>((r) => server.listen(0, HOST, r));
    open.push({ server, sockets });
    return (server.address() as { port: number }).port;
  }

  const probe = (port: number, version: HelloVersion, suites: number[]) =>
    probeHello({ host: HOST, port, hello: buildClientHello({ version, suites, servername: 'localhost' }), timeoutMs: 3000 });

  test('TLS 1.2: the one suite offered comes back in the ServerHello', async () => {
    const port = await tlsServer({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
    const obs = await probe(port, 'TLSv1.2', [0xc02b]);
    // A TLS 1.3-capable server marks a 1.2 answer (RFC 8446 §4.1.3).
    expect(obs).toMatchObject({ kind: 'server-hello', version: 'TLSv1.2', suite: 0xc02b, suiteName: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', helloRetry: false, downgradeSentinel: 'TLSv1.2' });
  });

  test('TLS 1.3: the version comes from supported_versions; a suite the server lacks is a handshake_failure', async () => {
    const port = await tlsServer({ minVersion: 'TLSv1.3' });
    expect(await probe(port, 'TLSv1.3', [0x1302])).toMatchObject({ kind: 'server-hello', version: 'TLSv1.3', suite: 0x1302, helloRetry: false });
    expect(await probe(port, 'TLSv1.3', [0x1305])).toMatchObject({ kind: 'alert', code: 40, name: 'handshake_failure' });
  });

  test('TLS 1.3 with a server that wants P-256: a HelloRetryRequest, reported as such', async () => {
    const port = await tlsServer({ minVersion: 'TLSv1.3', ecdhCurve: 'P-256' });
    const obs = await probe(port, 'TLSv1.3', [0x1301]);
    expect(obs).toMatchObject({ kind: 'server-hello', version: 'TLSv1.3', suite: 0x1301, helloRetry: true });
    expect(HELLO_RETRY_RANDOM.length).toBe(32);
  });

  test('TLS 1.0 at security level 0, and a version the server refuses', async () => {
    const port = await tlsServer({ minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0' });
    expect(await probe(port, 'TLSv1', [0xc009])).toMatchObject({ kind: 'server-hello', version: 'TLSv1', suite: 0xc009 });
    const modern = await tlsServer({ minVersion: 'TLSv1.2' });
    expect(await probe(modern, 'TLSv1.1', [0xc009])).toMatchObject({ kind: 'alert', code: 70, name: 'protocol_version' });
    expect(await probe(modern, 'SSLv3', [0x002f])).toMatchObject({ kind: 'alert', level: 'fatal' });
  });
});

describe('suite table and sweep verdicts', () => {
  test('code points and names are unique; the lists cover what the prober is for', () => {
    expect(new Set(SUITE_CODES.map((s) => s.code)).size).toBe(SUITE_CODES.length);
    expect(new Set(SUITE_CODES.map((s) => s.name)).size).toBe(SUITE_CODES.length);
    expect(SUITE_CODES.length).toBeGreaterThanOrEqual(60);
    const weak = new Set(LEGACY_SUITES.flatMap((s) => suiteTraits(s.name).weaknesses));
    for (const w of ['rc4', '3des', 'des', 'export', 'null', 'anon', 'static-rsa', 'cbc'] as const) expect(weak.has(w), w).toBe(true);
    expect(MODERN_SUITES_12.every((s) => suiteTraits(s.name).aead)).toBe(true);
    expect(SUITES_13.map((s) => s.code)).toEqual([0x1301, 0x1302, 0x1303, 0x1304, 0x1305]);
    expect(LEGACY_SUITES.some((s) => MODERN_SUITES_12.includes(s) || SUITES_13.includes(s))).toBe(false);
  });

  test('which suites exist at which version', () => {
    expect(suiteFitsVersion('TLS_RSA_WITH_RC4_128_MD5', 'SSLv3')).toBe(true);
    expect(suiteFitsVersion('TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'SSLv3')).toBe(false);
    expect(suiteFitsVersion('TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'TLSv1')).toBe(true);
    expect(suiteFitsVersion('TLS_RSA_WITH_AES_128_GCM_SHA256', 'TLSv1.1')).toBe(false);
    expect(suiteFitsVersion('TLS_RSA_EXPORT_WITH_RC4_40_MD5', 'TLSv1.1')).toBe(false);
    expect(suiteFitsVersion('TLS_AES_128_GCM_SHA256', 'TLSv1.2')).toBe(false);
    expect(suitesForVersion('TLSv1.3')).toEqual([0x1301, 0x1302, 0x1303, 0x1304, 0x1305]);
    expect(suitesForVersion('SSLv3')).toContain(code('TLS_RSA_WITH_RC4_128_SHA'));
    expect(suitesForVersion('TLSv1.2')).not.toContain(0x0000);
  });

  test('judgeSuite: accepted only for that suite at that version', () => {
    const base = { bytesReceived: 90, durationMs: 3 };
    const hello = (version: string, suite: number) => ({ kind: 'server-hello' as const, version, suite, helloRetry: false, compression: 0, extensions: [], ...base });
    expect(judgeSuite('TLSv1.2', 0x002f, hello('TLSv1.2', 0x002f)).verdict).toBe('accepted');
    expect(judgeSuite('TLSv1.2', 0x002f, hello('TLSv1', 0x002f))).toEqual({ verdict: 'refused', reason: 'server answered TLSv1 to a TLSv1.2 ClientHello' });
    expect(judgeSuite('TLSv1.2', 0x002f, hello('TLSv1.2', 0x0035)).verdict).toBe('inconclusive');
    expect(judgeSuite('TLSv1.2', 0x002f, { kind: 'alert', level: 'fatal', code: 40, name: 'handshake_failure', ...base }).verdict).toBe('refused');
    expect(judgeSuite('TLSv1.2', 0x002f, { kind: 'reset', ...base }).verdict).toBe('refused');
    expect(judgeSuite('TLSv1.2', 0x002f, { kind: 'timeout', ...base }).verdict).toBe('inconclusive');
    expect(judgeSuite('TLSv1.2', 0x002f, { kind: 'malformed', detail: 'x', ...base }).verdict).toBe('inconclusive');
  });
});
