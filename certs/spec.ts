/**
 * Certificates declared as data. A spec states only what it varies from DEFAULT_SPEC;
 * `specOf` fills in the rest, so every default lives here and nowhere else.
 */

import type { RawName } from './raw-names.js';

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
  /** RFC 7633 TLS feature extension naming status_request (5): "OCSP must-staple". */
  mustStaple?: boolean;
  /** On a CA: how the harness publishes revocation for what it issues (certs/revocation-data.ts; the client/revocation cases). */
  revocationService?: RevocationService;
  /** nameConstraints (RFC 5280 §4.2.1.10), critical: the subtrees the names below this CA must fall in. */
  nameConstraints?: NameConstraintsSpec;
  /** A critical extension of a private OID no validator knows (RFC 5280 §4.2: it must then refuse the certificate). */
  unknownCriticalExtension?: boolean;

  // The corpus fields (issue 16). Every one is optional; absent keeps the behaviour above, so a
  // spec written before them generates the same certificate.

  /**
   * keyUsage bits exactly as listed (RFC 5280 §4.2.1.3), replacing the derived default (CA:
   * keyCertSign+cRLSign+digitalSignature; leaf: digitalSignature, +keyEncipherment for RSA).
   * null: no keyUsage extension at all. `[]` is not allowed (an empty BIT STRING says nothing).
   */
  keyUsage?: KeyUsageBit[] | null;
  /** keyUsage critical flag; default true (RFC 5280 §4.2.1.3: SHOULD be critical). */
  keyUsageCritical?: boolean;
  /**
   * Extra EKU OIDs after `eku` (e.g. anyExtendedKeyUsage `2.5.29.37.0`, emailProtection
   * `1.3.6.1.5.5.7.3.4`, codeSigning `1.3.6.1.5.5.7.3.3`). With `eku: null` the extension holds
   * only these; `eku: []` with none here is an empty EKU (limbo rfc5280::eku::ee-eku-empty).
   */
  ekuOids?: string[];
  /** extKeyUsage critical flag; default false. */
  ekuCritical?: boolean;
  /** basicConstraints critical flag; default: critical on a CA (RFC 5280 §4.2.1.9), as before. */
  basicConstraintsCritical?: boolean;
  /** nameConstraints critical flag; default true (RFC 5280 §4.2.1.10 MUST; the Web PKI tolerates false). */
  nameConstraintsCritical?: boolean;
  /** subjectAltName critical flag; default false (RFC 5280 §4.2.1.6: critical only with an empty subject). */
  sanCritical?: boolean;
  /**
   * How the issuer signs this certificate when its key is RSA: `pkcs1` (RSASSA-PKCS1-v1_5, the
   * default) or `pss` (RSASSA-PSS, RFC 4055, salt length = hash length). Ignored for EC/Ed25519 issuers.
   */
  signatureScheme?: 'pkcs1' | 'pss';
  /**
   * The subject key is an RSASSA-PSS key (SPKI algorithm id-RSASSA-PSS, RFC 4055 §1.2) instead of
   * rsaEncryption; `key` must be `rsa-*`. Such a key can sign TLS handshakes (rsa_pss_pss_*), but
   * not certificates here: WebCrypto will not import it, so a PSS-key spec cannot be an issuer.
   */
  pssKey?: boolean;
  /** subjectKeyIdentifier: present (default), absent, or present and critical (RFC 5280 §4.2.1.2: MUST be non-critical). */
  ski?: 'present' | 'absent' | 'critical';
  /**
   * authorityKeyIdentifier on an issued certificate: present (default, the issuer's key id),
   * absent, mismatched (a key id that is not the issuer's), or critical (RFC 5280 §4.2.1.1).
   */
  aki?: 'present' | 'absent' | 'mismatched' | 'critical';
  /** Seconds added to notBeforeDays / notAfterDays: validity edges finer than a day (limbo rfc5280::validity::*-1-second). */
  notBeforeSeconds?: number;
  notAfterSeconds?: number;
  /**
   * Reuse the key pair of the spec with this name (generated first): a cross-signed or re-issued
   * CA is the same subject and key under another issuer (BetterTLS path building, RFC 4158 §2.4).
   */
  keyOf?: string;
  /** certificatePolicies OIDs, non-critical (RFC 5280 §4.2.1.4); absent: no extension. */
  policies?: string[];
  /**
   * Serial number as hex (big-endian, positive, not all zero: @peculiar/x509 refuses zero and
   * negative serials); e.g. 21 octets for the RFC 5280 §4.1.2.2 "no longer than 20 octets" case.
   */
  serialHex?: string;
  /**
   * The serial's DER INTEGER content octets exactly, hex: `00` is zero, `ff` is -1 (RFC 5280
   * §4.1.2.2: positive, non-zero). Made by re-signing the generated certificate (certs/resign.ts).
   */
  serialRaw?: string;
  /** 1: a version 1 certificate, without extensions (limbo webpki::v1-cert). Absent: version 3. */
  version?: 1 | 3;
  /**
   * GeneralNames appended to subjectAltName as raw bytes: context tag 0-15, primitive, value in
   * hex, whether or not the tag's type allows that (BetterTLS's SAN smuggling: the host in an
   * unexpected tag, `bad, DNS:good`, a NUL byte inside a dNSName, an address as text in iPAddress).
   */
  sanRaw?: RawName[];
  /**
   * Subtree bases appended to nameConstraints as raw GeneralNames (certs/raw-names.ts), beside or
   * instead of `nameConstraints`: a constraint whose bytes no typed form makes (an iPAddress of 9
   * octets, an address with host bits set under its mask). Critical unless nameConstraintsCritical.
   */
  nameConstraintsRaw?: { permitted?: RawName[]; excluded?: RawName[] };
}

/** keyUsage bits by their RFC 5280 §4.2.1.3 names. */
export type KeyUsageBit =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

/**
 * Subtrees of a name-constrained CA (RFC 5280 §4.2.1.10). Forms: DNS names (`example.com` is the
 * name and every name below it; `.example.com` only names below it), IP ranges as CIDR (v4 or v6),
 * URIs by host (`spiffe.example` is that host exactly, `.example.com` any host below; for a SPIFFE
 * ID `spiffe://td/...` the host is the trust domain), rfc822 names (`user@host` one mailbox,
 * `host` every mailbox at it, `.host` every mailbox below it), directory names (RFC 4514).
 */
export interface NameConstraintsSpec {
  permittedDns?: string[];
  permittedIps?: string[];
  permittedDirectoryNames?: string[];
  permittedUris?: string[];
  permittedEmails?: string[];
  excludedDns?: string[];
  excludedIps?: string[];
  excludedDirectoryNames?: string[];
  excludedUris?: string[];
  excludedEmails?: string[];
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

/**
 * How the harness publishes revocation for what one CA issues, set on the CA's spec (default: a
 * fresh CRL in the bundle and at the distribution point, OCSP answered truthfully, stapled when asked).
 * The client/revocation cases give each variant a CA of its own, so the variant touches no other case.
 */
export interface RevocationService {
  /**
   * published (default): in trust/*-crl.pem and at the CDP. stale: the same, but nextUpdate has
   * passed (RFC 5280 §5.1.2.5, §6.3.3 (a)). silent: the certificates name a CDP that accepts the
   * connection and never answers; the CRL is in no bundle. none: no CDP, no CRL anywhere.
   */
  crl?: 'published' | 'stale' | 'silent' | 'none';
  /**
   * answer (default): good / revoked as the plan says. unknown: every answer is `unknown` (RFC 6960
   * §2.2). bad-signature: `good`, with a signature that does not verify (RFC 6960 §3.2 (2)). silent:
   * accepted, never answered. none: no OCSP URL in the certificates.
   */
  ocsp?: 'answer' | 'unknown' | 'bad-signature' | 'silent' | 'none';
  /** Whether a reference server staples an OCSP response for these certificates when asked (default true; never for silent/none). */
  staple?: boolean;
  /**
   * How this CA's CRL departs from a conforming one (the deep `crl` family; certs/crl.ts). Absent: a
   * conforming CRL. A shaped CRL goes into the suite's own bundles only (certs/crl-store.ts).
   */
  crlShape?: CrlShape;
}

/** A CRL entry's reasonCode (RFC 5280 §5.3.1), or `none`: the entry carries no reasonCode. */
export type CrlReason = 'none' | 'keyCompromise' | 'certificateHold' | 'removeFromCRL';

/**
 * One CA's CRL, varied from the conforming one (RFC 5280 §5) in the ways x509-limbo's CRL cases
 * vary it. Every field is optional; each states one departure.
 */
export interface CrlShape {
  /** thisUpdate (RFC 5280 §5.1.2.4) in days from generation; default an hour before it. */
  thisUpdateDays?: number;
  /** nextUpdate (RFC 5280 §5.1.2.5) in days from generation; default CRL_VALID_DAYS after it. */
  nextUpdateDays?: number;
  /** Signed by a key that is not the CA's; the issuer name and authority key identifier still claim the CA (RFC 5280 §6.3.3 (g)). */
  foreignKey?: boolean;
  /** The signature's hash (default SHA-256). */
  signatureHash?: SignatureHash;
  /** A private extension (RFC 7229 id-TEST arc) on the CRL itself (RFC 5280 §5.2). */
  unknownExtension?: 'critical' | 'non-critical';
  /** cRLNumber (RFC 5280 §5.2.3: MUST be present, non-critical) left out or marked critical. */
  crlNumber?: 'absent' | 'critical';
  /**
   * issuingDistributionPoint (RFC 5280 §5.2.5), critical. `distributionPoint`: `issued` names the
   * CDP URLs of the certificates this CA issued; `other` a URL none of them names.
   */
  idp?: { onlyContainsUserCerts?: boolean; onlyContainsCACerts?: boolean; onlyContainsAttributeCerts?: boolean; distributionPoint?: 'issued' | 'other' };
  /** reasonCode of every entry; default keyCompromise. */
  reason?: CrlReason;
  /** A private extension on every entry (RFC 5280 §5.3). */
  entryExtension?: 'critical' | 'non-critical';
  /** revocationDate of every entry in days from generation; default thisUpdate. */
  revocationDateDays?: number;
  /** Serials (hex) listed besides the certificates marked revoked: unrelated ones, or another CA's certificate. */
  extraSerials?: string[];
  /** That many further entries, serials derived from the CA (a large CRL); they carry `reason`, not `entryExtension`. */
  fillerEntries?: number;
  /** Every entry listed twice. */
  duplicateEntries?: boolean;
  /**
   * A delta CRL (RFC 5280 §5.2.4) published beside the complete one, in the bundles only: it lists
   * every entry again with reasonCode removeFromCRL (a hold released, §5.3.1).
   */
  deltaReleases?: boolean;
}
