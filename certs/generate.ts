import 'reflect-metadata';
import { createPrivateKey, createPublicKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { CertSpec, KeyKind, SignatureHash } from './spec.js';

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
      (spec.keyCertSign ? x509.KeyUsageFlags.keyCertSign : 0);
  exts.push(new x509.KeyUsagesExtension(usage, true));
  if (spec.eku) {
    const oids = spec.eku.map((e) => (e === 'serverAuth' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth));
    exts.push(new x509.ExtendedKeyUsageExtension(oids, false));
  }
  if (spec.sans.length > 0) {
    exts.push(new x509.SubjectAlternativeNameExtension(spec.sans.map((s) => ({ type: s.type, value: s.value }))));
  }
  return exts;
}

/**
 * Generate one certificate from its spec. `issuer` is the issuing certificate and key; absent
 * for a self-signed spec. Pure apart from key generation and the clock.
 */
export async function generate(spec: CertSpec, issuer?: Material, now = Date.now()): Promise<Material> {
  const keys = await generateKeyPair(spec.key);
  const notBefore = new Date(now + spec.notBeforeDays * DAY_MS);
  const notAfter = new Date(now + spec.notAfterDays * DAY_MS);
  const serialNumber = '01' + randomBytes(15).toString('hex');
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
