import 'reflect-metadata';
import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { describe, expect, test } from 'vitest';
import { DEFAULT_CSR_SPEC, generateCsr } from './csr.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

// Generated CSRs parsed back: each carries what its spec declares, and nothing breaks but the signature when tampered.
const parse = (pem: string) => new x509.Pkcs10CertificateRequest(pem);

describe('generateCsr', () => {
  test('defaults: the default certificate subject, EC P-256, SHA-256, a valid self-signature, no extensions', async () => {
    const m = await generateCsr();
    const csr = parse(m.csrPem);
    expect(csr.subject).toBe(DEFAULT_CSR_SPEC.subject);
    expect(csr.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect((csr.signatureAlgorithm as { hash: { name: string } }).hash.name).toBe('SHA-256');
    expect(await csr.verify()).toBe(true);
    expect(csr.extensions).toHaveLength(0);
    expect(Buffer.from(m.csrDer).equals(Buffer.from(csr.rawData))).toBe(true);
  });

  test('subject, RSA key, requested SANs and EKU are in the request', async () => {
    const m = await generateCsr({
      subject: 'CN=api.example.test, O=Example, C=DE',
      key: 'rsa-2048',
      sans: [{ type: 'dns', value: 'api.example.test' }, { type: 'ip', value: '127.0.0.1' }],
      eku: ['serverAuth'],
    });
    const csr = parse(m.csrPem);
    expect([csr.subjectName.getField('CN'), csr.subjectName.getField('O'), csr.subjectName.getField('C')]).toEqual([['api.example.test'], ['Example'], ['DE']]);
    expect((csr.publicKey.algorithm as { modulusLength: number }).modulusLength).toBe(2048);
    const san = csr.extensions.find((e) => e instanceof x509.SubjectAlternativeNameExtension) as x509.SubjectAlternativeNameExtension;
    expect(san.names.items.map((n) => [n.type, n.value])).toEqual([['dns', 'api.example.test'], ['ip', '127.0.0.1']]);
    const eku = csr.extensions.find((e) => e instanceof x509.ExtendedKeyUsageExtension) as x509.ExtendedKeyUsageExtension;
    expect(eku.usages).toEqual([x509.ExtendedKeyUsage.serverAuth]);
    expect(await csr.verify()).toBe(true);
  });

  test('the private key is the one the request names', async () => {
    const m = await generateCsr({ key: 'ec-p384' });
    const fromKey = createPublicKey(createPrivateKey(m.keyPem)).export({ type: 'spki', format: 'der' });
    expect(Buffer.from(parse(m.csrPem).publicKey.rawData).equals(fromKey)).toBe(true);
  });

  test('SHA-1 with an RSA key really signs with SHA-1', async () => {
    const csr = parse((await generateCsr({ key: 'rsa-1024', signatureHash: 'SHA-1' })).csrPem);
    expect((csr.signatureAlgorithm as { hash: { name: string } }).hash.name).toBe('SHA-1');
    expect(await csr.verify()).toBe(true);
  });

  test('tamper: still parses with the same subject and key, but the signature fails', async () => {
    for (const key of ['ec-p256', 'rsa-2048'] as const) {
      const m = await generateCsr({ key, subject: 'CN=tampered', tamper: true });
      const csr = parse(m.csrPem);
      expect(csr.subject).toBe('CN=tampered');
      expect(await csr.verify()).toBe(false);
    }
  });
});
