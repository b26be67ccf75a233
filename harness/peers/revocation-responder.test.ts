import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureCerts, type EnsureResult } from '../../certs/store.js';
import { revocationFacts, startRevocationResponder, type RevocationResponder } from './revocation-responder.js';
// The certificate set comes from the cases (certs/ itself does not know them).
import { caseChains } from '../cases/catalogue.js';

// The responder against OpenSSL's own OCSP client and a plain HTTP fetch: the answers must verify
// with the CA as the only trust anchor, and say good / revoked / unknown as the store says.
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'mtls-responder-'));
let store: EnsureResult;
let responder: RevocationResponder;

beforeAll(async () => {
  store = await ensureCerts(dir, { chains: caseChains() });
  responder = await startRevocationResponder(store.revocation.plan);
});
afterAll(async () => {
  await responder?.close();
});

async function ocsp(certName: string, caFile: string, extra: string[] = []): Promise<string> {
  const c = store.certs.get(certName)!;
  const args = ['ocsp', '-issuer', caFile, '-cert', c.certPath, '-url', `http://127.0.0.1:${store.revocation.port}/ocsp`, '-CAfile', caFile, ...extra];
  const r = await run('openssl', args, { timeout: 10_000 }).catch((e: { stdout: string; stderr: string }) => e);
  return `${r.stdout}${r.stderr}`;
}

describe('OCSP', () => {
  test('answers revoked for the revoked leaf, good for the valid one, verified by openssl with the CA alone', async () => {
    const started = performance.now();
    const caFile = store.certs.get('client-ca')!.certPath;
    const revoked = await ocsp('client/revoked', caFile);
    expect(revoked).toContain('Response verify OK');
    expect(revoked).toMatch(/revoked\.pem: revoked/);
    const good = await ocsp('client/valid', caFile, ['-no_nonce']);
    expect(good).toMatch(/valid\.pem: good/);
    // The case's facts count only requests about its own certificate.
    const serial = (await run('openssl', ['x509', '-in', store.certs.get('client/revoked')!.certPath, '-noout', '-serial'])).stdout.trim().split('=')[1]!;
    const facts = revocationFacts(responder, started, serial);
    expect(facts.ocspRequests).toEqual([{ serial, status: 'revoked' }]);
    expect(facts.detail).toContain('OCSP asked about the certificate (answered revoked)');
  });

  test('intermediates are answered by their issuer (nginx ssl_ocsp checks the whole chain)', async () => {
    const out = await ocsp('server-intermediate', store.certs.get('server-ca')!.certPath);
    expect(out).toContain('Response verify OK');
    expect(out).toMatch(/server-intermediate\.pem: good/);
  });

  test('a certificate of another CA is not ours to answer: unauthorized', async () => {
    const out = await ocsp('client/untrusted-ca', store.certs.get('client-ca')!.certPath);
    expect(out).toMatch(/unauthorized/i);
  });

  test('a body that is not an OCSP request gets malformedRequest, not a crash', async () => {
    const res = await fetch(`http://127.0.0.1:${store.revocation.port}/ocsp`, { method: 'POST', body: 'hello', headers: { 'content-type': 'application/ocsp-request' } });
    const body = Buffer.from(await res.arrayBuffer());
    // OCSPResponse { responseStatus ENUMERATED 1 }
    expect(body.toString('hex')).toBe('30030a0101');
  });
});

describe('CRL distribution point', () => {
  test('serves each CA CRL as DER and logs the fetch; unknown names are 404', async () => {
    const since = performance.now();
    const res = await fetch(`http://127.0.0.1:${store.revocation.port}/crl/client-intermediate.crl`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pkix-crl');
    expect(Buffer.from(await res.arrayBuffer())[0]).toBe(0x30);
    expect(revocationFacts(responder, since, null).crlFetches).toEqual(['client-intermediate']);
    expect((await fetch(`http://127.0.0.1:${store.revocation.port}/crl/nobody.crl`)).status).toBe(404);
  });
});

describe('the port', () => {
  test('a second run on the same store shares the running responder', async () => {
    const second = await startRevocationResponder(store.revocation.plan);
    expect(second.state).toBe('shared');
    await second.close();
    // The first one still answers.
    expect((await fetch(`http://127.0.0.1:${store.revocation.port}/crl/client-ca.crl`)).status).toBe(200);
  });

  test('a port held by something else: unavailable, with the reason, and the case facts say so', async () => {
    // Accepts and never answers: the probe of the port must give up by itself.
    const held = new Set<import('node:net').Socket>();
    const other = createServer((socket) => void held.add(socket));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const port = (other.address() as { port: number }).port;
    try {
      const r = await startRevocationResponder({ ...store.revocation.plan, port });
      expect(r.state).toBe('unavailable');
      expect(r.note).toContain(`could not listen on 127.0.0.1:${port}`);
      expect(revocationFacts(r, 0, null).detail).toContain('lead nowhere during this run');
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((r) => other.close(r));
    }
  });
});
