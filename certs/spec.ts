/**
 * Certificates declared as data. A spec states only what it varies from DEFAULT_SPEC;
 * `specOf` fills in the rest, so every default lives here and nowhere else.
 */

export type KeyKind = 'ec-p256' | 'ec-p384' | 'rsa-1024' | 'rsa-2048' | 'rsa-3072' | 'rsa-4096' | 'ed25519';
export type Eku = 'serverAuth' | 'clientAuth';
export type SignatureHash = 'SHA-1' | 'SHA-256' | 'SHA-384';
export type San = { type: 'dns' | 'ip' | 'uri' | 'email'; value: string };

export interface CertSpec {
  /** File stem and key in the store: `client/expired` etc. */
  name: string;
  /** RFC 4514 DN, e.g. `CN=conformance-client, O=mtls-conformance`. */
  subject: string;
  sans: San[];
  key: KeyKind;
  /** Validity as day offsets from the moment of generation. */
  notBeforeDays: number;
  notAfterDays: number;
  /** null: no EKU extension at all (RFC 5280 §4.2.1.12: then any purpose is allowed). */
  eku: Eku[] | null;
  /** basicConstraints cA; null leaves the extension out. */
  ca: boolean | null;
  pathLength?: number;
  /** Assert keyCertSign in keyUsage without being a CA: isolates the basicConstraints check. */
  keyCertSign?: boolean;
  signatureHash: SignatureHash;
  /** Name of the issuing spec, or 'self' for a self-signed certificate. */
  issuer: string;
  /**
   * Which issuers a peer presenting this leaf sends after it, by spec name. The default
   * is none: a leaf issued straight by a root needs nothing more.
   */
  sendChain: string[];
  /** CRL distribution point (RFC 5280 §4.2.1.13), an http URL on 127.0.0.1; absent: no extension. */
  crlUrl?: string;
  /** OCSP responder in authorityInfoAccess (RFC 5280 §4.2.2.1); absent: no extension. */
  ocspUrl?: string;
  /**
   * Listed in its issuer's CRL and answered `revoked` by the OCSP responder. Its serial is derived
   * from its name and issuer, so a renewed leaf keeps the serial a server's loaded CRL names.
   */
  revoked?: boolean;
  /** nameConstraints (RFC 5280 §4.2.1.10), critical: the subtrees the names below this CA must fall in. */
  nameConstraints?: NameConstraintsSpec;
  /** A critical extension of a private OID no validator knows (RFC 5280 §4.2: it must then refuse the certificate). */
  unknownCriticalExtension?: boolean;
}

/** Permitted subtrees of a name-constrained CA: DNS names, IP ranges (CIDR), directory names (RFC 4514). */
export interface NameConstraintsSpec {
  permittedDns: string[];
  permittedIps: string[];
  permittedDirectoryNames: string[];
}

export const DEFAULT_SPEC: Omit<CertSpec, 'name' | 'issuer'> = {
  subject: 'CN=conformance-client, O=mtls-conformance',
  sans: [],
  key: 'ec-p256',
  // A day of slack before "now" keeps a fresh certificate valid on a peer whose clock lags; the
  // whole period stays 365 days, so a profile with maxValidityDays: 365 accepts our own leaves.
  notBeforeDays: -1,
  notAfterDays: 364,
  eku: ['clientAuth'],
  ca: false,
  signatureHash: 'SHA-256',
  sendChain: [],
};

export type SpecVariation = Partial<CertSpec> & Pick<CertSpec, 'name' | 'issuer'>;

export function specOf(variation: SpecVariation): CertSpec {
  return { ...DEFAULT_SPEC, ...variation };
}

/** A CA: what differs from a leaf is the same for every CA we make. */
export function caSpec(variation: SpecVariation): CertSpec {
  return specOf({ eku: null, ca: true, notBeforeDays: -1, notAfterDays: 3650, ...variation });
}

export function isRsa(kind: KeyKind): boolean {
  return kind.startsWith('rsa-');
}

export function rsaBits(kind: KeyKind): number | null {
  return isRsa(kind) ? Number(kind.slice(4)) : null;
}
