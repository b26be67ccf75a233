/**
 * TLS cipher suite names: IANA (RFC 8446 §B.4, RFC 5289, RFC 7905, RFC 5246) and OpenSSL's.
 * Profiles accept either; everything inside the harness uses the IANA name. The pairs are not
 * declared here: they come from the one table in suite-codes.ts, and the registry names from
 * iana-cipher-suites.ts.
 */

import { IANA_CIPHER_SUITES } from './iana-cipher-suites.js';
import { SUITE_CODES } from './suite-codes.js';

const NAMED = SUITE_CODES.filter((s): s is typeof s & { openssl: string } => s.openssl !== null);
const BY_IANA = new Map(NAMED.map((s) => [s.name, s.openssl]));
const BY_OPENSSL = new Map(NAMED.map((s) => [s.openssl, s.name]));
/** Pre-RFC 7905 draft names some policies still print (seed: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305"). */
const DRAFT_ALIASES: Record<string, string> = {
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
};

const REGISTRY = new Map(IANA_CIPHER_SUITES.map((s) => [s.name, s]));

/** The IANA name for an IANA registry, draft or OpenSSL name; null when unknown. */
export function ianaName(name: string): string | null {
  const n = name.trim();
  if (REGISTRY.has(n)) return n;
  return DRAFT_ALIASES[n] ?? BY_OPENSSL.get(n) ?? null;
}

/** OpenSSL's name for an IANA name; null when OpenSSL never had the suite (or the table does not list it). */
export function opensslName(iana: string): string | null {
  return BY_IANA.get(iana) ?? null;
}

export function isTls13Suite(iana: string): boolean {
  return REGISTRY.get(iana)?.tls13 ?? /^TLS_(AES|CHACHA20)_/.test(iana);
}
