import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';

// The target's certificate with its chain, and what a run says when a server fails on its own side.
const certs = join(mkdtempSync(join(tmpdir(), 'mtls-fullchain-')), 'conformance-certs');

describe('certs init: target/server-fullchain.pem', () => {
  beforeAll(async () => {
    const init = await runCli(['certs', 'init', certs]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain(join(certs, 'target', 'server-fullchain.pem'));
  });

  test('the server certificate then the CA that issued it; the README says who needs it and why', () => {
    const pem = readFileSync(join(certs, 'target', 'server-fullchain.pem'), 'utf8');
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? [];
    expect(blocks.join('')).toBe(pem);
    expect(blocks).toHaveLength(2);
    const [leaf, ca] = blocks.map((b) => new X509Certificate(b));
    expect(leaf!.raw.equals(new X509Certificate(readFileSync(join(certs, 'target', 'server-cert.pem'))).raw)).toBe(true);
    expect(ca!.raw.equals(new X509Certificate(readFileSync(join(certs, 'trust', 'server-ca.pem'))).raw)).toBe(true);
    expect(leaf!.verify(ca!.publicKey)).toBe(true);
    expect(statSync(join(certs, 'target', 'server-fullchain.pem')).mode & 0o777).toBe(0o644);
    const readme = readFileSync(join(certs, 'README.txt'), 'utf8');
    expect(readme).toContain('target/server-fullchain.pem');
    expect(readme).toMatch(/lighttpd with client verification must get this\s+file: given the leaf alone it cannot build its own chain and answers\s+every handshake with alert 80 internal_error/);
  });
});

describe('a server that answers every handshake with alert 80 internal_error', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    // What lighttpd does when it cannot build its own chain: a fatal internal_error alert (RFC 8446
    // §6.2: level 2, description 80) as the answer to the ClientHello, in a TLS 1.2 record header.
    server = createServer((socket) => {
      socket.once('data', () => socket.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x50])));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('the run says so in its one fatal line, with the likely cause and the fullchain file; exit 3', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mtls-r80-'));
    const run = await runCli(['run', '--target', `https://127.0.0.1:${port}`, '--certs', certs, '--report-dir', out, '--only', 'server/client-auth/*', '--timeout', '3s']);
    expect(run.code, run.stdout + run.stderr).toBe(3);
    const fatal = run.stderr.trim().split('\n').filter((l) => l.startsWith('error: '));
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toContain('every handshake of the run ended in alert 80 internal_error');
    expect(fatal[0]).toContain('could not build its own certificate chain or is otherwise misconfigured');
    expect(fatal[0]).toContain(join(certs, 'target', 'server-fullchain.pem'));
  });
});
