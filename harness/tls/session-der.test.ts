import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generate } from '../../certs/generate.js';
import { specOf } from '../../certs/spec.js';
import { parseSession, withTicketLifetime } from './session-der.js';

// Real sessions from node:tls (Node's own OpenSSL) against an in-process server on 127.0.0.1.

let server: tls.Server;
let port: number;
let ca: string;

beforeAll(async () => {
  const leaf = await generate(specOf({ name: 'server', issuer: 'self', subject: 'CN=localhost', sans: [{ type: 'dns', value: 'localhost' }], eku: ['serverAuth'] }));
  ca = leaf.certPem;
  // sessionTimeout is what OpenSSL announces as the ticket lifetime (SSL_CTX_set_timeout).
  server = tls.createServer({ key: leaf.keyPem, cert: leaf.certPem, sessionTimeout: 300 }, (s) => s.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

function connect(version: 'TLSv1.2' | 'TLSv1.3', opts: { servername?: string; session?: Buffer } = {}): Promise<{ sessions: Buffer[]; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const sessions: Buffer[] = [];
    let reused = false;
    const s = tls.connect({ host: '127.0.0.1', port, ca, minVersion: version, maxVersion: version, rejectUnauthorized: false, ...opts });
    const timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5000);
    s.on('session', (b: Buffer) => sessions.push(b));
    s.once('secureConnect', () => (reused = s.isSessionReused()));
    s.on('data', () => undefined);
    s.on('error', reject);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ sessions, reused });
    });
  });
}

describe('parseSession on sessions node:tls gives', () => {
  test.each(['TLSv1.3', 'TLSv1.2'] as const)('%s: the lifetime the server announced, and the ticket', async (version) => {
    const { sessions } = await connect(version);
    expect(sessions.length).toBeGreaterThan(0);
    for (const s of sessions) {
      const parsed = parseSession(s);
      expect(parsed, JSON.stringify(parsed)).toMatchObject({ ok: true, info: { protocolVersion: version === 'TLSv1.3' ? 0x0304 : 0x0303, ticketLifetimeHint: 300 } });
      if (parsed.ok) expect(parsed.info.ticketLength).toBeGreaterThan(16);
    }
  });

  test('with a server name: Node 24 prefixes its header, which is skipped and kept', async () => {
    const { sessions } = await connect('TLSv1.3', { servername: 'localhost' });
    const s = sessions[0]!;
    const parsed = parseSession(s);
    expect(parsed).toMatchObject({ ok: true, info: { ticketLifetimeHint: 300 } });
    const rewritten = withTicketLifetime(s, 604_800);
    expect(parseSession(rewritten)).toMatchObject({ ok: true, info: { ticketLifetimeHint: 604_800, ticketLength: parsed.ok ? parsed.info.ticketLength : -1 } });
    // Node ≥ 24 writes its header (prefix, u16 length, server name); it must come back unchanged.
    const prefix = Buffer.from('\0nodejs:tls:session:1\0', 'latin1');
    if (s.subarray(0, prefix.length).equals(prefix)) {
      const headerLength = prefix.length + 2 + s.readUInt16BE(prefix.length);
      expect(s.toString('latin1', prefix.length + 2, headerLength)).toBe('localhost');
      expect(rewritten.subarray(0, headerLength)).toEqual(s.subarray(0, headerLength));
    } else {
      expect(process.versions.node.split('.')[0]).not.toBe('24');
    }
  });

  test('a session whose lifetime was rewritten is still resumed by the server', async () => {
    for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
      const { sessions } = await connect(version);
      const again = await connect(version, { session: withTicketLifetime(sessions[0]!, 7 * 86_400) });
      expect(again.reused, version).toBe(true);
    }
  });

  test('withTicketLifetime encodes small, large and high-bit values minimally', async () => {
    const { sessions } = await connect('TLSv1.2');
    for (const v of [0, 1, 127, 128, 255, 256, 65_535, 604_800, 0xffffffff]) {
      const parsed = parseSession(withTicketLifetime(sessions[0]!, v));
      expect(parsed, String(v)).toMatchObject({ ok: true, info: { ticketLifetimeHint: v } });
    }
    expect(() => withTicketLifetime(sessions[0]!, -1)).toThrow(RangeError);
    expect(() => withTicketLifetime(sessions[0]!, 2 ** 32)).toThrow(RangeError);
  });
});

describe('parseSession on hostile bytes', () => {
  test('every truncation of a real session is a failure with a reason, never an exception', async () => {
    const { sessions } = await connect('TLSv1.3');
    const s = sessions[0]!;
    for (let n = 0; n < s.length; n += n < 64 ? 1 : 37) {
      const r = parseSession(s.subarray(0, n));
      expect(r.ok, `truncated at ${n}`).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/^not an SSL_SESSION: /);
    }
  });

  test('random bytes, BER indefinite lengths, overlong lengths and stray bytes are refused', () => {
    for (let i = 0; i < 200; i++) expect(() => parseSession(randomBytes(1 + (i % 64)))).not.toThrow();
    expect(parseSession(Buffer.from('3080020101', 'hex'))).toMatchObject({ ok: false, reason: expect.stringContaining('indefinite') });
    expect(parseSession(Buffer.from('3085ffffffffff', 'hex'))).toMatchObject({ ok: false });
    expect(parseSession(Buffer.from('30820010', 'hex'))).toMatchObject({ ok: false, reason: expect.stringContaining('claims 16 bytes') });
    expect(parseSession(Buffer.from('3000ff', 'hex'))).toMatchObject({ ok: false, reason: expect.stringContaining('stray') });
    expect(parseSession(Buffer.from('3000', 'hex'))).toMatchObject({ ok: false, reason: expect.stringContaining('0 fields') });
    // A [9] holding a negative INTEGER, and one holding two elements.
    const head = '020101020203040402130204000400';
    const seq = (body: string) => `30${(body.length / 2).toString(16).padStart(2, '0')}${body}`;
    expect(parseSession(Buffer.from(seq(`${head}a903020180`), 'hex'))).toMatchObject({ ok: false, reason: expect.stringContaining('negative') });
    expect(parseSession(Buffer.from(seq(`${head}a906020101020101`), 'hex'))).toMatchObject({ ok: false, reason: expect.stringContaining('more than one') });
    expect(parseSession(Buffer.from(seq(`${head}a903020105`), 'hex'))).toEqual({ ok: true, info: { protocolVersion: 0x0304, ticketLifetimeHint: 5, ticketLength: 0, sessionIdLength: 0 } });
    // Node's header with a server name longer than the buffer.
    const header = Buffer.concat([Buffer.from('\0nodejs:tls:session:1\0', 'latin1'), Buffer.from([0x00, 0x40]), Buffer.from('short')]);
    expect(parseSession(header)).toMatchObject({ ok: false, reason: expect.stringContaining('server name overruns') });
  });
});
