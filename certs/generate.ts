import 'reflect-metadata';
import { createPrivateKey, createPublicKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import { revokedSerial, UNKNOWN_CRITICAL_OID } from './revocation-data.js';
import type { CertSpec, KeyKind, NameConstraintsSpec, SignatureHash } from './spec.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type Algorithm = webcrypto.Algorithm;

const subtle = webcrypto.subtle;
const DAY_MS = 86_400_000;

/** A certificate with its private key, both PEM. The key never leaves the store or a TLS context. */
export interface Material {
  certPem: string;
  keyPem: string;
}

type KeyAlgorithm = webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams | { name: 'Ed25519' };

function keyAlgorithm(kind: KeyKind, hash: SignatureHash = 'SHA-256'): KeyAlgorithm {
  switch (kind) {
    case 'ec-p256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ec-p384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    case 'ed25519':
      return { name: 'Ed25519' };
    default:
      return {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: Number(kind.slice(4)),
        publicExponent: new Uint8Array([1, 0, 1]),
        hash,
      };
  }
}

async function generateKeyPair(kind: KeyKind): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(keyAlgorithm(kind) as webcrypto.RsaHashedKeyGenParams, true, ['sign', 'verify'])) as CryptoKeyPair;
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/**
 * Import a PEM private key (PKCS#8, PKCS#1 or SEC1) for signing with `hash`. A WebCrypto RSA
 * key carries its hash, so a SHA-1 signature needs the key imported for SHA-1 (PLATFORM.md).
 */
export async function importSigningKey(keyPem: string, hash: SignatureHash): Promise<{ key: CryptoKey; algorithm: Algorithm }> {
  const nodeKey = createPrivateKey(keyPem);
  const pkcs8 = nodeKey.export({ type: 'pkcs8', format: 'der' });
  const type = nodeKey.asymmetricKeyType;
  if (type === 'rsa') {
    const alg = { name: 'RSASSA-PKCS1-v1_5', hash };
    return { key: await subtle.importKey('pkcs8', pkcs8, alg, false, ['sign']), algorithm: alg };
  }
  if (type === 'ec') {
    const curve = nodeKey.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'P-384' : 'P-256';
    const key = await subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: curve }, false, ['sign']);
    return { key, algorithm: { name: 'ECDSA', hash } as webcrypto.EcdsaParams };
  }
  if (type === 'ed25519') {
    return { key: await subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']), algorithm: { name: 'Ed25519' } };
  }
  throw new Error(`unsupported issuer key type "${type}": use an RSA, EC (P-256/P-384) or Ed25519 key`);
}

export { keyMatchesCert } from './key-match.js';

function extensionsFor(spec: CertSpec): x509.Extension[] {
  const exts: x509.Extension[] = [];
  if (spec.ca !== null) {
    // RFC 5280 §4.2.1.9: basicConstraints must be critical in CA certificates.
    exts.push(new x509.BasicConstraintsExtension(spec.ca, spec.ca ? spec.pathLength : undefined, spec.ca));
  }
  const usage = spec.ca
    ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature
    : x509.KeyUsageFlags.digitalSignature |
      (spec.key.startsWith('rsa-') ? x509.KeyUsageFlags.keyEncipherment : 0) |
      (spec.keyCertSign ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : 0);
  exts.push(new x509.KeyUsagesExtension(usage, true));
  if (spec.eku) {
    const oids = spec.eku.map((e) => (e === 'serverAuth' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth));
    exts.push(new x509.ExtendedKeyUsageExtension(oids, false));
  }
  if (spec.sans.length > 0) {
    // @peculiar/x509 calls a URI GeneralName (RFC 5280 §4.2.1.6 uniformResourceIdentifier) 'url'.
    exts.push(new x509.SubjectAlternativeNameExtension(spec.sans.map((s) => ({ type: s.type === 'uri' ? 'url' : s.type, value: s.value }))));
  }
  // RFC 5280 §4.2.1.13 / §4.2.2.1: where a relying party that checks revocation looks.
  if (spec.crlUrl) exts.push(new x509.CRLDistributionPointsExtension([spec.crlUrl]));
  if (spec.ocspUrl) exts.push(new x509.AuthorityInfoAccessExtension({ ocsp: [spec.ocspUrl] }));
  // RFC 5280 §4.2.1.10: conforming CAs MUST mark nameConstraints critical.
  if (spec.nameConstraints) exts.push(new x509.Extension(asn1X509.id_ce_nameConstraints, true, nameConstraintsDer(spec.nameConstraints)));
  // RFC 5280 §4.2: a system MUST reject a certificate with a critical extension it does not recognise.
  if (spec.unknownCriticalExtension) exts.push(new x509.Extension(UNKNOWN_CRITICAL_OID, true, new Uint8Array([0x05, 0x00])));
  return exts;
}

function nameConstraintsDer(nc: NameConstraintsSpec): ArrayBuffer {
  const subtree = (base: asn1X509.GeneralName) => new asn1X509.GeneralSubtree({ base });
  const permitted = [
    ...nc.permittedDns.map((d) => subtree(new asn1X509.GeneralName({ dNSName: d }))),
    ...nc.permittedIps.map((ip) => subtree(new asn1X509.GeneralName({ iPAddress: ip }))),
    ...nc.permittedDirectoryNames.map((dn) => subtree(new asn1X509.GeneralName({ directoryName: AsnConvert.parse(new x509.Name(dn).toArrayBuffer(), asn1X509.Name) }))),
  ];
  return AsnConvert.serialize(new asn1X509.NameConstraints({ permittedSubtrees: new asn1X509.GeneralSubtrees(permitted) }));
}

/**
 * Generate one certificate from its spec. `issuer` is the issuing certificate and key; absent
 * for a self-signed spec. Pure apart from key generation and the clock.
 */
export async function generate(spec: CertSpec, issuer?: Material, now = Date.now()): Promise<Material> {
  const keys = await generateKeyPair(spec.key);
  const notBefore = new Date(now + spec.notBeforeDays * DAY_MS);
  const notAfter = new Date(now + spec.notAfterDays * DAY_MS);
  // A revoked spec keeps one serial per issuer: the CRL a server loaded once still names its renewals.
  const serialNumber = spec.revoked && issuer ? revokedSerial(spec.name, issuer.certPem) : '01' + randomBytes(15).toString('hex');
  const extensions = extensionsFor(spec);
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));

  let signer: { key: CryptoKey; algorithm: Algorithm };
  let issuerName: string;
  if (spec.issuer === 'self' || !issuer) {
    const pkcs8 = await subtle.exportKey('pkcs8', keys.privateKey);
    signer = await importSigningKey(toPem(pkcs8, 'PRIVATE KEY'), spec.signatureHash);
    issuerName = spec.subject;
  } else {
    signer = await importSigningKey(issuer.keyPem, spec.signatureHash);
    const issuerCert = new x509.X509Certificate(issuer.certPem);
    issuerName = issuerCert.subject;
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuerCert, false));
  }

  const cert = await x509.X509CertificateGenerator.create({
    serialNumber,
    subject: spec.subject,
    issuer: issuerName,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: signer.key,
    signingAlgorithm: signer.algorithm,
    extensions,
  });
  const pkcs8 = await subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem') + '\n', keyPem: toPem(pkcs8, 'PRIVATE KEY') };
}
