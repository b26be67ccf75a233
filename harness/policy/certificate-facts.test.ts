import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { generate, type Material } from '../../certs/generate.js';
import { caSpec, specOf } from '../../certs/spec.js';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1 from '@peculiar/asn1-x509';
import { certificateFacts, factsByPeculiar, issuerDer } from './certificate-facts.js';

/** The facts as @peculiar/x509 reads them: the implementation certificateFacts replaced on its common path. */
const oracle = (d: Uint8Array) => factsByPeculiar(d);

const der = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'));
const certs: [string, Uint8Array][] = [];

beforeAll(async () => {
  const root: Material = await generate(caSpec({ name: 'root', issuer: 'self', subject: 'CN=Facts Root, O=mtls-conformance' }));
  const rsaRoot: Material = await generate(caSpec({ name: 'rsa-root', issuer: 'self', subject: 'CN=Facts RSA Root', key: 'rsa-2048', signatureHash: 'SHA-1' }));
  certs.push(['root', der(root.certPem)], ['rsa-root sha1 self-signed', der(rsaRoot.certPem)]);
  const leaves: [string, Parameters<typeof specOf>[0], Material][] = [
    ['ec-p256 clientAuth', { name: 'a', issuer: 'root', eku: ['clientAuth'] }, root],
    ['ec-p384 sha384 both EKUs', { name: 'b', issuer: 'root', key: 'ec-p384', signatureHash: 'SHA-384', eku: ['serverAuth', 'clientAuth'] }, root],
    ['ed25519 no EKU', { name: 'c', issuer: 'root', key: 'ed25519', eku: null }, root],
    ['rsa-1024 under an RSA SHA-1 CA', { name: 'd', issuer: 'rsa-root', key: 'rsa-1024', signatureHash: 'SHA-1' }, rsaRoot],
    ['URI, DNS, IP and email SANs', { name: 'e', issuer: 'root', sans: [{ type: 'uri', value: 'spiffe://example.org/ns/a/sa/b' }, { type: 'dns', value: 'a.example' }, { type: 'ip', value: '127.0.0.1' }, { type: 'uri', value: 'urn:uuid:0b6f7a52-6f5e-4c55-9d3f-2f1f1b6c3b1a' }, { type: 'email', value: 'a@example.org' }] }, root],
    ['escaped subject', { name: 'f', issuer: 'root', subject: 'CN=Acme\\, Inc., O=a\\+b, L=quote\\"d, C=DE' }, root],
    ['a cA TRUE leaf', { name: 'g', issuer: 'root', ca: true }, root],
    ['expired', { name: 'h', issuer: 'root', notBeforeDays: -40, notAfterDays: -2 }, root],
    ['version 1 (no [0] version field)', { name: 'v1', issuer: 'root', version: 1 }, root],
  ];
  for (const [label, spec, issuer] of leaves) certs.push([label, der((await generate(specOf(spec), issuer)).certPem)]);

  // What users bring: a certificate from `openssl req -x509`, with characters a DN must escape.
  const dir = mkdtempSync(join(tmpdir(), 'mtls-facts-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/C=US/O=Comma, Plus+ "Quote"/OU=#hash lead /CN=svc\\;semi <lt>', '-addext', 'subjectAltName=URI:https://svc.example/id,DNS:svc.example', '-addext', 'extendedKeyUsage=serverAuth'], { stdio: 'ignore' });
  certs.push(['openssl req -x509 with escapes', der(readFileSync(join(dir, 'c.pem'), 'utf8'))]);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-sigopt', 'rsa_padding_mode:pss', '-sha256', '-nodes', '-days', '30', '-keyout', join(dir, 'k2.pem'), '-out', join(dir, 'c2.pem'), '-subj', '/CN=pss'], { stdio: 'ignore' });
  certs.push(['openssl RSA-PSS (the @peculiar/x509 fallback)', der(readFileSync(join(dir, 'c2.pem'), 'utf8'))]);
}, 60_000);

describe('certificateFacts without @peculiar/x509 on the common path', () => {
  test('gives exactly what @peculiar/x509 gives, certificate by certificate', () => {
    expect(certs.length).toBeGreaterThanOrEqual(12);
    for (const [label, d] of certs) expect(certificateFacts(d), label).toEqual(oracle(d));
  });

  test('reads what the rules need', () => {
    const facts = Object.fromEntries(certs.map(([label, d]) => [label, certificateFacts(d)]));
    expect(facts['rsa-1024 under an RSA SHA-1 CA']).toMatchObject({ keyType: 'rsa', keyBits: 1024, signatureHash: 'sha1' });
    expect(facts['ec-p384 sha384 both EKUs']).toMatchObject({ keyType: 'ec', keyBits: 384, signatureHash: 'sha384', eku: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'] });
    expect(facts['ed25519 no EKU']).toMatchObject({ keyType: 'ed25519', eku: null });
    expect(facts['URI, DNS, IP and email SANs'].sanUris).toEqual(['spiffe://example.org/ns/a/sa/b', 'urn:uuid:0b6f7a52-6f5e-4c55-9d3f-2f1f1b6c3b1a']);
    expect(facts['a cA TRUE leaf'].ca).toBe(true);
    expect(facts['openssl req -x509 with escapes'].subject).toMatch(/O=Comma\\, Plus.*CN=svc\\;semi \\<lt\\>/);
  });
});

describe('issuerDer', () => {
  test('is the issuer Name as a full ASN.1 parse serializes it, also for a v1 certificate', () => {
    const v1 = certs.find(([label]) => label.startsWith('version 1'))!;
    expect(AsnConvert.parse(v1[1], asn1.Certificate).tbsCertificate.version).toBe(asn1.Version.v1);
    for (const [label, d] of certs) {
      const full = Buffer.from(AsnConvert.serialize(AsnConvert.parse(d, asn1.Certificate).tbsCertificate.issuer));
      expect(issuerDer(Buffer.from(d))?.toString('hex'), label).toBe(full.toString('hex'));
    }
  });
  test('is null for what is not a certificate', () => {
    expect(issuerDer(Buffer.from('not DER'))).toBeNull();
    expect(issuerDer(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]))).toBeNull();
  });
});
