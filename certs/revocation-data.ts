import { createHash, randomInt, X509Certificate } from 'node:crypto';
import type { CertSpec, RevocationService } from './spec.js';

export type { RevocationService } from './spec.js';

/**
 * Revocation as data: which CA revokes what, where its CRL lives and where a relying party looks
 * for it. Pure apart from hashing (node:crypto); @peculiar/x509 is not needed to decide anything here.
 */

/** An OID under the id-TEST arc (RFC 7229, set aside for testing) that no validator implements as an extension. */
export const UNKNOWN_CRITICAL_OID = '1.3.6.1.5.5.7.13.42';

/** Ports for the CRL/OCSP responder are picked below Linux's ephemeral range, so an outgoing connection rarely holds one. */
export const RESPONDER_PORT_RANGE = [20000, 32000] as const;

export function pickResponderPort(): number {
  return randomInt(RESPONDER_PORT_RANGE[0], RESPONDER_PORT_RANGE[1]);
}

export const RESPONDER_HOST = '127.0.0.1';

/**
 * The path segment that names a certificate in its own URLs (`/c/<segment>/...`): its store name
 * with `/` as `.`, so a fetch in the responder's log belongs to one certificate, hence one case,
 * even while cases run at the same time.
 */
export function urlSegment(certName: string): string {
  return certName.replace(/\//g, '.').replace(/[^a-z0-9.-]/g, '-');
}

/** The CRL distribution point a certificate names (RFC 5280 §4.2.1.13): its issuer's CRL, under the certificate's own segment. */
export function crlUrlFor(port: number, ca: string, certName: string): string {
  return `http://${RESPONDER_HOST}:${port}/c/${urlSegment(certName)}/crl/${ca}.crl`;
}

/** The OCSP responder a certificate names (RFC 5280 §4.2.2.1), under its own segment. */
export function ocspUrlFor(port: number, certName: string): string {
  return `http://${RESPONDER_HOST}:${port}/c/${urlSegment(certName)}/ocsp`;
}


/** Whether a CA's CRL goes into the bundles handed to relying parties. */
export function crlInBundle(service: RevocationService | undefined): boolean {
  return !service?.crl || service.crl === 'published';
}

/**
 * The serial of a revoked spec: the same for every renewal under one issuer, so a CRL a server
 * loaded once keeps naming it (RFC 5280 §5.3: a CRL identifies a certificate by issuer and serial).
 */
export function revokedSerial(name: string, issuerCertPem: string): string {
  const issuerDer = new X509Certificate(issuerCertPem).raw;
  return '7e' + createHash('sha256').update('mtls-conformance revoked\0').update(name).update('\0').update(issuerDer).digest('hex').slice(0, 30);
}

/** The CAs that issue something in the matrix: each gets a CRL. */
export function issuingCas(specs: CertSpec[]): string[] {
  const issuers = new Set(specs.map((s) => s.issuer).filter((i) => i !== 'self'));
  return specs.filter((s) => issuers.has(s.name)).map((s) => s.name);
}

/** The root a spec chains to (following issuer names), or its own name when self-signed. */
export function rootOf(specs: CertSpec[], name: string, byName: ReadonlyMap<string, CertSpec> = new Map(specs.map((s) => [s.name, s]))): string {
  let cur = byName.get(name);
  for (let i = 0; cur && cur.issuer !== 'self' && i < 16; i++) cur = byName.get(cur.issuer);
  return cur?.name ?? name;
}

/** What decides a CRL's content: the CA certificate and the serials it revokes. */
export function crlContentHash(caCertPem: string, serials: string[]): string {
  return createHash('sha256').update(caCertPem).update([...serials].sort().join(',')).digest('hex');
}

/** Where a relying party is told to find revocation information, and what the responder serves. */
export interface RevocationStore {
  /** Port of the CRL/OCSP responder on 127.0.0.1, fixed when the directory was made. */
  port: number;
  /**
   * Per CA: its CRL, DER (served at the CDP URL) and PEM. `shaped`: it departs from a conforming CRL
   * on purpose (CrlShape); `deltaPem`: a delta CRL published beside it, in the bundles only.
   */
  crls: Record<string, { derPath: string; pemPath: string; pem: string; shaped?: true; deltaPem?: string }>;
  /** Every current CRL of the client CA's hierarchy (nginx ssl_crl, HAProxy crl-file; s_server: trust/client-ca-with-crls.pem as -CAfile). */
  clientCrlFile: string;
  /** Every current CRL of the server CA's hierarchy ({crl}, CONFORMANCE_CRL_FILE: curl --crlfile, Node's crl option). */
  serverCrlFile: string;
  /** A case's own CRL file, by leaf store name, where its chain has a CA with a stale CRL: the bundle and that CRL. */
  caseCrlFiles: Record<string, string>;
  /** What the responder serves for a run. */
  plan: RevocationPlan;
}

/**
 * What the responder needs for a run, as plain data: the CRLs it serves, the CAs it signs OCSP
 * answers for (with their keys: the responder is the harness's own), and every serial issued.
 */
export interface RevocationPlan {
  port: number;
  crls: { ca: string; derBase64: string }[];
  cas: { name: string; certPem: string; keyPem: string | null; service?: RevocationService }[];
  issued: { name: string; issuer: string; serial: string; revoked: boolean }[];
}

const issuedIndex = new WeakMap<RevocationPlan, Map<string, RevocationPlan['issued'][number]>>();

/**
 * A plan's entry for one certificate, by store name: looked up per case (staples, a case's chain),
 * and a deep or exhaustive plan lists thousands, so the index is built once per plan.
 */
export function issuedNamed(plan: RevocationPlan, name: string): RevocationPlan['issued'][number] | undefined {
  let index = issuedIndex.get(plan);
  if (!index) issuedIndex.set(plan, (index = new Map(plan.issued.map((i) => [i.name, i]))));
  return index.get(name);
}

/** Serial of a PEM certificate, upper-case hex without separators (node's X509Certificate form). */
export function serialOf(certPem: string): string {
  return new X509Certificate(certPem).serialNumber.toUpperCase();
}
