import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../errors.js';
import { builtinProfileNames, loadProfile } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'mtls-profiles-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function errorOf(ref: string): UsageError {
  try {
    loadProfile(ref, dir);
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error(`expected ${ref} to be refused`);
}

describe('profiles', () => {
  test('built-ins load, validate and hash stably', () => {
    expect(builtinProfileNames()).toEqual(['intermediate', 'modern']);
    const a = loadProfile('modern');
    expect(a.profile.tls.versions).toEqual(['TLSv1.3']);
    expect(a.source).toBe('builtin:modern');
    expect(loadProfile('modern').sha256).toBe(a.sha256);
    expect(loadProfile('intermediate').sha256).not.toBe(a.sha256);
  });

  test('extends merges field by field; the child wins; JSON works as well as YAML', () => {
    const p = file('partner.json', JSON.stringify({ name: 'partner', extends: 'modern', certificates: { client: { minRsaBits: 4096 } } }));
    const { profile, source } = loadProfile(p);
    expect(source).toBe(p);
    expect(profile.certificates.client).toMatchObject({ minRsaBits: 4096, eku: 'exclusive' });
    expect(profile.tls.versions).toEqual(['TLSv1.3']);
  });

  test('cipher suites are accepted by IANA, draft or OpenSSL name and normalised to IANA', () => {
    const p = file('suites.yaml', 'name: x\ntls:\n  ciphers12: [ECDHE-RSA-AES128-GCM-SHA256, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305]\n');
    expect(loadProfile(p).profile.tls.ciphers12).toEqual(['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256']);
    const bad = file('badsuite.yaml', 'name: x\ntls:\n  ciphers13: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n');
    expect(errorOf(bad).message).toMatch(/field "tls\.ciphers13\.0": found "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": not a known TLS 1\.3 cipher suite/);
  });

  test('the hash ignores key order in the file', () => {
    const a = file('a.yaml', 'name: x\ntls:\n  versions: [TLSv1.3]\n  maxSessionLifetimeSeconds: 300\n');
    const b = file('b.yaml', 'tls:\n  maxSessionLifetimeSeconds: 300\n  versions: [TLSv1.3]\nname: x\n');
    expect(loadProfile(a).sha256).toBe(loadProfile(b).sha256);
  });

  test.each([
    ['unknown field', 'name: x\ncertificates:\n  client:\n    minRsaBit: 3072\n', /unknownfield\.yaml:4:5: field "certificates\.client": unknown field "minRsaBit" \(did you mean "minRsaBits"\?\)\. See docs/],
    ['a misspelt top-level field', 'name: x\nclientIdentty: {}\n', /:2:1: field "\(top level\)": unknown field "clientIdentty" \(did you mean "clientIdentity"\?\)/],
    ['a field nothing is near', 'name: x\ntls:\n  zzz: 1\n', /unknown field "zzz"\. See docs/],
    ['wrong type', 'name: x\ntls:\n  versions: TLSv1.3\n', /wrongtype\.yaml:3:3: field "tls\.versions": found "TLSv1\.3", expected array/],
    ['value not allowed', 'name: x\ntls:\n  versions: [TLSv1.4]\n', /field "tls\.versions\.0": found "TLSv1\.4", allowed: "TLSv1", "TLSv1\.1", "TLSv1\.2", "TLSv1\.3"/],
    ['bad regex', 'name: x\nclientIdentity:\n  match: cn\n  pattern: "(unclosed"\n  example: a\n', /field "clientIdentity\.pattern": found "\(unclosed": not a regular expression the linear-time engine \(RE2 syntax\) accepts: missing closing \)/],
    ['unknown extends', 'name: x\nextends: paranoid\n', /:2:1: field "extends": "paranoid" is neither a built-in profile/],
    ['not YAML', 'name: [x\n', /not valid YAML\/JSON/],
    ['not a mapping', '- a\n- b\n', /must be a mapping/],
  ])('%s is refused with file, line, column and field', (name, text, message) => {
    const p = file(`${name.replace(/\W/g, '')}.yaml`, text);
    const err = errorOf(p);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(message);
    expect(err.message.split('\n')).toHaveLength(1);
  });

  test('cyclic extends is refused', () => {
    file('one.yaml', 'name: one\nextends: ./two.yaml\n');
    file('two.yaml', 'name: two\nextends: ./one.yaml\n');
    const err = errorOf(join(dir, 'one.yaml'));
    expect(err.code).toBe('profile-extends-cycle');
    expect(err.message).toContain('one.yaml');
  });

  test('an unknown profile name lists the built-ins', () => {
    expect(errorOf('paranoid').message).toContain('intermediate, modern');
  });
});
