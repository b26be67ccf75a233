import { describe, expect, test } from 'vitest';
import { ianaName, isTls13Suite, opensslName } from './cipher-suites.js';
import { IANA_CIPHER_SUITES } from './iana-cipher-suites.js';
import { SUITE_CODES, suiteByCode, suiteByName } from './suite-codes.js';

describe('cipher suite names from one table', () => {
  test('every OpenSSL name maps back to its IANA name and forth again', () => {
    const named = SUITE_CODES.filter((s) => s.openssl !== null);
    expect(named.length).toBeGreaterThan(90);
    for (const s of named) {
      expect(ianaName(s.openssl!)).toBe(s.name);
      expect(opensslName(s.name)).toBe(s.openssl);
    }
  });

  test('OpenSSL names are unique, so the reverse look-up is not ambiguous', () => {
    const names = SUITE_CODES.flatMap((s) => (s.openssl ? [s.openssl] : []));
    expect(new Set(names).size).toBe(names.length);
  });

  test('code points are the registry’s', () => {
    const registry = new Map(IANA_CIPHER_SUITES.map((s) => [s.name, s.code]));
    for (const s of SUITE_CODES) expect(s.code, s.name).toBe(registry.get(s.name));
    expect(suiteByName('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')?.code).toBe(0xc02f);
    expect(suiteByCode(0x000a)?.openssl).toBe('DES-CBC3-SHA');
  });

  test('ianaName takes IANA, OpenSSL and draft names and trims; unknown is null', () => {
    expect(ianaName(' ECDHE-RSA-AES128-GCM-SHA256 ')).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    expect(ianaName('TLS_PSK_WITH_CHACHA20_POLY1305_SHA256')).toBe('TLS_PSK_WITH_CHACHA20_POLY1305_SHA256');
    expect(ianaName('TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305')).toBe('TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256');
    expect(ianaName('ECDHE-RSA-AES128-GCM-SHA257')).toBeNull();
  });

  test('opensslName is null where OpenSSL never had the suite', () => {
    expect(opensslName('TLS_NULL_WITH_NULL_NULL')).toBeNull();
    expect(opensslName('TLS_GOSTR341112_256_WITH_MAGMA_MGM_L')).toBeNull();
    expect(opensslName('TLS_AES_256_GCM_SHA384')).toBe('TLS_AES_256_GCM_SHA384');
  });

  test('isTls13Suite reads the registry', () => {
    expect(isTls13Suite('TLS_AES_128_GCM_SHA256')).toBe(true);
    expect(isTls13Suite('TLS_SHA256_SHA256')).toBe(true);
    expect(isTls13Suite('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')).toBe(false);
  });
});
