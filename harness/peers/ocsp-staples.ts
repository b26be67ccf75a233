import { issuedNamed, type RevocationPlan } from '../../certs/revocation-data.js';

/**
 * The OCSP responses a reference server staples (RFC 6066 §8), made once per run and certificate:
 * the client case probe and the `serve` matrix both staple from here.
 */

/**
 * With a staple, a leaf issued straight by the root is sent with the root: a client verifying a
 * stapled response (curl --cert-status) computes its CertID from the issuer in the chain the server
 * sent, not from its trust store. RFC 8446 §4.4.2 lets a server send the trust anchor; validators ignore it.
 */
export function issuerToSend(revocation: RevocationPlan, certName: string, chainPem: string): string {
  const issuer = issuedNamed(revocation, certName)?.issuer;
  const ca = revocation.cas.find((c) => c.name === issuer);
  const sent = chainPem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
  return ca && sent === 1 && (issuer === 'server-ca' || issuer === 'client-ca') ? ca.certPem : '';
}

const staples = new WeakMap<RevocationPlan, Map<string, Promise<Buffer | undefined>>>();

/** The OCSP response the reference server staples for a certificate when the client asks (RFC 6066 §8): good, or revoked for server/revoked. */
export function stapleFor(revocation: RevocationPlan, certName: string): Promise<Buffer | undefined> {
  let cache = staples.get(revocation);
  if (!cache) staples.set(revocation, (cache = new Map()));
  if (!cache.has(certName)) {
    const issued = issuedNamed(revocation, certName);
    // The ASN.1 code loads only when a client case runs with revocation material.
    cache.set(certName, issued ? import('./ocsp.js').then((m) => m.ocspResponseFor(revocation, issued.issuer, issued.serial) ?? undefined) : Promise.resolve(undefined));
  }
  return cache.get(certName)!;
}
