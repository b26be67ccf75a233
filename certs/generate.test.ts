import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import * as x509 from '@peculiar/x509';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { certificateFacts } from '../harness/policy/certificate-policy.js';
import { ensureCerts, type EnsureResult } from './store.js';
// The certificate set comes from the cases (certs/ itself does not know them).
import { caseChains } from '../harness/cases/catalogue.js';

// Generated certificates parsed back: each matrix entry has the one property it claims to vary.
let store: EnsureResult;
const dir = mkdtempSync(join(tmpdir(), 'mtls-certs-test-'));
beforeAll(async () => {
  store = await ensureCerts(dir, { chains: caseChains() });
});
const facts = (name: string) => certificateFacts(new X509Certificate(store.certs.get(name)!.certPem).raw);
const node = (name: string) => new X509Certificate(store.certs.get(name)!.certPem);
const DAY = 86_400_000;

describe('certificate matrix', () => {
  test('valid: EC P-256, clientAuth only, SHA-256, issued by the client CA, currently valid', () => {
    const f = facts('client/valid');
    expect([f.keyType, f.keyBits, f.eku, f.signatureHash]).toEqual(['ec', 256, ['1.3.6.1.5.5.7.3.2'], 'sha256']);
    expect(node('client/valid').verify(node('client-ca').publicKey)).toBe(true);
    expect(f.notBefore.getTime()).toBeLessThan(Date.now());
    expect(f.notAfter.getTime()).toBeGreaterThan(Date.now() + 300 * DAY);
  });
  test('EKU variants', () => {
    expect(facts('client/eku-server-only').eku).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(facts('client/eku-absent').eku).toBeNull();
    expect(facts('server').eku).toEqual(['1.3.6.1.5.5.7.3.1']);
  });
  test('validity variants', () => {
    expect(facts('client/expired').notAfter.getTime()).toBeLessThan(Date.now());
    expect(facts('client/not-yet-valid').notBefore.getTime()).toBeGreaterThan(Date.now());
  });
  test('key and signature variants', () => {
    expect([facts('client/rsa-1024').keyType, facts('client/rsa-1024').keyBits]).toEqual(['rsa', 1024]);
    expect(facts('client/rsa-2048').keyBits).toBe(2048);
    expect(facts('client/sha1-signature').signatureHash).toBe('sha1');
  });
  test('issuer variants', () => {
    expect(node('client/self-signed').verify(node('client/self-signed').publicKey)).toBe(true);
    expect(node('client/untrusted-ca').verify(node('untrusted-ca').publicKey)).toBe(true);
    expect(node('client/untrusted-ca').verify(node('client-ca').publicKey)).toBe(false);
    expect(node('client-not-ca').ca).toBe(false);
    // Only basicConstraints makes it unfit: its keyUsage does allow certificate signing.
    expect(new x509.X509Certificate(store.certs.get('client-not-ca')!.certPem).getExtension(x509.KeyUsagesExtension)!.usages & x509.KeyUsageFlags.keyCertSign).toBeTruthy();
    expect(readFileSync(join(dir, 'client', 'issuer-not-ca-chain.pem'), 'utf8').match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(readFileSync(join(dir, 'client', 'valid-chain-chain.pem'), 'utf8')).toBe(store.certs.get('client/valid-chain')!.chainPem);
    expect(node('client/issuer-not-ca').verify(node('client-not-ca').publicKey)).toBe(true);
    expect(node('client-intermediate').ca).toBe(true);
    // valid-chain is sent with its intermediate, the leaf alone for intermediate-not-sent.
    expect(store.certs.get('client/valid-chain')!.chainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });
  test('server certificate names localhost and the loopback addresses', () => {
    expect(node('server').checkHost('localhost')).toBe('localhost');
    expect(node('server').checkIP('127.0.0.1')).toBe('127.0.0.1');
  });
  test('private keys are 0600, certificates readable', () => {
    expect(statSync(store.certs.get('client/valid')!.keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(store.certs.get('client-ca')!.keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(store.certs.get('client-ca')!.certPath).mode & 0o777).toBe(0o644);
  });
  test('a second run generates nothing, and keeps the CAs', async () => {
    const again = await ensureCerts(dir, { chains: caseChains() });
    expect(again.generated).toEqual([]);
    expect(again.certs.get('client-ca')!.certPem).toBe(store.certs.get('client-ca')!.certPem);
  });
  test('a changed spec regenerates the leaves it touches but keeps the CAs', async () => {
    const other = await ensureCerts(dir, { chains: caseChains(), matrix: { clientSubject: 'CN=partner-7, O=x', serverHosts: ['localhost'] } });
    expect(other.generated).toContain('client/valid');
    expect(other.generated).not.toContain('client-ca');
    expect(node('client-ca').fingerprint256).toBe(new X509Certificate(other.certs.get('client-ca')!.certPem).fingerprint256);
  });
});
