import { createRequire } from 'node:module';
import { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1 from '@peculiar/asn1-x509';
import * as asn1js from 'asn1js';
import { DN_ATTRIBUTE_TYPES, escapeDnValue } from '../profile/distinguished-name.js';

/**
 * The facts of one certificate that the policy rules read, parsed with the ASN.1 schemas alone
 * (@peculiar/asn1-x509) and node:crypto for the key: about 45 ms less start-up than loading
 * @peculiar/x509 and its dependency-injection container on every run. What this table does not
 * know (an unusual signature algorithm, a PEM string) falls back to @peculiar/x509, loaded only
 * then. The subject string is formatted exactly as @peculiar/x509's Name#toString (tested), so
 * identity rules read the same either way.
 */

export interface CertificateFacts {
  subject: string;
  commonName: string | null;
  sanUris: string[];
  eku: string[] | null;
  keyType: 'rsa' | 'ec' | 'ed25519' | 'other';
  keyBits: number;
  signatureHash: string;
  notBefore: Date;
  notAfter: Date;
  /** basicConstraints cA TRUE (RFC 5280 §4.2.1.9). */
  ca: boolean;
}

/** Short attribute names by OID, as subjects are printed. */
const ATTRIBUTE_NAMES: Record<string, string> = Object.fromEntries(DN_ATTRIBUTE_TYPES.map(([short, , oid]) => [oid, short]));

/** Signature algorithm OID -> hash (RFC 3279, RFC 4055, RFC 5758, RFC 8410). */
const SIGNATURE_HASH: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  // EdDSA signs without a separate hash.
  '1.3.101.112': 'unknown',
};

const CURVE_BITS: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };

export function formatName(name: asn1.Name): string {
  return name
    .map((rdn) =>
      rdn
        .map((atv) => {
          const type = ATTRIBUTE_NAMES[atv.type] ?? atv.type;
          const value = atv.value.anyValue ? `#${Buffer.from(atv.value.anyValue).toString('hex')}` : escapeDnValue(atv.value.toString());
          return `${type}=${value}`;
        })
        .join('+'),
    )
    .join(', ');
}

const requireCjs = createRequire(import.meta.url);

/** The slow path: @peculiar/x509, for what the table above does not cover (and the tests' oracle). */
export function factsByPeculiar(der: Uint8Array | string): CertificateFacts {
  requireCjs('reflect-metadata');
  const x509 = requireCjs('@peculiar/x509') as typeof import('@peculiar/x509');
  const { webcrypto } = requireCjs('node:crypto') as typeof import('node:crypto');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const cert = new x509.X509Certificate(der as unknown as string);
  const ekuExt = cert.getExtension(x509.ExtendedKeyUsageExtension);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const alg = cert.publicKey.algorithm as { name: string; modulusLength?: number; namedCurve?: string };
  const keyType = alg.name.startsWith('RSA') ? 'rsa' : alg.name === 'ECDSA' || alg.name === 'ECDH' ? 'ec' : alg.name === 'Ed25519' ? 'ed25519' : 'other';
  const curveBits = /^P-(256|384|521)$/.exec(alg.namedCurve ?? '')?.[1];
  const keyBits = keyType === 'rsa' ? (alg.modulusLength ?? 0) : keyType === 'ec' ? Number(curveBits ?? 0) : keyType === 'ed25519' ? 256 : 0;
  const sigAlg = cert.signatureAlgorithm as { hash?: { name: string } };
  return {
    subject: cert.subject,
    commonName: cert.subjectName.getField('CN')[0] ?? null,
    sanUris: san ? san.names.items.filter((n) => n.type === 'url').map((n) => n.value) : [],
    eku: ekuExt ? ekuExt.usages.map(String) : null,
    keyType,
    keyBits,
    signatureHash: (sigAlg.hash?.name ?? 'unknown').toLowerCase().replace('-', ''),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    ca: cert.getExtension(x509.BasicConstraintsExtension)?.ca ?? false,
  };
}

const FACTS = new Map<string, CertificateFacts>();

/**
 * Memoised by the certificate's bytes: a run judges the same peer certificate in a dozen cases, and
 * a reference server sees the same client certificates on every connection.
 */
export function certificateFacts(der: Uint8Array | string): CertificateFacts {
  const key = typeof der === 'string' ? der : Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const known = FACTS.get(key);
  if (known) return known;
  const facts = readFacts(der);
  if (FACTS.size >= 512) FACTS.delete(FACTS.keys().next().value!);
  FACTS.set(key, facts);
  return facts;
}

function readFacts(der: Uint8Array | string): CertificateFacts {
  if (typeof der === 'string') return factsByPeculiar(der);
  const cert = AsnConvert.parse(der, asn1.Certificate);
  const tbs = cert.tbsCertificate;
  const hash = SIGNATURE_HASH[cert.signatureAlgorithm.algorithm];
  if (hash === undefined) return factsByPeculiar(der);
  const ext = (oid: string) => tbs.extensions?.find((e) => e.extnID === oid)?.extnValue.buffer;
  const ekuDer = ext(asn1.id_ce_extKeyUsage);
  const sanDer = ext(asn1.id_ce_subjectAltName);
  const bcDer = ext(asn1.id_ce_basicConstraints);
  const key = new X509Certificate(der).publicKey;
  const t = key.asymmetricKeyType;
  const keyType = t === 'rsa' || t === 'rsa-pss' ? 'rsa' : t === 'ec' ? 'ec' : t === 'ed25519' ? 'ed25519' : 'other';
  const d = key.asymmetricKeyDetails ?? {};
  // An EC curve we cannot size (brainpool, ...) gets 0 bits, so the minimum fails rather than passing silently.
  const keyBits = keyType === 'rsa' ? (d.modulusLength ?? 0) : keyType === 'ec' ? (CURVE_BITS[d.namedCurve ?? ''] ?? 0) : keyType === 'ed25519' ? 256 : 0;
  const cn = tbs.subject.flatMap((rdn) => rdn.filter((atv) => atv.type === '2.5.4.3')).map((atv) => atv.value.toString());
  return {
    subject: formatName(tbs.subject),
    commonName: cn[0] ?? null,
    sanUris: sanDer ? AsnConvert.parse(sanDer, asn1.SubjectAlternativeName).flatMap((n) => (n.uniformResourceIdentifier !== undefined ? [n.uniformResourceIdentifier] : [])) : [],
    eku: ekuDer ? AsnConvert.parse(ekuDer, asn1.ExtendedKeyUsage).map(String) : null,
    keyType,
    keyBits,
    signatureHash: hash,
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    ca: bcDer ? AsnConvert.parse(bcDer, asn1.BasicConstraints).cA : false,
  };
}

/**
 * The issuer Name of a DER certificate, as its bytes (RFC 5280 §4.1: tbsCertificate holds
 * [0] version OPTIONAL, serialNumber, signature, issuer, ...). Read with asn1js's schema-less
 * parser: a full @peculiar/asn1-x509 parse cost ~11 ms a case for one field.
 */
export function issuerDer(der: Buffer): Buffer | null {
  const { result, offset } = asn1js.fromBER(der);
  if (offset === -1 || !(result instanceof asn1js.Sequence)) return null;
  const tbs = result.valueBlock.value[0];
  if (!(tbs instanceof asn1js.Sequence)) return null;
  const fields = tbs.valueBlock.value;
  // A context-specific [0] first is the version; without it the certificate is v1.
  const issuer = fields[fields[0]?.idBlock.tagClass === 3 ? 3 : 2];
  return issuer instanceof asn1js.Sequence ? Buffer.from(issuer.valueBeforeDecodeView) : null;
}
