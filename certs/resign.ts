import 'reflect-metadata';
import { createPrivateKey, sign } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import type { CertSpec, SignatureHash } from './spec.js';

/**
 * Encodings @peculiar/x509's generator refuses to make (a zero or negative serial, a version 1
 * certificate), made by editing a generated certificate's TBSCertificate and signing it again
 * with the same key and algorithm. The algorithm identifiers stay as generated, so the edit
 * changes only what the spec asks for.
 */

/** Whether a spec asks for an edit `resign` makes. */
export function needsResign(spec: CertSpec): boolean {
  return spec.serialRaw !== undefined || spec.version === 1;
}

/** The edited certificate as PEM. `signerKeyPem` is the key that signed `certPem` (the issuer's, or its own when self-signed). */
export function resign(certPem: string, spec: CertSpec, signerKeyPem: string): string {
  const der = Buffer.from(certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const cert = AsnConvert.parse(der, asn1X509.Certificate);
  const tbs = cert.tbsCertificate;
  if (spec.serialRaw !== undefined) {
    // The INTEGER's content octets as given: `00` is zero, a first octet >= 0x80 is negative (RFC 5280 §4.1.2.2 forbids both).
    if (!/^([0-9a-f]{2})+$/i.test(spec.serialRaw)) throw new Error(`spec "${spec.name}": serialRaw "${spec.serialRaw}" is not whole octets of hex`);
    tbs.serialNumber = new Uint8Array(Buffer.from(spec.serialRaw, 'hex')).buffer;
  }
  if (spec.version === 1) {
    // RFC 5280 §4.1.2.1: a v1 certificate has no extensions (so no basicConstraints: it cannot be a CA by them).
    tbs.version = asn1X509.Version.v1;
    tbs.extensions = undefined;
  }
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  cert.signatureValue = new Uint8Array(signatureOver(tbsDer, signerKeyPem, spec.signatureHash, spec.signatureScheme ?? 'pkcs1')).buffer;
  const out = Buffer.from(AsnConvert.serialize(cert)).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${out.replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

export function signatureOver(data: Buffer, keyPem: string, hash: SignatureHash, scheme: 'pkcs1' | 'pss'): Buffer {
  const key = createPrivateKey(keyPem);
  const digest = hash.replace('-', '').toLowerCase();
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return sign(null, data, key);
    case 'ec':
      // X.509 carries ECDSA signatures DER-encoded (RFC 5758 §3.2), not as WebCrypto's r||s.
      return sign(digest, data, { key, dsaEncoding: 'der' });
    case 'rsa':
      return scheme === 'pss'
        ? sign(digest, data, { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: hash === 'SHA-384' ? 48 : hash === 'SHA-1' ? 20 : 32 })
        : sign(digest, data, key);
    default:
      throw new Error(`cannot re-sign with a ${key.asymmetricKeyType} key`);
  }
}
