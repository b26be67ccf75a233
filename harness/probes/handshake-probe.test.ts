import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, test } from 'vitest';
import { probeHandshake } from './handshake-probe.js';

/**
 * Scripted hostile servers on 127.0.0.1: each reads the ClientHello and answers with broken TLS.
 * A probe never throws for them and says in a sentence what the target did.
 */

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

async function scripted(answer: (s: Socket) => void): Promise<number> {
  const server = createServer((s) => {
    s.on('error', () => undefined);
    s.once('data', () => answer(s));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

const probe = (port: number) =>
  probeHandshake({ host: '127.0.0.1', port, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', protocol: 'https', httpPath: '/', httpMethod: 'GET', timeoutMs: 2000, readWindowMs: 100 });

describe('malformed TLS from the target is said in a sentence', () => {
  test('a record header announcing 64 KB', async () => {
    const port = await scripted((s) => s.write(Buffer.from([0x16, 0x03, 0x03, 0xff, 0xff, 0x02, 0x00])));
    const obs = await probe(port);
    expect(obs.outcome).toBe('harness-error');
    expect(obs.detail).toMatch(/^the target sent malformed TLS during the handshake: a TLS record longer than TLS allows .*\(ERR_SSL_(PACKET|DATA)_LENGTH_TOO_LONG\)$/);
  });

  test('a ServerHello announcing 16 MB', async () => {
    // A record of 4 bytes holding a handshake header: type 2 (ServerHello), length 0xffffff.
    const port = await scripted((s) => s.write(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0xff, 0xff, 0xff])));
    const obs = await probe(port);
    expect(obs.outcome).toBe('harness-error');
    expect(obs.detail).toMatch(/^the target sent malformed TLS during the handshake: a handshake message larger than a TLS client accepts/);
  });

  test('an unknown error stays as OpenSSL says it, still an observation', async () => {
    const port = await scripted((s) => s.end(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')));
    const obs = await probe(port);
    expect(['harness-error', 'closed-no-data']).toContain(obs.outcome);
    expect(obs.detail.length).toBeGreaterThan(0);
  });
});
