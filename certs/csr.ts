import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { DEFAULT_SPEC, type Eku, type KeyKind, type San, type SignatureHash } from './spec.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/**
 * Certificate signing requests (PKCS#10, RFC 2986) declared as data, like CertSpec: a spec states
 * only what it varies; the defaults are DEFAULT_SPEC's, so a CSR and a certificate made without
 * variation describe the same subject and key.
 */

export interface CsrSpec {
  /** RFC 4514 DN, e.g. `CN=api.example.com, O=Example, C=DE`. */
  subject: string;
  key: KeyKind;
  /** Requested subjectAltName (extensionRequest attribute, RFC 2985 §5.4.2); none when empty. */
  sans: San[];
  /** Requested EKU; null requests none. */
  eku: Eku[] | null;
  signatureHash: SignatureHash;
  /** Corrupt the self-signature, so that RFC 2986 §4.2 proof of possession fails. */
  tamper: boolean;
}

export const DEFAULT_CSR_SPEC: CsrSpec = {
  subject: DEFAULT_SPEC.subject,
  key: DEFAULT_SPEC.key,
  sans: DEFAULT_SPEC.sans,
  eku: null,
  signatureHash: DEFAULT_SPEC.signatureHash,
  tamper: false,
};

export function csrSpecOf(variation: Partial<CsrSpec> = {}): CsrSpec {
  return { ...DEFAULT_CSR_SPEC, ...variation };
}

/** A CSR with its private key, both PEM, and the CSR's DER. */
export interface CsrMaterial {
  csrPem: string;
  csrDer: Uint8Array;
  keyPem: string;
}

type CreateParams = Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[0];
type KeyParams = webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams | { name: 'Ed25519' };

function keyParams(kind: KeyKind, hash: SignatureHash): { gen: KeyParams; sign: webcrypto.Algorithm | webcrypto.EcdsaParams } {
  if (kind === 'ed25519') return { gen: { name: 'Ed25519' }, sign: { name: 'Ed25519' } };
  if (kind === 'ec-p256' || kind === 'ec-p384') {
    return { gen: { name: 'ECDSA', namedCurve: kind === 'ec-p256' ? 'P-256' : 'P-384' }, sign: { name: 'ECDSA', hash } as webcrypto.EcdsaParams };
  }
  // A WebCrypto RSA key carries its hash (PLATFORM.md): generate it for the hash it signs with.
  const gen = { name: 'RSASSA-PKCS1-v1_5', modulusLength: Number(kind.slice(4)), publicExponent: new Uint8Array([1, 0, 1]), hash };
  return { gen, sign: { name: 'RSASSA-PKCS1-v1_5', hash } as webcrypto.Algorithm };
}

function toPem(der: Uint8Array | ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der as ArrayBuffer).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/**
 * RFC 2986 §4.2: CertificationRequest ::= SEQUENCE { certificationRequestInfo, signatureAlgorithm,
 * signature BIT STRING }. The signature is the last field, so the DER's last byte is the last byte
 * of the signature value: flipping it keeps the structure parseable and breaks only the signature.
 */
export function tamperSignature(der: Uint8Array): Uint8Array {
  const out = Uint8Array.from(der);
  out[out.length - 1] = out[out.length - 1]! ^ 0xff;
  return out;
}

export async function generateCsr(variation: Partial<CsrSpec> = {}): Promise<CsrMaterial> {
  const spec = csrSpecOf(variation);
  const { gen, sign } = keyParams(spec.key, spec.signatureHash);
  const keys = (await webcrypto.subtle.generateKey(gen as webcrypto.RsaHashedKeyGenParams, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const extensions: x509.Extension[] = [];
  if (spec.sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(spec.sans.map((s) => ({ type: s.type, value: s.value }))));
  if (spec.eku) {
    extensions.push(new x509.ExtendedKeyUsageExtension(spec.eku.map((e) => (e === 'serverAuth' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth))));
  }
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: spec.subject,
    keys: keys as unknown as CreateParams['keys'],
    signingAlgorithm: sign as CreateParams['signingAlgorithm'],
    extensions,
  });
  let der: Uint8Array = new Uint8Array(csr.rawData);
  if (spec.tamper) der = tamperSignature(der);
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { csrPem: toPem(der, 'CERTIFICATE REQUEST'), csrDer: der, keyPem: toPem(pkcs8, 'PRIVATE KEY') };
}
