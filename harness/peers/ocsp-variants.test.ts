import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureCerts, type EnsureResult } from '../../certs/store.js';
import { serialOf } from '../../certs/revocation-data.js';
import { ocspResponseFor } from './ocsp.js';
import { revocationFacts, startRevocationResponder, type RevocationResponder } from './revocation-responder.js';
import { chainSegments } from '../run/revocation-facts.js';
import { caseChains } from '../cases/catalogue.js';

// The revocation services of the client/revocation cases, parsed back by OpenSSL's own OCSP client:
// unknown says unknown, a bad signature does not verify, silent answers nothing (and the run's close
// is not held up by it), none is unauthorized; the log is attributed by the URL's certificate segment.
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'mtls-ocsp-variants-'));
let store: EnsureResult;
let responder: RevocationResponder;
const ca = (leaf: string) => `server-case-revocation-${leaf}-ca1`;

beforeAll(async () => {
  store = await ensureCerts(dir, { chains: caseChains() });
  responder = await startRevocationResponder(store.revocation.plan);
});
afterAll(async () => {
  await responder?.close();
});

async function ocsp(leaf: string, extra: string[] = [], url?: string): Promise<string> {
  const issuer = store.certs.get(ca(leaf))!.certPath;
  const u = url ?? `http://127.0.0.1:${store.revocation.port}/c/server.revocation.${leaf}/ocsp`;
  const args = ['ocsp', '-issuer', issuer, '-cert', store.certs.get(`server/revocation/${leaf}`)!.certPath, '-url', u, '-CAfile', issuer, '-timeout', '2', ...extra];
  const r = await run('openssl', args, { timeout: 10_000 }).catch((e: { stdout: string; stderr: string }) => e);
  return `${r.stdout}${r.stderr}`;
}

describe('OCSP services', () => {
  test('unknown: a signed, verifying response that says unknown', async () => {
    const out = await ocsp('ocsp-unknown');
    expect(out).toContain('Response verify OK');
    expect(out).toMatch(/ocsp-unknown\.pem: unknown/);
  });

  test('bad-signature: "good" for a revoked leaf, and the signature does not verify', async () => {
    expect(await ocsp('ocsp-bad-signature')).toMatch(/Response Verify Failure|signature failure/i);
    expect(await ocsp('ocsp-bad-signature', ['-noverify'])).toMatch(/ocsp-bad-signature\.pem: good/);
    expect(store.revocation.plan.issued.find((i) => i.name === 'server/revocation/ocsp-bad-signature')!.revoked).toBe(true);
  });

  test('none: a request about a CA without OCSP (sent to its issuer\'s URL, as gnutls-cli --ocsp does) is unauthorized', async () => {
    expect(await ocsp('crl-stale', [], `http://127.0.0.1:${store.revocation.port}/c/${ca('crl-stale')}/ocsp`)).toMatch(/unauthorized/i);
  });

  test('silent: the request is read and never answered; the facts say so; closing the responder does not wait for it', async () => {
    const since = performance.now();
    const out = await ocsp('ocsp-no-answer');
    expect(out).toMatch(/timeout|Error querying OCSP responder/i);
    const serial = serialOf(store.certs.get('server/revocation/ocsp-no-answer')!.certPem);
    const facts = revocationFacts(responder, since, serial, {}, chainSegments(store.revocation.plan, 'server/revocation/ocsp-no-answer'));
    expect(facts.mechanisms).toEqual(['ocsp-request']);
    expect(facts.detail).toContain('answered nothing: held on purpose');
  });

  test('staples follow the service: unknown stapled as unknown, none for silent and for must-staple-missing', async () => {
    const plan = store.revocation.plan;
    const issued = (leaf: string) => plan.issued.find((i) => i.name === `server/revocation/${leaf}`)!;
    expect(ocspResponseFor(plan, ca('ocsp-no-answer'), issued('ocsp-no-answer').serial)).toBeNull();
    expect(ocspResponseFor(plan, ca('must-staple-missing'), issued('must-staple-missing').serial)).toBeNull();
    const staple = ocspResponseFor(plan, ca('ocsp-unknown'), issued('ocsp-unknown').serial)!;
    const file = join(dir, 'unknown.der');
    writeFileSync(file, staple);
    const issuer = store.certs.get(ca('ocsp-unknown'))!.certPath;
    const r = await run('openssl', ['ocsp', '-respin', file, '-issuer', issuer, '-cert', store.certs.get('server/revocation/ocsp-unknown')!.certPath, '-CAfile', issuer]).catch((e: { stdout: string; stderr: string }) => e);
    expect(`${r.stdout}${r.stderr}`).toMatch(/ocsp-unknown\.pem: unknown/);
  });
});

describe('CRL services and attribution', () => {
  test('a silent CDP holds the fetch; a stale CRL is served as it is; each fetch belongs to the certificate whose URL it used', async () => {
    const base = `http://127.0.0.1:${store.revocation.port}`;
    const since = performance.now();
    const held = fetch(`${base}/c/server.revocation.crl-no-answer/crl/${ca('crl-no-answer')}.crl`, { signal: AbortSignal.timeout(500) }).then(
      () => 'answered',
      () => 'no answer',
    );
    const [a, b] = await Promise.all([fetch(`${base}/c/server.revocation.crl-stale/crl/${ca('crl-stale')}.crl`), fetch(`${base}/c/server.revoked/crl/server-ca.crl`)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await held).toBe('no answer');
    const facts = (leaf: string) => revocationFacts(responder, since, null, {}, chainSegments(store.revocation.plan, leaf));
    expect(facts('server/revocation/crl-stale').crlFetches).toEqual([ca('crl-stale')]);
    expect(facts('server/revoked').crlFetches).toEqual(['server-ca']);
    expect(facts('server/revocation/crl-no-answer').detail).toContain(`not answered on purpose: ${ca('crl-no-answer')}`);
    // Without segments (null), every fetch of the window is listed: what the report said before.
    expect(revocationFacts(responder, since, null).crlFetches.sort()).toEqual([ca('crl-no-answer'), ca('crl-stale'), 'server-ca'].sort());
  });

  test('close() ends a held connection at once', async () => {
    const other = await startRevocationResponder({ ...store.revocation.plan, port: store.revocation.port + 1 });
    if (other.state !== 'running') return;
    const held = fetch(`http://127.0.0.1:${other.port}/c/x/crl/${ca('crl-no-answer')}.crl`).catch(() => 'closed');
    await new Promise((r) => setTimeout(r, 200));
    const t = performance.now();
    await other.close();
    expect(await held).toBe('closed');
    expect(performance.now() - t).toBeLessThan(1000);
  });
});
