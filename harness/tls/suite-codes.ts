/**
 * TLS cipher suite code points (IANA "TLS Cipher Suites" registry; RFC 5246 App. A.5, RFC 4492,
 * RFC 5289, RFC 6655, RFC 7905, RFC 8446 §B.4, RFC 2712/4346 for the EXPORT ones) with the
 * OpenSSL name where OpenSSL ever had one: the one source of the IANA <-> OpenSSL names
 * (cipher-suites.ts derives its look-ups from it). Data only: the raw ClientHello prober offers
 * these by number, so it can ask about suites the local OpenSSL no longer implements (RC4, 3DES,
 * DES, EXPORT), and `suiteTraits` says what each one is from its IANA name.
 */

export type SuiteVersion = 'SSLv3' | 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

import { IANA_CIPHER_SUITES } from './iana-cipher-suites.js';

export interface SuiteCode {
  code: number;
  /** IANA name. */
  name: string;
  /** OpenSSL's name (from the release that last had it), or null when OpenSSL never implemented it. */
  openssl: string | null;
}

// [IANA name, OpenSSL name]: the one table of OpenSSL's names (cipher-suites.ts reads it too).
// The code point comes from the registry (iana-cipher-suites.ts), so a name here that the registry
// does not hold fails at load.
const TABLE: [string, string | null][] = [
  // TLS 1.3 (RFC 8446 §B.4)
  ['TLS_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256'],
  ['TLS_AES_256_GCM_SHA384', 'TLS_AES_256_GCM_SHA384'],
  ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'],
  ['TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_SHA256'],
  ['TLS_AES_128_CCM_8_SHA256', 'TLS_AES_128_CCM_8_SHA256'],

  // ECDHE with AEAD (RFC 5289, RFC 7905, RFC 7251)
  ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
  ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256'],
  ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-AES256-GCM-SHA384'],
  ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
  ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305'],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM', 'ECDHE-ECDSA-AES128-CCM'],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_CCM', 'ECDHE-ECDSA-AES256-CCM'],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 'ECDHE-ECDSA-AES128-CCM8'],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8', 'ECDHE-ECDSA-AES256-CCM8'],

  // DHE with AEAD (RFC 5288, RFC 6655, RFC 7905)
  ['TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 'DHE-RSA-AES128-GCM-SHA256'],
  ['TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'DHE-RSA-AES256-GCM-SHA384'],
  ['TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'DHE-RSA-CHACHA20-POLY1305'],
  ['TLS_DHE_RSA_WITH_AES_128_CCM', 'DHE-RSA-AES128-CCM'],
  ['TLS_DHE_RSA_WITH_AES_256_CCM', 'DHE-RSA-AES256-CCM'],
  ['TLS_DHE_DSS_WITH_AES_128_GCM_SHA256', 'DHE-DSS-AES128-GCM-SHA256'],
  ['TLS_DHE_DSS_WITH_AES_256_GCM_SHA384', 'DHE-DSS-AES256-GCM-SHA384'],

  // ECDHE with CBC (RFC 4492, RFC 5289)
  ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'ECDHE-ECDSA-AES128-SHA256'],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384', 'ECDHE-ECDSA-AES256-SHA384'],
  ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'ECDHE-RSA-AES128-SHA256'],
  ['TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 'ECDHE-RSA-AES256-SHA384'],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'ECDHE-ECDSA-AES128-SHA'],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'ECDHE-ECDSA-AES256-SHA'],
  ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'ECDHE-RSA-AES128-SHA'],
  ['TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'ECDHE-RSA-AES256-SHA'],

  // DHE with CBC
  ['TLS_DHE_RSA_WITH_AES_128_CBC_SHA256', 'DHE-RSA-AES128-SHA256'],
  ['TLS_DHE_RSA_WITH_AES_256_CBC_SHA256', 'DHE-RSA-AES256-SHA256'],
  ['TLS_DHE_RSA_WITH_AES_128_CBC_SHA', 'DHE-RSA-AES128-SHA'],
  ['TLS_DHE_RSA_WITH_AES_256_CBC_SHA', 'DHE-RSA-AES256-SHA'],
  ['TLS_DHE_DSS_WITH_AES_128_CBC_SHA256', 'DHE-DSS-AES128-SHA256'],
  ['TLS_DHE_DSS_WITH_AES_256_CBC_SHA256', 'DHE-DSS-AES256-SHA256'],
  ['TLS_DHE_DSS_WITH_AES_128_CBC_SHA', 'DHE-DSS-AES128-SHA'],
  ['TLS_DHE_DSS_WITH_AES_256_CBC_SHA', 'DHE-DSS-AES256-SHA'],
  ['TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA', 'DHE-RSA-CAMELLIA128-SHA'],
  ['TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA', 'DHE-RSA-CAMELLIA256-SHA'],

  // Static RSA key exchange: no forward secrecy (RFC 5246, RFC 5288, RFC 6655, RFC 5932, RFC 6209)
  ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'AES128-GCM-SHA256'],
  ['TLS_RSA_WITH_AES_256_GCM_SHA384', 'AES256-GCM-SHA384'],
  ['TLS_RSA_WITH_AES_128_CCM', 'AES128-CCM'],
  ['TLS_RSA_WITH_AES_256_CCM', 'AES256-CCM'],
  ['TLS_RSA_WITH_AES_128_CCM_8', 'AES128-CCM8'],
  ['TLS_RSA_WITH_ARIA_128_GCM_SHA256', 'ARIA128-GCM-SHA256'],
  ['TLS_RSA_WITH_ARIA_256_GCM_SHA384', 'ARIA256-GCM-SHA384'],
  ['TLS_RSA_WITH_AES_128_CBC_SHA256', 'AES128-SHA256'],
  ['TLS_RSA_WITH_AES_256_CBC_SHA256', 'AES256-SHA256'],
  ['TLS_RSA_WITH_AES_128_CBC_SHA', 'AES128-SHA'],
  ['TLS_RSA_WITH_AES_256_CBC_SHA', 'AES256-SHA'],
  ['TLS_RSA_WITH_CAMELLIA_128_CBC_SHA', 'CAMELLIA128-SHA'],
  ['TLS_RSA_WITH_CAMELLIA_256_CBC_SHA', 'CAMELLIA256-SHA'],
  ['TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256', 'CAMELLIA128-SHA256'],
  ['TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256', 'CAMELLIA256-SHA256'],
  ['TLS_RSA_WITH_SEED_CBC_SHA', 'SEED-SHA'],
  ['TLS_RSA_WITH_IDEA_CBC_SHA', 'IDEA-CBC-SHA'],

  // Static ECDH (certificate-bound key, no forward secrecy; removed from OpenSSL in 1.1.0)
  ['TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA', 'ECDH-ECDSA-AES128-SHA'],
  ['TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA', 'ECDH-ECDSA-AES256-SHA'],
  ['TLS_ECDH_RSA_WITH_AES_128_CBC_SHA', 'ECDH-RSA-AES128-SHA'],
  ['TLS_ECDH_RSA_WITH_AES_256_CBC_SHA', 'ECDH-RSA-AES256-SHA'],

  // 3DES (Sweet32; RFC 5246, RFC 4492)
  ['TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'DES-CBC3-SHA'],
  ['TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA', 'DHE-RSA-DES-CBC3-SHA'],
  ['TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA', 'DHE-DSS-DES-CBC3-SHA'],
  ['TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', 'ECDHE-RSA-DES-CBC3-SHA'],
  ['TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA', 'ECDHE-ECDSA-DES-CBC3-SHA'],

  // RC4 (prohibited by RFC 7465)
  ['TLS_RSA_WITH_RC4_128_MD5', 'RC4-MD5'],
  ['TLS_RSA_WITH_RC4_128_SHA', 'RC4-SHA'],
  ['TLS_ECDHE_RSA_WITH_RC4_128_SHA', 'ECDHE-RSA-RC4-SHA'],
  ['TLS_ECDHE_ECDSA_WITH_RC4_128_SHA', 'ECDHE-ECDSA-RC4-SHA'],

  // single DES (RFC 5469 deprecates)
  ['TLS_RSA_WITH_DES_CBC_SHA', 'DES-CBC-SHA'],
  ['TLS_DHE_RSA_WITH_DES_CBC_SHA', 'EDH-RSA-DES-CBC-SHA'],
  ['TLS_DHE_DSS_WITH_DES_CBC_SHA', 'EDH-DSS-DES-CBC-SHA'],

  // EXPORT (40-bit; RFC 4346 §A.5: TLS 1.1 must not negotiate them)
  ['TLS_RSA_EXPORT_WITH_RC4_40_MD5', 'EXP-RC4-MD5'],
  ['TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5', 'EXP-RC2-CBC-MD5'],
  ['TLS_RSA_EXPORT_WITH_DES40_CBC_SHA', 'EXP-DES-CBC-SHA'],
  ['TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA', 'EXP-EDH-RSA-DES-CBC-SHA'],
  ['TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA', 'EXP-EDH-DSS-DES-CBC-SHA'],
  ['TLS_DH_anon_EXPORT_WITH_RC4_40_MD5', 'EXP-ADH-RC4-MD5'],
  ['TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA', 'EXP-ADH-DES-CBC-SHA'],

  // NULL encryption (no confidentiality)
  ['TLS_NULL_WITH_NULL_NULL', null],
  ['TLS_RSA_WITH_NULL_MD5', 'NULL-MD5'],
  ['TLS_RSA_WITH_NULL_SHA', 'NULL-SHA'],
  ['TLS_RSA_WITH_NULL_SHA256', 'NULL-SHA256'],
  ['TLS_ECDHE_ECDSA_WITH_NULL_SHA', 'ECDHE-ECDSA-NULL-SHA'],
  ['TLS_ECDHE_RSA_WITH_NULL_SHA', 'ECDHE-RSA-NULL-SHA'],
  ['TLS_ECDH_anon_WITH_NULL_SHA', 'AECDH-NULL-SHA'],

  // Anonymous (no server authentication)
  ['TLS_DH_anon_WITH_AES_128_CBC_SHA', 'ADH-AES128-SHA'],
  ['TLS_DH_anon_WITH_AES_256_CBC_SHA', 'ADH-AES256-SHA'],
  ['TLS_DH_anon_WITH_AES_128_CBC_SHA256', 'ADH-AES128-SHA256'],
  ['TLS_DH_anon_WITH_AES_256_CBC_SHA256', 'ADH-AES256-SHA256'],
  ['TLS_DH_anon_WITH_AES_128_GCM_SHA256', 'ADH-AES128-GCM-SHA256'],
  ['TLS_DH_anon_WITH_AES_256_GCM_SHA384', 'ADH-AES256-GCM-SHA384'],
  ['TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA', 'ADH-CAMELLIA128-SHA'],
  ['TLS_DH_anon_WITH_3DES_EDE_CBC_SHA', 'ADH-DES-CBC3-SHA'],
  ['TLS_DH_anon_WITH_RC4_128_MD5', 'ADH-RC4-MD5'],
  ['TLS_DH_anon_WITH_DES_CBC_SHA', 'ADH-DES-CBC-SHA'],
  ['TLS_ECDH_anon_WITH_AES_128_CBC_SHA', 'AECDH-AES128-SHA'],
  ['TLS_ECDH_anon_WITH_AES_256_CBC_SHA', 'AECDH-AES256-SHA'],
  ['TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA', 'AECDH-DES-CBC3-SHA'],
  ['TLS_ECDH_anon_WITH_RC4_128_SHA', 'AECDH-RC4-SHA'],
];

/** Signalling values that travel in the cipher suite list but are not suites (RFC 5746 §3.3, RFC 7507). */
export const TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;
export const TLS_FALLBACK_SCSV = 0x5600;

const REGISTRY_BY_CODE = new Map(IANA_CIPHER_SUITES.map((s) => [s.code, s]));
const REGISTRY_BY_NAME = new Map(IANA_CIPHER_SUITES.map((s) => [s.name, s]));

export const SUITE_CODES: readonly SuiteCode[] = TABLE.map(([name, openssl]) => {
  const code = REGISTRY_BY_NAME.get(name)?.code;
  if (code === undefined) throw new Error(`suite-codes: "${name}" is not in the IANA registry table`);
  return { code, name, openssl };
});

const BY_CODE = new Map(SUITE_CODES.map((s) => [s.code, s]));
const BY_NAME = new Map(SUITE_CODES.map((s) => [s.name, s]));

/** The IANA name of a code point (this table, else the whole registry), or undefined when unassigned. */
export function suiteName(code: number): string | undefined {
  if (code === TLS_EMPTY_RENEGOTIATION_INFO_SCSV) return 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV';
  if (code === TLS_FALLBACK_SCSV) return 'TLS_FALLBACK_SCSV';
  return BY_CODE.get(code)?.name ?? REGISTRY_BY_CODE.get(code)?.name;
}

/** The code point of an IANA registry name, or undefined. */
export function registryCode(name: string): number | undefined {
  return REGISTRY_BY_NAME.get(name)?.code;
}

export function suiteByCode(code: number): SuiteCode | undefined {
  return BY_CODE.get(code);
}

export function suiteByName(name: string): SuiteCode | undefined {
  return BY_NAME.get(name);
}

/** `0x002f` */
export function hexCode(code: number): string {
  return `0x${code.toString(16).padStart(4, '0')}`;
}

export type SuiteWeakness = 'rc4' | '3des' | 'des' | 'export' | 'null' | 'anon' | 'static-rsa' | 'static-ecdh' | 'static-dh' | 'cbc' | 'md5' | 'idea' | 'seed';

export interface SuiteTraits {
  /** Key exchange as the name states it. */
  kx: 'tls13' | 'ecdhe' | 'dhe' | 'rsa' | 'ecdh' | 'dh' | 'dh-anon' | 'ecdh-anon' | 'psk' | 'srp' | 'krb5' | 'other' | 'null';
  aead: boolean;
  /**
   * The oldest protocol version that defines the suite: SHA-256/384 MACs and AEAD ciphers need
   * TLS 1.2 (RFC 5246 §7.4.1.4.1 PRF), ECC suites need the RFC 4492 extensions (TLS 1.0).
   */
  minVersion: SuiteVersion;
  /** EXPORT suites stop at TLS 1.0 (RFC 4346 §A.5); TLS 1.3 suites only exist in TLS 1.3. */
  maxVersion: SuiteVersion;
  weaknesses: SuiteWeakness[];
}

/** Key exchange by name prefix, first match wins (PSK before the families it combines with). */
const KEY_EXCHANGES: [RegExp, SuiteTraits['kx']][] = [
  [/^TLS_(PSK|DHE_PSK|RSA_PSK|ECDHE_PSK|PSK_DHE)_/, 'psk'],
  [/^TLS_SRP_/, 'srp'],
  [/^TLS_KRB5_/, 'krb5'],
  [/^TLS_(GOSTR|ECCPWD)/, 'other'],
  [/^TLS_ECDHE_/, 'ecdhe'],
  [/^TLS_DHE_/, 'dhe'],
  [/^TLS_RSA_/, 'rsa'],
  [/^TLS_ECDH_anon_/, 'ecdh-anon'],
  [/^TLS_ECDH_/, 'ecdh'],
  [/^TLS_DH_anon_/, 'dh-anon'],
  [/^TLS_DH_(DSS|RSA)_/, 'dh'],
];

const TRAITS = new Map<string, SuiteTraits>();

/** What a suite is, read from its IANA name (the registry's names are systematic). Memoised: sweeps rank the registry often. */
export function suiteTraits(name: string): SuiteTraits {
  let t = TRAITS.get(name);
  if (!t) TRAITS.set(name, (t = readTraits(name)));
  return t;
}

function readTraits(name: string): SuiteTraits {
  if (/^TLS_(AES|CHACHA20)_/.test(name)) return { kx: 'tls13', aead: true, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', weaknesses: [] };
  // The other TLS 1.3-only registry entries: SM4 (RFC 8998), integrity-only (RFC 9150), GOST MGM (RFC 9367), AEGIS.
  if (REGISTRY_BY_NAME.get(name)?.tls13) return { kx: 'tls13', aead: !/^TLS_SHA(256|384)_/.test(name), minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', weaknesses: /^TLS_SHA(256|384)_/.test(name) ? ['null'] : [] };
  const kx = KEY_EXCHANGES.find(([re]) => re.test(name))?.[1] ?? 'null';
  const aead = /_GCM_|_CCM|_CHACHA20_POLY1305/.test(name);
  const w: SuiteWeakness[] = [];
  if (/_RC4_/.test(name)) w.push('rc4');
  if (/_3DES_/.test(name)) w.push('3des');
  if (/_DES_CBC_|_DES40_/.test(name)) w.push('des');
  if (/_EXPORT_/.test(name)) w.push('export');
  if (/_WITH_NULL_/.test(name) || name === 'TLS_NULL_WITH_NULL_NULL') w.push('null');
  if (kx === 'dh-anon' || kx === 'ecdh-anon' || kx === 'null') w.push('anon');
  if (kx === 'rsa') w.push('static-rsa');
  if (kx === 'ecdh') w.push('static-ecdh');
  if (kx === 'dh') w.push('static-dh');
  if (/_CBC_/.test(name)) w.push('cbc');
  if (/_MD5$/.test(name)) w.push('md5');
  if (/_IDEA_/.test(name)) w.push('idea');
  if (/_SEED_/.test(name)) w.push('seed');
  const minVersion: SuiteVersion = aead || /_SHA(256|384)$/.test(name) ? 'TLSv1.2' : kx === 'ecdhe' || kx === 'ecdh' || kx === 'ecdh-anon' ? 'TLSv1' : 'SSLv3';
  const maxVersion: SuiteVersion = w.includes('export') ? 'TLSv1' : 'TLSv1.2';
  return { kx, aead, minVersion, maxVersion, weaknesses: w };
}

const ORDER: SuiteVersion[] = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** Whether a suite is defined at a protocol version (by `suiteTraits`' min and max). */
export function suiteFitsVersion(name: string, version: SuiteVersion): boolean {
  const t = suiteTraits(name);
  const v = ORDER.indexOf(version);
  return ORDER.indexOf(t.minVersion) <= v && v <= ORDER.indexOf(t.maxVersion);
}
