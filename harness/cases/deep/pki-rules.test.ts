import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { Expectation, ResolvedCase, Severity } from '../../model.js';
import { loadProfile } from '../../profile/load.js';
import { profileSchema, type PkiRules, type Profile } from '../../profile/schema.js';
import { resolveCases } from '../resolve.js';

// certificates.rules (issue 16 §2: "where RFC 5280 and the Web PKI disagree, a profile field
// chooses"): each disagreement case under each value, for both roles.

type Row = Record<PkiRules, `${Expectation}/${Severity}`>;

function withRules(base: Profile, rules: PkiRules, certificates: Partial<Profile['certificates']> = {}): Profile {
  return profileSchema.parse({ ...base, certificates: { ...base.certificates, ...certificates, rules } });
}

function resolved(profile: Profile): Map<string, ResolvedCase> {
  return new Map(resolveCases(profile, undefined, 'deep').filter((c) => c.suite === 'deep').map((c) => [c.id, c]));
}

const intermediate = loadProfile('intermediate').profile;

/**
 * Under the built-in `intermediate` profile (client certificates: eku any; server certificates: eku
 * required). `either` is what every profile got before the field existed.
 */
const INTERMEDIATE: Record<string, Row> = {
  'basic-constraints/ca1-non-critical': { either: 'accept/info', rfc5280: 'accept/required', webpki: 'reject/required' },
  'basic-constraints/ca2-non-critical': { either: 'accept/info', rfc5280: 'accept/required', webpki: 'reject/required' },
  'basic-constraints/leaf-ca-true': { either: 'reject/info', rfc5280: 'accept/required', webpki: 'reject/required' },
  'key-usage/ca-no-keyusage': { either: 'accept/info', rfc5280: 'accept/required', webpki: 'reject/required' },
  'eku/leaf-any-and-right': { either: 'accept/recommended', rfc5280: 'accept/required', webpki: 'reject/required' },
  'eku/leaf-critical': { either: 'accept/info', rfc5280: 'accept/required', webpki: 'reject/required' },
  // RFC 5280 is silent on EKU in CA certificates: the chained-EKU cases are recommended.
  'eku/ca-any': { either: 'accept/info', rfc5280: 'accept/recommended', webpki: 'reject/required' },
  'extensions/leaf-san-critical': { either: 'accept/info', rfc5280: 'accept/required', webpki: 'reject/required' },
};
/** Cases the profile's own rules decide under the rfc5280 reading when they need what the certificate lacks. */
const BY_ROLE: Record<'server' | 'client', Record<string, Row>> = {
  server: {
    ...INTERMEDIATE,
    'basic-constraints/ca-as-leaf': { either: 'reject/info', rfc5280: 'accept/required', webpki: 'reject/required' },
    'eku/leaf-absent': { either: 'accept/recommended', rfc5280: 'accept/required', webpki: 'reject/required' },
    // §4.2.1.12: an application that needs a purpose MAY refuse anyExtendedKeyUsage alone.
    'eku/leaf-any-only': { either: 'accept/info', rfc5280: 'accept/recommended', webpki: 'reject/required' },
    'encoding/leaf-version-1': { either: 'reject/info', rfc5280: 'accept/required', webpki: 'reject/required' },
  },
  client: {
    ...INTERMEDIATE,
    // certificates.server.eku: required refuses a certificate that does not list serverAuth, whatever the reading.
    'basic-constraints/ca-as-leaf': { either: 'reject/info', rfc5280: 'reject/required', webpki: 'reject/required' },
    'eku/leaf-absent': { either: 'reject/required', rfc5280: 'reject/required', webpki: 'reject/required' },
    'eku/leaf-any-only': { either: 'accept/info', rfc5280: 'reject/required', webpki: 'reject/required' },
    'encoding/leaf-version-1': { either: 'reject/info', rfc5280: 'reject/required', webpki: 'reject/required' },
  },
};

const of = (c: ResolvedCase | undefined) => `${c?.expect}/${c?.severity}`;

describe('certificates.rules under the intermediate profile', () => {
  const by = Object.fromEntries((['either', 'rfc5280', 'webpki'] as const).map((r) => [r, resolved(withRules(intermediate, r))])) as Record<PkiRules, Map<string, ResolvedCase>>;

  test('the default is either, and a profile without the field resolves as before', () => {
    expect(intermediate.certificates.rules).toBe('either');
    expect(profileSchema.parse({ name: 'x' }).certificates.rules).toBe('either');
    expect(() => profileSchema.parse({ name: 'x', certificates: { rules: 'rfc-5280' } })).toThrow(/either|rfc5280|webpki/);
  });

  for (const role of ['server', 'client'] as const) {
    test(`${role}: each disagreement case takes the chosen reading (required), or is information under either`, () => {
      for (const [name, row] of Object.entries(BY_ROLE[role])) {
        const id = `${role}/${name}`;
        for (const rules of ['either', 'rfc5280', 'webpki'] as const) {
          expect(of(by[rules].get(id)), `${id} under certificates.rules: ${rules}`).toBe(row[rules]);
        }
        const w = by.webpki.get(id)!;
        // The Web PKI reading cites the Baseline Requirements clause it comes from.
        expect(w.rationale, id).toMatch(/CA\/B BR §7\.1\.[0-9.]+/);
        expect(w.refs.some((r) => r.startsWith('CA/B BR §')), id).toBe(true);
        // Under either both readings are in the rationale.
        expect(by.either.get(id)!.rationale, id).toMatch(/RFC 5280 (accepts|refuses): .*the Web PKI \(CA\/B BR\) (accepts|refuses): /i);
      }
    });

    test(`${role}: no other case of the corpus depends on certificates.rules (pedantic cases stay information)`, () => {
      const moved = [...by.either.keys()].filter((id) => id.startsWith(`${role}/`) && ['rfc5280', 'webpki'].some((r) => of(by[r as PkiRules].get(id)) !== of(by.either.get(id))));
      const differ = Object.entries(BY_ROLE[role]).filter(([, row]) => new Set(Object.values(row)).size > 1);
      expect(moved.sort()).toEqual(differ.map(([n]) => `${role}/${n}`).sort());
      for (const id of [`${role}/encoding/serial-zero`, `${role}/key-identifiers/leaf-aki-absent`, `${role}/key-usage/leaf-keycertsign-not-ca`, `${role}/path-length/self-issued-not-counted`]) {
        for (const r of ['rfc5280', 'webpki'] as const) expect(of(by[r].get(id)), `${id} under ${r}`).toBe(of(by.either.get(id)));
        expect(by.either.get(id)!.severity, id).toBe('info');
      }
    });
  }
});

describe('the profile\'s own rules still refuse under the rfc5280 reading', () => {
  test('EKU exclusive refuses anyExtendedKeyUsage beside the purpose; EKU any lets the RFC 5280 reading stand', () => {
    const exclusive = resolved(withRules(intermediate, 'rfc5280', { client: { ...intermediate.certificates.client, eku: 'exclusive' } }));
    expect(of(exclusive.get('server/eku/leaf-any-and-right'))).toBe('reject/required');
    expect(exclusive.get('server/eku/leaf-any-and-right')!.rationale).toMatch(/certificates\.client\.eku: exclusive/);
    expect(of(exclusive.get('server/eku/leaf-any-only'))).toBe('reject/required');
    const any = resolved(withRules(intermediate, 'rfc5280', { server: { ...intermediate.certificates.server, eku: 'any' } }));
    expect(of(any.get('client/eku/leaf-any-only'))).toBe('accept/recommended');
    expect(of(any.get('client/basic-constraints/ca-as-leaf'))).toBe('accept/required');
    // A v1 certificate has no SAN: a client that must match 127.0.0.1 refuses it under any reading.
    expect(of(any.get('client/encoding/leaf-version-1'))).toBe('reject/required');
    expect(any.get('client/encoding/leaf-version-1')!.rationale).toMatch(/no subjectAltName/);
    const noHost = resolved(withRules(intermediate, 'rfc5280', { server: { ...intermediate.certificates.server, eku: 'any', hostnameMatch: false } }));
    expect(of(noHost.get('client/encoding/leaf-version-1'))).toBe('accept/required');
  });

  test('a SAN URI identity refuses a v1 client certificate (it has no SAN)', () => {
    const p = profileSchema.parse({ ...intermediate, certificates: { ...intermediate.certificates, rules: 'rfc5280' }, clientIdentity: { match: 'san-uri', pattern: '^spiffe://', example: 'spiffe://partner/x' } });
    expect(of(resolved(p).get('server/encoding/leaf-version-1'))).toBe('reject/required');
  });
});

test('docs/profiles.md names every case certificates.rules decides', () => {
  const doc = readFileSync(new URL('../../../docs/profiles.md', import.meta.url), 'utf8');
  const names = new Set([...Object.keys(BY_ROLE.server), ...Object.keys(BY_ROLE.client)]);
  expect([...names].filter((n) => !doc.includes(`\`${n}\``))).toEqual([]);
});
