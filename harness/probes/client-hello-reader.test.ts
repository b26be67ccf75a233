import { createServer, type AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { describe, expect, test } from 'vitest';
import { TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV } from '../tls/suite-codes.js';
import { ClientHelloReader, isGrease, offeredNames, parseClientHello, type ClientHelloRead } from './client-hello-reader.js';
import { buildClientHello, EXT } from './raw-hello.js';

const readAll = (bytes: Buffer, step = bytes.length): ClientHelloRead | null => {
  const r = new ClientHelloReader();
  for (let i = 0; i < bytes.length; i += step) {
    const out = r.push(bytes.subarray(i, i + step));
    if (out) return out;
  }
  return null;
};

/** The same handshake message cut into records of at most `size` bytes (RFC 8446 §5.1 allows it). */
function fragment(record: Buffer, size: number): Buffer {
  const hs = record.subarray(5);
  const out: Buffer[] = [];
  for (let i = 0; i < hs.length; i += size) {
    const part = hs.subarray(i, i + size);
    out.push(Buffer.from([22, 3, 1, part.length >> 8, part.length & 0xff]), part);
  }
  return Buffer.concat(out);
}

describe('ClientHelloReader on hellos written by buildClientHello', () => {
  test.each([
    ['TLSv1.3', [0x1301, 0x1302], ['TLSv1.3']],
    ['TLSv1.2', [0xc02f, 0x009c], ['TLSv1.2']],
    ['TLSv1', [0x002f], ['TLSv1']],
    ['SSLv3', [0x000a], ['SSLv3']],
  ] as const)('%s: versions from supported_versions or legacy_version, suites by IANA name', (version, suites, versions) => {
    const hello = buildClientHello({ version, suites: [...suites], servername: 'example.test' });
    for (const step of [hello.length, 1, 7]) {
      const r = readAll(hello, step);
      expect(r?.kind, `step ${step}`).toBe('client-hello');
      if (r?.kind !== 'client-hello') continue;
      expect(offeredNames(r.hello).versions).toEqual(versions);
      expect(r.hello.suites.filter((s) => s !== TLS_EMPTY_RENEGOTIATION_INFO_SCSV)).toEqual(suites);
      expect(r.bytes).toBe(hello.length);
    }
  });

  test('a ClientHello fragmented over several records is reassembled', () => {
    const hello = buildClientHello({ version: 'TLSv1.3', suites: [0x1301] });
    for (const size of [1, 10, 100]) {
      const r = readAll(fragment(hello, size));
      expect(r, String(size)).toMatchObject({ kind: 'client-hello', hello: { versions: [0x0304] } });
    }
  });

  test('GREASE values and SCSVs are not offered suites; GREASE is not an offered version', () => {
    expect([0x0a0a, 0x1a1a, 0xfafa].every(isGrease)).toBe(true);
    expect([0x0a1a, 0x1301, 0x5600].some(isGrease)).toBe(false);
    const hello = buildClientHello({ version: 'TLSv1.2', suites: [0x2a2a, 0xc02f, TLS_FALLBACK_SCSV, TLS_EMPTY_RENEGOTIATION_INFO_SCSV, 0xffee] });
    const r = readAll(hello);
    expect(r?.kind).toBe('client-hello');
    if (r?.kind === 'client-hello') expect(offeredNames(r.hello)).toEqual({ versions: ['TLSv1.2'], suites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', '0xffee'] });
  });
});

describe('ClientHelloReader on what is not a ClientHello', () => {
  test('plain HTTP, other records, bad lengths and oversized claims are named, never thrown', () => {
    expect(readAll(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toMatchObject({ kind: 'not-client-hello', detail: expect.stringContaining('not a TLS handshake record') });
    expect(readAll(Buffer.from([21, 3, 3, 0, 2, 2, 40]))).toMatchObject({ kind: 'not-client-hello', detail: expect.stringContaining('0x15 is not') });
    const hello = buildClientHello({ version: 'TLSv1.2', suites: [0xc02f] });
    const split = fragment(hello, 10);
    expect(readAll(Buffer.concat([split.subarray(0, 15), Buffer.from([23, 3, 3, 0, 1, 0])]))).toMatchObject({ kind: 'not-client-hello', detail: expect.stringContaining('content type 23') });
    expect(readAll(Buffer.from([22, 3, 3, 0, 0]))).toMatchObject({ kind: 'not-client-hello', detail: expect.stringContaining('0 bytes') });
    expect(readAll(Buffer.from([22, 3, 3, 0x50, 0]))).toMatchObject({ kind: 'not-client-hello', detail: expect.stringContaining('20480 bytes') });
    expect(readAll(Buffer.from([22, 3, 3, 0, 4, 2, 0, 0, 0]))).toMatchObject({ kind: 'not-client-hello', detail: expect.stringContaining('type 2') });
    expect(readAll(Buffer.from([22, 3, 3, 0, 4, 1, 0x7f, 0xff, 0xff]))).toMatchObject({ kind: 'not-client-hello', detail: expect.stringContaining('more than') });
  });

  test('every truncation waits for more bytes; every corrupted length is malformed or waits, never throws', () => {
    const hello = buildClientHello({ version: 'TLSv1.3', suites: [0x1301, 0x1302], servername: 'example.test' });
    for (let n = 0; n < hello.length; n++) expect(readAll(hello.subarray(0, n)), `truncated at ${n}`).toBeNull();
    for (let i = 5; i < hello.length; i++) {
      const bad = Buffer.from(hello);
      bad[i] = bad[i]! ^ 0xff;
      expect(() => readAll(bad), `byte ${i}`).not.toThrow();
    }
  });

  test('parseClientHello checks each length against the bytes that hold it', () => {
    const body = buildClientHello({ version: 'TLSv1.3', suites: [0x1301] }).subarray(9);
    expect(parseClientHello(body)).toMatchObject({ legacyVersion: 0x0303, versions: [0x0304], suites: [0x1301] });
    expect(typeof parseClientHello(body.subarray(0, 30))).toBe('string');
    expect(typeof parseClientHello(Buffer.concat([body, Buffer.from([0])]))).toBe('string');
    // supported_versions whose inner length disagrees with the extension length.
    const i = body.indexOf(Buffer.from([EXT.supported_versions >> 8, EXT.supported_versions & 0xff, 0, 3, 2, 3, 4]));
    expect(i).toBeGreaterThan(0);
    const bad = Buffer.from(body);
    bad[i + 4] = 4;
    expect(parseClientHello(bad)).toMatch(/supported_versions/);
  });
});

describe('a real node:tls ClientHello', () => {
  // Without supported_versions (a client whose highest is TLS 1.2) only legacy_version is known:
  // the lowest version it would take is not on the wire (client/protocol/tls1.0-only-server tells).
  test('Node offers TLS 1.3 and 1.2 by default; capped at TLS 1.2 it names only its highest', async () => {
    const seen: ClientHelloRead[] = [];
    const server = createServer((socket) => {
      const reader = new ClientHelloReader();
      socket.on('data', (d: Buffer) => {
        const r = reader.push(d);
        if (r) {
          seen.push(r);
          socket.destroy();
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const hello = (opts: tls.ConnectionOptions) =>
      new Promise<void>((resolve) => {
        const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...opts });
        s.on('error', () => resolve());
        s.on('close', () => resolve());
      });
    await hello({});
    await hello({ minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers: 'DEFAULT:@SECLEVEL=0' });
    await new Promise<void>((r) => server.close(() => r()));
    const names = seen.map((r) => (r.kind === 'client-hello' ? offeredNames(r.hello) : null));
    expect(names[0]?.versions).toEqual(['TLSv1.3', 'TLSv1.2']);
    expect(names[0]?.suites).toContain('TLS_AES_128_GCM_SHA256');
    expect(names[1]?.versions).toEqual(['TLSv1.2']);
    expect(names[1]?.suites).not.toContain('TLS_AES_128_GCM_SHA256');
  });
});
