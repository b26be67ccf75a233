import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import { describe, expect, test } from 'vitest';
import type { Material } from './generate.js';
import { generateSet } from './generate-set.js';
import { caSpec, specOf, type CertSpec, type SpecVariation } from './spec.js';

// The corpus fields of CertSpec (issue 16), each generated, parsed back, and where a real
// validator can tell, judged by `openssl verify` (a valid chain verifies; a violating one fails
// with the error the clause predicts).

const dir = mkdtempSync(join(tmpdir(), 'mtls-fields-test-'));
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const ROOT = caSpec({ name: 'root', issuer: 'self', subject: 'CN=fields test root' });
const leaf = (v: Partial<CertSpec> & { name: string }) => specOf({ issuer: 'root', subject: `CN=${v.name}`, ...v } as SpecVariation);
const ext = <T extends x509.Extension>(m: Material, type: new (raw: BufferSource) => T) => new x509.X509Certificate(m.certPem).getExtension(type);
const rawExt = (m: Material, oid: string) => new x509.X509Certificate(m.certPem).extensions.find((e) => e.type === oid);

let fileNo = 0;
function file(pems: Material[]): string {
  const path = join(dir, `f${fileNo++}.pem`);
  writeFileSync(path, pems.map((m) => m.certPem).join(''));
  return path;
}

/** `openssl verify` of leaf against trusted roots with untrusted intermediates; its verdict and error text. */
function opensslVerify(trusted: Material[], untrusted: Material[], leafCert: Material, extra: string[] = []): { ok: boolean; out: string } {
  const args = ['verify', '-CAfile', file(trusted), ...(untrusted.length ? ['-untrusted', file(untrusted)] : []), ...extra, file([leafCert])];
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

describe('name constraints: permitted and excluded, every form', () => {
  const nc = caSpec({
    name: 'ica-nc',
    issuer: 'root',
    subject: 'CN=fields test constrained CA',
    nameConstraints: {
      permittedDns: ['permitted.test'],
      excludedDns: ['bad.permitted.test'],
      permittedIps: ['127.0.0.0/8', '::1/128'],
      excludedIps: ['127.0.0.2/32'],
      permittedUris: ['prod.spiffe.test', '.svc.test'],
      excludedUris: ['bad.svc.test'],
      permittedEmails: ['mail.test'],
      excludedEmails: ['root@mail.test'],
      permittedDirectoryNames: ['O=Permitted'],
      excludedDirectoryNames: ['O=Permitted, OU=Excluded'],
    },
  });
  const under = (name: string, sans: CertSpec['sans'], subject = 'O=Permitted, CN=leaf') => leaf({ name, issuer: 'ica-nc', sans, subject });
  const specs = [
    ROOT,
    nc,
    caSpec({ name: 'ica-nc-noncritical', issuer: 'root', subject: 'CN=noncritical NC', nameConstraints: { excludedDns: ['x.test'] }, nameConstraintsCritical: false }),
    under('dns-ok', [{ type: 'dns', value: 'a.permitted.test' }]),
    under('dns-outside', [{ type: 'dns', value: 'a.other.test' }]),
    under('dns-excluded', [{ type: 'dns', value: 'x.bad.permitted.test' }]),
    under('ip-ok', [{ type: 'ip', value: '127.0.0.1' }]),
    under('ip-excluded', [{ type: 'ip', value: '127.0.0.2' }]),
    under('ip6-outside', [{ type: 'ip', value: '2001:db8::1' }]),
    under('spiffe-ok', [{ type: 'uri', value: 'spiffe://prod.spiffe.test/ns/a/sa/b' }]),
    under('spiffe-outside', [{ type: 'uri', value: 'spiffe://staging.spiffe.test/ns/a/sa/b' }]),
    under('uri-excluded', [{ type: 'uri', value: 'https://bad.svc.test/x' }]),
    under('email-ok', [{ type: 'email', value: 'alice@mail.test' }]),
    under('email-excluded', [{ type: 'email', value: 'root@mail.test' }]),
    under('dn-outside', [{ type: 'dns', value: 'b.permitted.test' }], 'O=Elsewhere, CN=leaf'),
    under('dn-excluded', [{ type: 'dns', value: 'c.permitted.test' }], 'O=Permitted, OU=Excluded, CN=leaf'),
  ];
  let m: Map<string, Material>;
  const ready = generateSet(specs).then((r) => (m = r));

  test('the extension carries both subtrees, each form, critical unless asked otherwise', async () => {
    await ready;
    const e = rawExt(m.get('ica-nc')!, asn1X509.id_ce_nameConstraints)!;
    expect(e.critical).toBe(true);
    const parsed = AsnConvert.parse(e.value, asn1X509.NameConstraints);
    const forms = (s?: asn1X509.GeneralSubtrees) => (s ?? []).map((t) => Object.keys(t.base).find((k) => (t.base as unknown as Record<string, unknown>)[k] !== undefined));
    expect(forms(parsed.permittedSubtrees).sort()).toEqual(['dNSName', 'directoryName', 'iPAddress', 'iPAddress', 'rfc822Name', 'uniformResourceIdentifier', 'uniformResourceIdentifier'].sort());
    expect(forms(parsed.excludedSubtrees).sort()).toEqual(['dNSName', 'directoryName', 'iPAddress', 'rfc822Name', 'uniformResourceIdentifier'].sort());
    const nonCritical = rawExt(m.get('ica-nc-noncritical')!, asn1X509.id_ce_nameConstraints)!;
    expect(nonCritical.critical).toBe(false);
    expect(AsnConvert.parse(nonCritical.value, asn1X509.NameConstraints).permittedSubtrees).toBeUndefined();
  });

  test.skipIf(!hasOpenssl)('openssl verify: names inside pass, outside fail "permitted", excluded fail "excluded"', async () => {
    await ready;
    const v = (name: string) => opensslVerify([m.get('root')!], [m.get('ica-nc')!], m.get(name)!);
    for (const ok of ['dns-ok', 'ip-ok', 'spiffe-ok', 'email-ok']) expect(v(ok), ok).toMatchObject({ ok: true });
    for (const name of ['dns-outside', 'ip6-outside', 'spiffe-outside', 'dn-outside']) {
      const r = v(name);
      expect(r.ok, name).toBe(false);
      expect(r.out, name).toMatch(/permitted subtree violation/);
    }
    for (const name of ['dns-excluded', 'ip-excluded', 'uri-excluded', 'email-excluded', 'dn-excluded']) {
      const r = v(name);
      expect(r.ok, name).toBe(false);
      expect(r.out, name).toMatch(/excluded subtree violation/);
    }
  });
});

describe('keyUsage, EKU, basicConstraints', () => {
  const specs = [
    ROOT,
    leaf({ name: 'ku-exact', keyUsage: ['keyAgreement'], keyUsageCritical: false }),
    leaf({ name: 'ku-absent', keyUsage: null }),
    leaf({ name: 'leaf-keycertsign', keyUsage: ['digitalSignature', 'keyCertSign'] }),
    caSpec({ name: 'ica-no-certsign', issuer: 'root', subject: 'CN=CA without keyCertSign', keyUsage: ['digitalSignature', 'cRLSign'] }),
    leaf({ name: 'under-no-certsign', issuer: 'ica-no-certsign' }),
    caSpec({ name: 'ica-ku-absent', issuer: 'root', subject: 'CN=CA without keyUsage', keyUsage: null }),
    leaf({ name: 'under-ku-absent', issuer: 'ica-ku-absent' }),
    caSpec({ name: 'ica-server-eku', issuer: 'root', subject: 'CN=CA with serverAuth EKU', eku: ['serverAuth'] }),
    leaf({ name: 'client-under-server-eku', issuer: 'ica-server-eku', eku: ['clientAuth'] }),
    leaf({ name: 'eku-any-critical', eku: ['clientAuth'], ekuOids: ['2.5.29.37.0'], ekuCritical: true }),
    leaf({ name: 'eku-email-only', eku: null, ekuOids: ['1.3.6.1.5.5.7.3.4'] }),
    caSpec({ name: 'ica-pathlen0', issuer: 'root', subject: 'CN=pathLen 0 CA', pathLength: 0 }),
    caSpec({ name: 'ica-below-pathlen0', issuer: 'ica-pathlen0', subject: 'CN=below pathLen 0' }),
    leaf({ name: 'too-deep', issuer: 'ica-below-pathlen0' }),
    caSpec({ name: 'ica-bc-noncritical', issuer: 'root', subject: 'CN=BC non-critical', basicConstraintsCritical: false, pathLength: 3 }),
    leaf({ name: 'san-critical', subject: '', sans: [{ type: 'dns', value: 'empty-subject.test' }], sanCritical: true }),
  ];
  let m: Map<string, Material>;
  const ready = generateSet(specs).then((r) => (m = r));

  test('keyUsage as listed, absent when null, critical as asked', async () => {
    await ready;
    const exact = ext(m.get('ku-exact')!, x509.KeyUsagesExtension)!;
    expect([exact.usages, exact.critical]).toEqual([x509.KeyUsageFlags.keyAgreement, false]);
    expect(ext(m.get('ku-absent')!, x509.KeyUsagesExtension)).toBeNull();
    expect(ext(m.get('leaf-keycertsign')!, x509.KeyUsagesExtension)!.usages).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign);
    expect(new X509Certificate(m.get('leaf-keycertsign')!.certPem).ca).toBe(false);
    expect(ext(m.get('ica-ku-absent')!, x509.KeyUsagesExtension)).toBeNull();
  });
  test('EKU on an intermediate, extra OIDs, criticality', async () => {
    await ready;
    expect(ext(m.get('ica-server-eku')!, x509.ExtendedKeyUsageExtension)!.usages).toEqual(['1.3.6.1.5.5.7.3.1']);
    const any = ext(m.get('eku-any-critical')!, x509.ExtendedKeyUsageExtension)!;
    expect([any.usages, any.critical]).toEqual([['1.3.6.1.5.5.7.3.2', '2.5.29.37.0'], true]);
    expect(ext(m.get('eku-email-only')!, x509.ExtendedKeyUsageExtension)!.usages).toEqual(['1.3.6.1.5.5.7.3.4']);
  });
  test('basicConstraints and SAN criticality', async () => {
    await ready;
    const bc = ext(m.get('ica-bc-noncritical')!, x509.BasicConstraintsExtension)!;
    expect([bc.ca, bc.pathLength, bc.critical]).toEqual([true, 3, false]);
    expect(ext(m.get('san-critical')!, x509.SubjectAlternativeNameExtension)!.critical).toBe(true);
    expect(new x509.X509Certificate(m.get('san-critical')!.certPem).subject).toBe('');
  });
  test.skipIf(!hasOpenssl)('openssl verify: CA without keyCertSign, EKU of an intermediate, pathLen', async () => {
    await ready;
    const root = [m.get('root')!];
    // RFC 5280 §6.1.4 (n): a CA's keyUsage, when present, must assert keyCertSign.
    expect(opensslVerify(root, [m.get('ica-no-certsign')!], m.get('under-no-certsign')!).out).toMatch(/key usage does not include certificate signing/);
    // Absent keyUsage on a CA restricts nothing (RFC 5280 §4.2.1.3 is a SHOULD for the issuer, not a check).
    expect(opensslVerify(root, [m.get('ica-ku-absent')!], m.get('under-ku-absent')!).ok).toBe(true);
    // An intermediate that is serverAuth only cannot vouch for a client certificate (EKU chaining, as OpenSSL and the Web PKI do).
    const eku = opensslVerify(root, [m.get('ica-server-eku')!], m.get('client-under-server-eku')!, ['-purpose', 'sslclient']);
    expect(eku).toMatchObject({ ok: false });
    expect(eku.out).toMatch(/unsuitable certificate purpose/);
    expect(opensslVerify(root, [m.get('ica-server-eku')!], m.get('client-under-server-eku')!).ok).toBe(true);
    // RFC 5280 §6.1.4 (l)/(m).
    expect(opensslVerify(root, [m.get('ica-pathlen0')!, m.get('ica-below-pathlen0')!], m.get('too-deep')!).out).toMatch(/path length constraint exceeded/);
  });
});

describe('keys and signatures', () => {
  const specs = [
    ROOT,
    caSpec({ name: 'rsa-root', issuer: 'self', subject: 'CN=RSA root', key: 'rsa-2048' }),
    leaf({ name: 'p384', key: 'ec-p384', signatureHash: 'SHA-384' }),
    leaf({ name: 'ed25519', key: 'ed25519' }),
    leaf({ name: 'rsa3072', key: 'rsa-3072' }),
    leaf({ name: 'pss-signed', issuer: 'rsa-root', signatureScheme: 'pss' }),
    leaf({ name: 'pss-key', issuer: 'rsa-root', key: 'rsa-2048', pssKey: true, signatureScheme: 'pss' }),
    caSpec({ name: 'ed-root', issuer: 'self', subject: 'CN=Ed25519 root', key: 'ed25519' }),
    leaf({ name: 'under-ed', issuer: 'ed-root' }),
  ];
  let m: Map<string, Material>;
  const ready = generateSet(specs).then((r) => (m = r));
  const node = (n: string) => new X509Certificate(m.get(n)!.certPem);
  const sigOid = (n: string) => new x509.X509Certificate(m.get(n)!.certPem).signatureAlgorithm;

  test('key types and sizes', async () => {
    await ready;
    expect(node('p384').publicKey.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
    expect(node('ed25519').publicKey.asymmetricKeyType).toBe('ed25519');
    expect(node('rsa3072').publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    // RFC 4055 §1.2: an RSASSA-PSS key has its own SPKI algorithm, and keeps keyEncipherment out of keyUsage.
    expect(node('pss-key').publicKey.asymmetricKeyType).toBe('rsa-pss');
    expect(ext(m.get('pss-key')!, x509.KeyUsagesExtension)!.usages).toBe(x509.KeyUsageFlags.digitalSignature);
  });
  test('RSA-PSS, SHA-384 and Ed25519 signatures verify under their issuer', async () => {
    await ready;
    expect(sigOid('pss-signed')).toMatchObject({ name: 'RSA-PSS' });
    expect(node('pss-signed').verify(node('rsa-root').publicKey)).toBe(true);
    expect(node('pss-key').verify(node('rsa-root').publicKey)).toBe(true);
    expect(sigOid('p384')).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-384' } });
    expect(node('under-ed').verify(node('ed-root').publicKey)).toBe(true);
  });
  test('a PSS key cannot issue: a clear error, not a wrong certificate', async () => {
    await ready;
    const bad = [caSpec({ name: 'pss-ca', issuer: 'self', subject: 'CN=pss CA', key: 'rsa-2048', pssKey: true })];
    await expect(generateSet(bad)).rejects.toThrow(/RSASSA-PSS key/);
  });
  test.skipIf(!hasOpenssl)('openssl verify accepts the PSS, Ed25519 and P-384 chains', async () => {
    await ready;
    expect(opensslVerify([m.get('rsa-root')!], [], m.get('pss-signed')!).ok).toBe(true);
    expect(opensslVerify([m.get('rsa-root')!], [], m.get('pss-key')!).ok).toBe(true);
    expect(opensslVerify([m.get('ed-root')!], [], m.get('under-ed')!).ok).toBe(true);
    expect(opensslVerify([m.get('root')!], [], m.get('p384')!).ok).toBe(true);
  });
});

describe('identifiers, validity seconds, key reuse, policies, serial', () => {
  const now = Date.now();
  const specs = [
    ROOT,
    leaf({ name: 'ski-absent', ski: 'absent' }),
    leaf({ name: 'ski-critical', ski: 'critical' }),
    leaf({ name: 'aki-absent', aki: 'absent' }),
    leaf({ name: 'aki-mismatched', aki: 'mismatched' }),
    leaf({ name: 'aki-critical', aki: 'critical' }),
    leaf({ name: 'expired-5s', notBeforeDays: -1, notAfterDays: 0, notAfterSeconds: -5 }),
    leaf({ name: 'valid-for-60s', notBeforeDays: 0, notBeforeSeconds: -60, notAfterDays: 0, notAfterSeconds: 60 }),
    leaf({ name: 'policies', policies: ['2.23.140.1.2.1', '1.3.6.1.4.1.99999.1'] }),
    leaf({ name: 'serial-21', serialHex: '01' + 'ab'.repeat(20) }),
    // Cross-signing (RFC 4158 §2.4): one CA, its subject and key, issued by two roots.
    caSpec({ name: 'root2', issuer: 'self', subject: 'CN=fields test second root' }),
    caSpec({ name: 'ica-by-root', issuer: 'root', subject: 'CN=cross-signed CA' }),
    caSpec({ name: 'ica-by-root2', issuer: 'root2', subject: 'CN=cross-signed CA', keyOf: 'ica-by-root' }),
    leaf({ name: 'under-cross', issuer: 'ica-by-root' }),
  ];
  let m: Map<string, Material>;
  const ready = generateSet(specs, new Map(), now).then((r) => (m = r));
  const node = (n: string) => new X509Certificate(m.get(n)!.certPem);

  test('SKI and AKI: absent, critical, mismatched', async () => {
    await ready;
    expect(ext(m.get('ski-absent')!, x509.SubjectKeyIdentifierExtension)).toBeNull();
    expect(ext(m.get('ski-critical')!, x509.SubjectKeyIdentifierExtension)!.critical).toBe(true);
    expect(ext(m.get('aki-absent')!, x509.AuthorityKeyIdentifierExtension)).toBeNull();
    expect(ext(m.get('aki-critical')!, x509.AuthorityKeyIdentifierExtension)!.critical).toBe(true);
    const rootSki = ext(m.get('root')!, x509.SubjectKeyIdentifierExtension)!.keyId;
    expect(ext(m.get('aki-critical')!, x509.AuthorityKeyIdentifierExtension)!.keyId).toBe(rootSki);
    expect(ext(m.get('aki-mismatched')!, x509.AuthorityKeyIdentifierExtension)!.keyId).not.toBe(rootSki);
    // Same SKI method as before the corpus fields: SHA-1 of the subjectPublicKey (RFC 5280 §4.2.1.2 (1)).
    const created = await x509.SubjectKeyIdentifierExtension.create(new x509.X509Certificate(m.get('root')!.certPem).publicKey);
    expect(rootSki).toBe(created.keyId);
  });
  test('validity offsets in seconds', async () => {
    await ready;
    expect(new Date(node('expired-5s').validTo).getTime()).toBe(Math.floor((now - 5_000) / 1000) * 1000);
    expect(new Date(node('valid-for-60s').validFrom).getTime()).toBe(Math.floor((now - 60_000) / 1000) * 1000);
    expect(new Date(node('valid-for-60s').validTo).getTime()).toBe(Math.floor((now + 60_000) / 1000) * 1000);
  });
  test('policies and a 21-octet serial', async () => {
    await ready;
    expect(ext(m.get('policies')!, x509.CertificatePolicyExtension)!.policies).toEqual(['2.23.140.1.2.1', '1.3.6.1.4.1.99999.1']);
    expect(node('serial-21').serialNumber.toLowerCase()).toBe('01' + 'ab'.repeat(20));
  });
  test('keyOf: the cross-signed CA has the same key and subject under another issuer', async () => {
    await ready;
    const [a, b] = [node('ica-by-root'), node('ica-by-root2')];
    expect(a.publicKey.export({ type: 'spki', format: 'der' })).toEqual(b.publicKey.export({ type: 'spki', format: 'der' }));
    expect([a.subject, a.issuer === b.issuer]).toEqual([b.subject, false]);
    expect(m.get('ica-by-root2')!.keyPem).toBe(m.get('ica-by-root')!.keyPem);
    expect(node('under-cross').verify(b.publicKey)).toBe(true);
    await expect(generateSet([caSpec({ name: 'x', issuer: 'self', subject: 'CN=x', keyOf: 'missing' })])).rejects.toThrow(/"missing", which is neither/);
  });
  test.skipIf(!hasOpenssl)('openssl verify: expired by 5 s; either path of the cross-sign; a mismatched AKI', async () => {
    await ready;
    const root = m.get('root')!;
    expect(opensslVerify([root], [], m.get('expired-5s')!).out).toMatch(/certificate has expired/);
    expect(opensslVerify([root], [], m.get('valid-for-60s')!).ok).toBe(true);
    // Only root2 trusted: the path goes through the cross-certificate.
    expect(opensslVerify([m.get('root2')!], [m.get('ica-by-root2')!], m.get('under-cross')!).ok).toBe(true);
    expect(opensslVerify([m.get('root2')!], [m.get('ica-by-root')!], m.get('under-cross')!).ok).toBe(false);
    // Both offered, only root trusted: the path through the certificate root issued. (OpenSSL 3.0
    // takes the first matching issuer among the untrusted ones and does not back off: with the
    // cross-certificate listed first it fails; the corpus's path-building family tests exactly that.)
    const both = opensslVerify([root], [m.get('ica-by-root')!, m.get('ica-by-root2')!], m.get('under-cross')!);
    expect(both.ok, both.out).toBe(true);
    // OpenSSL matches issuers by AKI: a wrong key id leaves the leaf without an issuer.
    expect(opensslVerify([root], [], m.get('aki-mismatched')!).ok).toBe(false);
    expect(opensslVerify([root], [], m.get('aki-absent')!).ok).toBe(true);
  });
});

test('generateSet: order, circles, duplicates', async () => {
  const out = await generateSet([leaf({ name: 'l' }), ROOT]);
  expect([...out.keys()].sort()).toEqual(['l', 'root']);
  await expect(generateSet([caSpec({ name: 'a', issuer: 'b', subject: 'CN=a' }), caSpec({ name: 'b', issuer: 'a', subject: 'CN=b' })])).rejects.toThrow(/circle/);
  await expect(generateSet([ROOT, ROOT])).rejects.toThrow(/twice/);
  // Material given from elsewhere is used and not returned.
  const given = new Map([['root', out.get('root')!]]);
  const only = await generateSet([leaf({ name: 'l2' })], given);
  expect([...only.keys()]).toEqual(['l2']);
  expect(new X509Certificate(only.get('l2')!.certPem).verify(new X509Certificate(out.get('root')!.certPem).publicKey)).toBe(true);
});

describe('re-signed encodings: zero and negative serials, version 1', () => {
  const specs = [
    ROOT,
    caSpec({ name: 'rsa-root', issuer: 'self', subject: 'CN=RSA root for re-signing', key: 'rsa-2048' }),
    caSpec({ name: 'ed-root', issuer: 'self', subject: 'CN=Ed25519 root for re-signing', key: 'ed25519' }),
    leaf({ name: 'serial-zero', serialRaw: '00' }),
    leaf({ name: 'serial-negative', serialRaw: 'ff01' }),
    leaf({ name: 'v1', version: 1 }),
    leaf({ name: 'serial-zero-rsa', issuer: 'rsa-root', serialRaw: '00' }),
    leaf({ name: 'serial-zero-pss', issuer: 'rsa-root', serialRaw: '00', signatureScheme: 'pss' }),
    leaf({ name: 'serial-zero-ed', issuer: 'ed-root', serialRaw: '00' }),
    caSpec({ name: 'v1-self', issuer: 'self', subject: 'CN=v1 self-signed', version: 1, serialRaw: '00' }),
  ];
  let m: Map<string, Material>;
  const ready = generateSet(specs).then((r) => (m = r));
  const asn = (n: string) => AsnConvert.parse(new X509Certificate(m.get(n)!.certPem).raw, asn1X509.Certificate).tbsCertificate;
  const node = (n: string) => new X509Certificate(m.get(n)!.certPem);

  test('the TBS carries the asked serial octets and version, and the signature still verifies', async () => {
    await ready;
    expect(Buffer.from(asn('serial-zero').serialNumber).toString('hex')).toBe('00');
    expect(Buffer.from(asn('serial-negative').serialNumber).toString('hex')).toBe('ff01');
    expect(asn('v1').version).toBe(asn1X509.Version.v1);
    expect(asn('v1').extensions).toBeUndefined();
    expect(asn('serial-zero').version).toBe(asn1X509.Version.v3);
    expect(asn('serial-zero').extensions?.length).toBeGreaterThan(0);
    for (const [leafName, issuer] of [['serial-zero', 'root'], ['serial-negative', 'root'], ['v1', 'root'], ['serial-zero-rsa', 'rsa-root'], ['serial-zero-pss', 'rsa-root'], ['serial-zero-ed', 'ed-root'], ['v1-self', 'v1-self']]) {
      expect(node(leafName).verify(node(issuer).publicKey), leafName).toBe(true);
    }
  });
  test('a malformed serialRaw is a spec error', async () => {
    await expect(generateSet([ROOT, leaf({ name: 'bad', serialRaw: 'abc' })])).rejects.toThrow(/not whole octets/);
  });
  test.skipIf(!hasOpenssl)('openssl reads them back: serial 0, -255 (ff01 in two-complement), version 1', async () => {
    await ready;
    const text = (n: string) => spawnSync('openssl', ['x509', '-noout', '-text', '-in', file([m.get(n)!])], { encoding: 'utf8' }).stdout;
    expect(text('serial-zero')).toMatch(/Serial Number: 0 \(0x0\)/);
    expect(text('serial-negative')).toMatch(/Serial Number: -255 \(-0xff\)/);
    expect(text('v1')).toMatch(/Version: 1 \(0x0\)/);
    // The signature was redone over the edited TBS: a path validator still finds it valid.
    expect(opensslVerify([m.get('root')!], [], m.get('serial-zero')!).ok).toBe(true);
  });
});

describe('raw SAN names (smuggling) and a leaf pathLen', () => {
  const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');
  const host = 'api.mtls-conformance.localhost';
  const specs = [
    ROOT,
    leaf({
      name: 'smuggled',
      sans: [{ type: 'dns', value: 'bad.invalid' }],
      sanRaw: [
        { tag: 2, valueHex: hex(`${host}\0.evil.invalid`) },
        { tag: 6, valueHex: hex(`http://foo.invalid, DNS:${host}`) },
        { tag: 7, valueHex: hex('127.0.0.1') },
        { tag: 4, valueHex: hex(host) },
      ],
    }),
    leaf({ name: 'raw-only-long', sanRaw: [{ tag: 2, valueHex: hex('a'.repeat(300) + '.invalid') }] }),
    leaf({ name: 'leaf-pathlen', pathLength: 0 }),
    leaf({ name: 'control', sans: [{ type: 'dns', value: host }] }),
    leaf({ name: 'smuggled-dns-uri', sans: [{ type: 'dns', value: 'bad.invalid' }], sanRaw: [{ tag: 2, valueHex: hex(`${host}\0.evil.invalid`) }, { tag: 6, valueHex: hex(`http://foo.invalid, DNS:${host}`) }] }),
  ];
  let m: Map<string, Material>;
  const ready = generateSet(specs).then((r) => (m = r));
  const sanNames = (n: string) => {
    // Walk the SEQUENCE by hand: the smuggled names are not all valid for their types (a
    // primitive [4] directoryName), so @peculiar/x509's own SAN parser refuses the extension.
    const tbs = AsnConvert.parse(new X509Certificate(m.get(n)!.certPem).raw, asn1X509.Certificate).tbsCertificate;
    const der = Buffer.from(tbs.extensions!.find((e) => e.extnID === asn1X509.id_ce_subjectAltName)!.extnValue.buffer);
    const out: { tag: number; value: string }[] = [];
    let i = der[1]! < 0x80 ? 2 : 2 + (der[1]! & 0x7f);
    while (i < der.length) {
      const tag = der[i]! & 0x1f;
      let len = der[i + 1]!;
      let at = i + 2;
      if (len >= 0x80) {
        const k = len & 0x7f;
        len = der.subarray(at, at + k).reduce((a, b) => a * 256 + b, 0);
        at += k;
      }
      out.push({ tag, value: der.subarray(at, at + len).toString('latin1') });
      i = at + len;
    }
    return out;
  };

  test('the raw names follow the ordinary ones, tags and bytes as given', async () => {
    await ready;
    expect(sanNames('smuggled')).toEqual([
      { tag: 2, value: 'bad.invalid' },
      { tag: 2, value: `${host}\0.evil.invalid` },
      { tag: 6, value: `http://foo.invalid, DNS:${host}` },
      { tag: 7, value: '127.0.0.1' },
      { tag: 4, value: host },
    ]);
    expect(sanNames('raw-only-long')).toEqual([{ tag: 2, value: 'a'.repeat(300) + '.invalid' }]);
  });
  test('node:crypto does not match the host through any smuggled name', async () => {
    await ready;
    expect(new X509Certificate(m.get('smuggled')!.certPem).checkHost(host)).toBeUndefined();
    expect(new X509Certificate(m.get('smuggled')!.certPem).checkIP('127.0.0.1')).toBeUndefined();
  });
  test.skipIf(!hasOpenssl)('openssl verify -verify_hostname: no smuggled name matches; the control does', async () => {
    await ready;
    const r = opensslVerify([m.get('root')!], [], m.get('smuggled-dns-uri')!, ['-verify_hostname', host]);
    expect(r.ok).toBe(false);
    expect(r.out).toMatch(/hostname mismatch/);
    // A primitive [4] directoryName does not decode: OpenSSL then refuses the certificate outright.
    expect(opensslVerify([m.get('root')!], [], m.get('smuggled')!, ['-verify_hostname', host]).ok).toBe(false);
    expect(opensslVerify([m.get('root')!], [], m.get('control')!, ['-verify_hostname', host]).ok).toBe(true);
  });
  test('pathLen on a leaf (cA false)', async () => {
    await ready;
    const bc = ext(m.get('leaf-pathlen')!, x509.BasicConstraintsExtension)!;
    expect([bc.ca, bc.pathLength]).toEqual([false, 0]);
  });
  test('a tag outside 0-15 is a spec error', async () => {
    await expect(generateSet([ROOT, leaf({ name: 'bad-tag', sanRaw: [{ tag: 16, valueHex: '00' }] })])).rejects.toThrow(/not a GeneralName tag/);
  });
});

describe('raw name-constraint subtrees', () => {
  const v4 = (cidrHex: string) => ({ tag: 7, valueHex: cidrHex });
  const specs = [
    ROOT,
    // The same subtree typed and raw: the DER must be equal byte for byte.
    caSpec({ name: 'typed', issuer: 'root', subject: 'CN=typed NC', nameConstraints: { permittedIps: ['127.0.0.0/8'], excludedDns: ['bad.test'] } }),
    caSpec({ name: 'raw', issuer: 'root', subject: 'CN=raw NC', nameConstraints: { excludedDns: ['bad.test'] }, nameConstraintsRaw: { permitted: [v4('7f000000ff000000')] } }),
    // 127.0.0.1 under mask 255.0.0.0: host bits set in the subtree address (RFC 5280 §4.2.1.10 gives the range by its mask).
    caSpec({ name: 'host-bits', issuer: 'root', subject: 'CN=host bits NC', nameConstraintsRaw: { excluded: [v4('7f000001ff000000')] } }),
    // Nine octets: neither an IPv4 (8) nor an IPv6 (32) subtree.
    caSpec({ name: 'nine-octets', issuer: 'root', subject: 'CN=nine octets NC', nameConstraintsRaw: { excluded: [v4('7f000000ff00000000')] } }),
    leaf({ name: 'ip-under-host-bits', issuer: 'host-bits', sans: [{ type: 'ip', value: '127.0.0.1' }] }),
    leaf({ name: 'ip-under-nine', issuer: 'nine-octets', sans: [{ type: 'ip', value: '127.0.0.1' }] }),
  ];
  let m: Map<string, Material>;
  const ready = generateSet(specs).then((r) => (m = r));
  const ncValue = (n: string) => Buffer.from(rawExt(m.get(n)!, asn1X509.id_ce_nameConstraints)!.value).toString('hex');

  test('a raw subtree encodes exactly as the typed one; critical by default', async () => {
    await ready;
    const typed = ncValue('typed');
    const raw = ncValue('raw');
    // The raw subtree is appended after the typed ones of its list, and there are none: same order, same bytes.
    expect(raw).toBe(typed);
    expect(rawExt(m.get('raw')!, asn1X509.id_ce_nameConstraints)!.critical).toBe(true);
  });
  test('the bytes are kept as given: host bits, nine octets', async () => {
    await ready;
    expect(ncValue('host-bits')).toBe('300ea10c300a87087f000001ff000000');
    expect(ncValue('nine-octets')).toBe('300fa10d300b87097f000000ff00000000');
  });
  test.skipIf(!hasOpenssl)('openssl verify masks the subtree address: 127.0.0.1 is excluded by 127.0.0.1/255.0.0.0', async () => {
    await ready;
    const r = opensslVerify([m.get('root')!], [m.get('host-bits')!], m.get('ip-under-host-bits')!);
    expect(r.ok).toBe(false);
    expect(r.out).toMatch(/excluded subtree violation/);
  });
  test('a constraint with no subtree at all is a spec error', async () => {
    await expect(generateSet([ROOT, caSpec({ name: 'empty', issuer: 'root', subject: 'CN=empty', nameConstraintsRaw: {} })])).rejects.toThrow(/RFC 5280 §4.2.1.10 requires one/);
  });
});
