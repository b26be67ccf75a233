import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, test } from 'vitest';
import { TLS_FALLBACK_SCSV } from '../tls/suite-codes.js';
import { ClientHelloReader } from './client-hello-reader.js';
import { probeFallbackScsv } from './fallback-probe.js';

// Scripted servers that read the prober's ClientHello and answer as configured: the verdicts real
// servers never give here (OpenSSL always honours the SCSV) are checked against these.

const HOST = '127.0.0.1';
type Behaviour = 'alert-86' | 'alert-40' | 'ignore-scsv';

function record(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, 3, 3, body.length >> 8, body.length & 0xff]), body]);
}

function serverHello(version: number, suite: number, sessionId: Buffer): Buffer {
  const ext = version === 0x0304 ? Buffer.from([0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]) : Buffer.alloc(0);
  const body = Buffer.concat([
    Buffer.from([0x03, version === 0x0304 ? 0x03 : version & 0xff]),
    randomBytes(32),
    Buffer.from([sessionId.length]),
    sessionId,
    Buffer.from([suite >> 8, suite & 0xff, 0]),
    ...(ext.length ? [Buffer.from([0, ext.length]), ext] : []),
  ]);
  return record(22, Buffer.concat([Buffer.from([2, 0, body.length >> 8, body.length & 0xff]), body]));
}

const servers: { server: Server; sockets: Set<Socket> }[] = [];
afterAll(async () => {
  for (const { server, sockets } of servers) {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

/** A server that speaks `versions` (wire codes) and treats TLS_FALLBACK_SCSV as `behaviour` says. */
async function scripted(versions: number[], behaviour: Behaviour): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    const reader = new ClientHelloReader();
    const raw: Buffer[] = [];
    socket.on('data', (d: Buffer) => {
      raw.push(d);
      const read = reader.push(d);
      if (!read) return;
      if (read.kind !== 'client-hello') return socket.destroy();
      const hello = read.hello;
      const body = Buffer.concat(raw).subarray(9);
      const sessionId = body.subarray(35, 35 + body[34]!);
      const offered = hello.extensions.includes(43) ? hello.versions : versions.filter((v) => v <= hello.legacyVersion);
      const pick = Math.max(...versions.filter((v) => offered.includes(v)), -1);
      if (pick < 0) return socket.end(record(21, Buffer.from([2, 70])));
      if (hello.suites.includes(TLS_FALLBACK_SCSV) && pick < Math.max(...versions) && behaviour !== 'ignore-scsv') {
        return socket.end(record(21, Buffer.from([2, behaviour === 'alert-86' ? 86 : 40])));
      }
      const suite = hello.suites.find((s) => (pick === 0x0304) === (s >> 8 === 0x13) && s !== TLS_FALLBACK_SCSV && s !== 0x00ff)!;
      socket.end(serverHello(pick, suite, sessionId));
    });
  });
  await new Promise<void>((r) => server.listen(0, HOST, r));
  servers.push({ server, sockets });
  return (server.address() as AddressInfo).port;
}

describe('probeFallbackScsv', () => {
  const probe = async (versions: number[], behaviour: Behaviour) => probeFallbackScsv({ host: HOST, port: await scripted(versions, behaviour), timeoutMs: 2000 });

  test('a TLS 1.3 + 1.2 server that answers the SCSV with alert 86', async () => {
    expect(await probe([0x0304, 0x0303], 'alert-86')).toMatchObject({
      spoken: ['TLSv1.3', 'TLSv1.2'],
      fallbackVersion: 'TLSv1.2',
      result: 'inappropriate-fallback',
      alert: { code: 86, name: 'inappropriate_fallback' },
    });
  });

  test('a server that ignores the SCSV completes the downgrade', async () => {
    const r = await probe([0x0304, 0x0303], 'ignore-scsv');
    expect(r).toMatchObject({ fallbackVersion: 'TLSv1.2', result: 'accepted', alert: null });
    expect(r.detail).toMatch(/^ServerHello TLSv1.2 .* to a TLSv1.2 ClientHello with TLS_FALLBACK_SCSV/);
  });

  test('another alert is another refusal; a TLS 1.2 + 1.1 server is asked at TLS 1.1', async () => {
    expect(await probe([0x0303, 0x0302], 'alert-40')).toMatchObject({ spoken: ['TLSv1.2', 'TLSv1.1'], fallbackVersion: 'TLSv1.1', result: 'other-refusal', alert: { code: 40 } });
  });

  test('one version only: nothing to fall back to', async () => {
    expect(await probe([0x0304], 'ignore-scsv')).toMatchObject({ spoken: ['TLSv1.3'], fallbackVersion: null, result: 'not-applicable' });
  });
});
