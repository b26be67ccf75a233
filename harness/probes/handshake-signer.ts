import { constants, createPrivateKey, generateKeyPairSync, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { HarnessError, quote } from '../errors.js';

/**
 * The harness's side of client authentication in a hand-written handshake: the chain it presents
 * and the key that signs CertificateVerify, with the signature schemes that key can use in TLS 1.3
 * (RFC 8446 §4.2.3) and TLS 1.2 (RFC 5246 §7.4.1.4.1, RFC 8422 §5.1.3).
 */

/** RFC 8446 §4.2.3 SignatureScheme names (the TLS 1.2 SignatureAndHashAlgorithm pairs share the code points). */
export const SIGNATURE_SCHEMES: Readonly<Record<number, string>> = {
  0x0401: 'rsa_pkcs1_sha256',
  0x0501: 'rsa_pkcs1_sha384',
  0x0601: 'rsa_pkcs1_sha512',
  0x0403: 'ecdsa_secp256r1_sha256',
  0x0503: 'ecdsa_secp384r1_sha384',
  0x0603: 'ecdsa_secp521r1_sha512',
  0x0804: 'rsa_pss_rsae_sha256',
  0x0805: 'rsa_pss_rsae_sha384',
  0x0806: 'rsa_pss_rsae_sha512',
  0x0807: 'ed25519',
  0x0808: 'ed448',
  0x0809: 'rsa_pss_pss_sha256',
  0x080a: 'rsa_pss_pss_sha384',
  0x080b: 'rsa_pss_pss_sha512',
  0x0201: 'rsa_pkcs1_sha1',
  0x0203: 'ecdsa_sha1',
};

export function schemeName(code: number): string {
  return SIGNATURE_SCHEMES[code] ?? `0x${code.toString(16).padStart(4, '0')}`;
}

export function probeInputError(what: string): HarnessError {
  return new HarnessError('certificate-verify-input', `the certificate-verify probe cannot run: ${what}.`);
}

export interface Signer {
  /** `ec-p256`, `ec-p384`, `ec-p521`, `ed25519`, `ed448`, `rsa-2048`, `rsa-pss-2048`. */
  keyType: string;
  /** Schemes this key can sign CertificateVerify with in TLS 1.3, harness preference first. */
  tls13: number[];
  /** Likewise in TLS 1.2, where ECDSA's hash is not tied to the curve and RSA may use PKCS #1 v1.5. */
  tls12: number[];
  sign(scheme: number, content: Buffer): Buffer;
}

const CURVES: Record<string, { kind: string; scheme: number }> = {
  prime256v1: { kind: 'ec-p256', scheme: 0x0403 },
  secp384r1: { kind: 'ec-p384', scheme: 0x0503 },
  secp521r1: { kind: 'ec-p521', scheme: 0x0603 },
};
const ECDSA = [0x0403, 0x0503, 0x0603];
const HASH: Record<number, string> = {
  0x0403: 'sha256',
  0x0503: 'sha384',
  0x0603: 'sha512',
  0x0401: 'sha256',
  0x0501: 'sha384',
  0x0601: 'sha512',
  0x0804: 'sha256',
  0x0805: 'sha384',
  0x0806: 'sha512',
  0x0809: 'sha256',
  0x080a: 'sha384',
  0x080b: 'sha512',
};
/** RFC 8446 §4.2.3: RSASSA-PSS with a salt as long as the digest. */
const SALT: Record<string, number> = { sha256: 32, sha384: 48, sha512: 64 };

export function signerFor(keyPem: string): Signer {
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw probeInputError(`signingKeyPem is not a PEM private key (${(err as Error).message})`);
  }
  const type = key.asymmetricKeyType;
  if (type === 'ec') {
    const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!curve) throw probeInputError(`the signing key is on curve ${quote(key.asymmetricKeyDetails?.namedCurve)}; TLS signs with P-256, P-384 or P-521 (RFC 8446 §4.2.3)`);
    // ECDSA signatures are DER ECDSA-Sig-Value (RFC 8446 §4.2.3, RFC 8422 §5.4); TLS 1.3 fixes the curve by the scheme.
    return {
      keyType: curve.kind,
      tls13: [curve.scheme],
      tls12: [curve.scheme, ...ECDSA.filter((s) => s !== curve.scheme)],
      sign: (scheme, content) => sign(HASH[scheme]!, content, { key, dsaEncoding: 'der' }),
    };
  }
  if (type === 'ed25519' || type === 'ed448') {
    const scheme = type === 'ed25519' ? 0x0807 : 0x0808;
    return { keyType: type, tls13: [scheme], tls12: [scheme], sign: (_s, content) => sign(null, content, key) };
  }
  if (type === 'rsa' || type === 'rsa-pss') {
    // RFC 8446 §4.2.3: TLS 1.3 signs CertificateVerify with PSS only; an rsaEncryption key uses
    // rsa_pss_rsae_*, an RSASSA-PSS key rsa_pss_pss_*. TLS 1.2 also allows PKCS #1 v1.5.
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    const pss = type === 'rsa' ? [0x0804, 0x0805, 0x0806] : [0x0809, 0x080a, 0x080b];
    return {
      keyType: `${type}-${bits}`,
      tls13: pss,
      tls12: type === 'rsa' ? [...pss, 0x0401, 0x0501, 0x0601] : pss,
      sign: (scheme, content) => {
        const hash = HASH[scheme]!;
        if (scheme >> 8 === 0x08) return sign(hash, content, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: SALT[hash]! });
        return sign(hash, content, { key, padding: constants.RSA_PKCS1_PADDING });
      },
    };
  }
  throw probeInputError(`the signing key is of type ${quote(type)}; use an EC (P-256/P-384/P-521), Ed25519, Ed448 or RSA key`);
}

/** The first scheme of the server's list (its preference) that the key can sign, or undefined. */
export function pickScheme(offered: number[], mine: number[]): number | undefined {
  return offered.find((s) => mine.includes(s));
}

/** A fresh private key (PKCS#8 PEM) of the same type and size as `keyPem`: the "other key" of a wrong-key run. */
export function freshKeyLike(keyPem: string): string {
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw probeInputError(`the key to imitate is not a PEM private key (${(err as Error).message})`);
  }
  const d = key.asymmetricKeyDetails ?? {};
  const pem = (k: KeyObject) => k.export({ type: 'pkcs8', format: 'pem' }) as string;
  switch (key.asymmetricKeyType) {
    case 'ec':
      return pem(generateKeyPairSync('ec', { namedCurve: d.namedCurve! }).privateKey);
    case 'ed25519':
      return pem(generateKeyPairSync('ed25519').privateKey);
    case 'ed448':
      return pem(generateKeyPairSync('ed448').privateKey);
    case 'rsa':
      return pem(generateKeyPairSync('rsa', { modulusLength: d.modulusLength! }).privateKey);
    case 'rsa-pss':
      return pem(generateKeyPairSync('rsa-pss', { modulusLength: d.modulusLength! }).privateKey);
    default:
      throw probeInputError(`cannot make a key like one of type ${quote(key.asymmetricKeyType)}`);
  }
}

/** The certificates of a PEM bundle, in order. */
export function chainOf(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw probeInputError('certChainPem holds no PEM certificate');
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (err) {
      throw probeInputError(`certificate ${i + 1} of certChainPem does not parse (${(err as Error).message})`);
    }
  });
}
