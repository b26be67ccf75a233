import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chainCertSpecs, type NamedChain } from './chain-spec.js';
import { DEFAULT_MATRIX_OPTIONS, leafDefaults, sharedCaSpecs } from './matrix.js';
import { ensureCerts, maxAgeMs, type EnsureResult } from './store.js';
import { specOf } from './spec.js';

// The chain graphs of the deep corpus (path building, issue 16 §2): certificates beyond the line
// (`others`), a leaf issued by one of them, a cross-certificate reusing a key (keyOf as a local
// reference), the wire order given outright (send.list), intermediates left off (send.omit), the
// leaf sent twice; and a suite's own store issued under the default store's CAs (`given`).

const shared = new Map(sharedCaSpecs().map((s) => [s.name, s]));
const ROTATION: NamedChain = {
  side: 'client',
  name: 'client/g/rotation',
  chain: {
    others: [
      { id: 'new-root', issuer: 'self', cert: { subject: 'CN=g new root', pathLength: undefined } },
      { id: 'cross', issuer: 'client-ca', cert: { subject: 'CN=g new root', pathLength: undefined, keyOf: 'new-root' } },
      { id: 'i', issuer: 'new-root', cert: { subject: 'CN=g issuing' } },
    ],
    leafIssuer: 'i',
    send: { list: ['i', 'cross'] },
  },
};
const OMIT: NamedChain = { side: 'server', name: 'server/g/omit', chain: { intermediates: [{ pathLength: 1 }, {}], send: { omit: [1], leafTwice: true } } };

describe('chainCertSpecs with graphs', () => {
  test('others are named after the leaf, references resolve to store names, keyOf too', () => {
    const specs = chainCertSpecs(ROTATION, leafDefaults('client', DEFAULT_MATRIX_OPTIONS), shared);
    const by = new Map(specs.map((s) => [s.name, s]));
    expect([...by.keys()]).toEqual(['client-case-g-rotation-new-root', 'client-case-g-rotation-cross', 'client-case-g-rotation-i', 'client/g/rotation']);
    expect(by.get('client-case-g-rotation-cross')).toMatchObject({ issuer: 'client-ca', keyOf: 'client-case-g-rotation-new-root' });
    expect(by.get('client/g/rotation')).toMatchObject({ issuer: 'client-case-g-rotation-i', sendChain: ['client-case-g-rotation-i', 'client-case-g-rotation-cross'] });
  });

  test('omit leaves an intermediate off the wire; leafTwice sends the leaf again first', () => {
    const specs = chainCertSpecs(OMIT, leafDefaults('server', DEFAULT_MATRIX_OPTIONS), shared);
    expect(specs.at(-1)!.sendChain).toEqual(['server/g/omit', 'server-case-g-omit-ca2']);
  });

  test('an unknown reference is refused with the chain it is in', () => {
    expect(() => chainCertSpecs({ side: 'client', name: 'client/g/bad', chain: { others: [{ id: 'x', issuer: 'nowhere' }] } }, leafDefaults('client'), shared)).toThrow(/chain of client\/g\/bad: unknown reference nowhere/);
    expect(() => chainCertSpecs({ side: 'client', name: 'client/g/bad', chain: { send: { list: ['i3'] } } }, leafDefaults('client'), shared)).toThrow(/no intermediate i3/);
  });
});

describe('a suite store under the default store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mtls-chain-graph-'));
  let main: EnsureResult;
  let sub: EnsureResult;
  beforeAll(async () => {
    main = await ensureCerts(dir, {});
    const given = new Map([...main.certs].map(([n, m]) => [n, { certPem: m.certPem, keyPem: m.keyPem }] as const));
    sub = await ensureCerts(join(dir, 'deep'), { chains: [ROTATION, OMIT], given, revocationUrls: false });
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('issued under the given anchors, which it neither regenerates nor writes', () => {
    expect(sub.generated).not.toContain('client-ca');
    expect(sub.certs.has('client-ca')).toBe(false);
    const cross = new X509Certificate(sub.certs.get('client-case-g-rotation-cross')!.certPem);
    expect(cross.verify(new X509Certificate(main.certs.get('client-ca')!.certPem).publicKey)).toBe(true);
    // The cross-certificate carries the new root's key: what the root signed, it verifies.
    const issuing = new X509Certificate(sub.certs.get('client-case-g-rotation-i')!.certPem);
    expect(issuing.verify(cross.publicKey)).toBe(true);
    expect(() => readFileSync(join(dir, 'deep', 'trust', 'client-ca.pem'))).toThrow();
  });

  test('the chain file holds what send.list says, and no CDP when revocation URLs are off', () => {
    const leaf = sub.certs.get('client/g/rotation')!;
    const sent = leaf.chainPem.match(/-----BEGIN CERTIFICATE-----/g)!.length;
    expect(sent).toBe(3);
    expect(new X509Certificate(leaf.certPem).toString()).not.toMatch(/CRL Distribution/);
  });

  test('a second run reuses everything', async () => {
    const given = new Map([...main.certs].map(([n, m]) => [n, { certPem: m.certPem, keyPem: m.keyPem }] as const));
    const again = await ensureCerts(join(dir, 'deep'), { chains: [ROTATION, OMIT], given, revocationUrls: false });
    expect(again.generated).toEqual([]);
  });
});

describe('maxAgeMs: a certificate is kept only while its spec stays true', () => {
  const spec = (v: object) => specOf({ name: 'x', issuer: 'self', ...v });
  test('bounds in the past never expire the cache; a bound in the future halves the distance to it', () => {
    expect(maxAgeMs(spec({ notBeforeDays: -400, notAfterDays: -30 }))).toBe(7 * 86_400_000);
    expect(maxAgeMs(spec({ notBeforeDays: 0, notBeforeSeconds: 3600, notAfterDays: 400 }))).toBe(1_800_000);
    expect(maxAgeMs(spec({ notBeforeDays: -1, notAfterDays: 0, notAfterSeconds: 7200 }))).toBe(3_600_000);
  });
});
