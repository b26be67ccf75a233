import { expect, test } from 'vitest';
import { catalogue } from '../catalogue.js';
import { loadProfile } from '../../profile/load.js';
import type { Profile } from '../../profile/schema.js';
import type { Role } from '../../model.js';
import pathBuilding from './path-building.js';

// The path-building family against what it mirrors: BetterTLS's 81 pathbuilding tests (indexes as
// x509-limbo imports them), each with the result BetterTLS expects.

const { profile } = loadProfile('intermediate');
const tcOf = (refs: string[]) => refs.map((r) => /^BetterTLS pathbuilding tc(\d+)$/.exec(r)?.[1]).filter((n): n is string => n !== undefined).map(Number);

/**
 * The tests BetterTLS expects to fail, from its provider's order: the six linear tests with the
 * one edge broken (twice: tc3-8 and tc10-15), the two-roots tests whose trusted root's edge is
 * broken (tc36-47), the bridge tests with the bridge → TA X or TA Z → bridge edge broken (tc69-80).
 */
const betterTlsFails = new Set([...range(3, 8), ...range(10, 15), ...range(36, 47), ...range(69, 80)]);
function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

for (const role of ['server', 'client'] as Role[]) {
  test(`${role}: every BetterTLS pathbuilding test (tc0-tc80) is mirrored, with the result BetterTLS expects`, () => {
    const entries = pathBuilding(role);
    const seen = new Set<number>();
    for (const e of entries) {
      for (const n of tcOf(e.refs)) {
        seen.add(n);
        expect(e.policy(profile).expect, `${e.name} mirrors tc${n}`).toBe(betterTlsFails.has(n) ? 'reject' : 'accept');
      }
      expect(e.refs, e.name).toEqual(expect.arrayContaining(['RFC 4158', 'RFC 5280 §6.1']));
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(range(0, 80));
  });
}

test('the family keeps its first 56 case ids and at least BetterTLS breadth per role', () => {
  for (const role of ['server', 'client'] as Role[]) {
    const ids = catalogue('deep').filter((c) => c.role === role && c.family === 'path-building').map((c) => c.id);
    expect(ids.length).toBeGreaterThanOrEqual(81 + 56);
    expect(ids.slice(0, 3)).toEqual([`${role}/path-building/expired-alt-issuer-bad-first`, `${role}/path-building/expired-alt-issuer-good-first`, `${role}/path-building/expired-alt-issuer-bad-only`]);
    expect(ids[55]).toBe(`${role}/path-building/chain-of-pain`);
    expect(new Set(ids).size).toBe(ids.length);
  }
});

test('a graph case sends every edge certificate but the leaf, in the graph order, with the anchor re-certified under its own name and key', () => {
  const bridge = pathBuilding('client').find((e) => e.name === 'bridge-pki-valid')!;
  const list = bridge.chain!.send!.list!;
  expect(list).toHaveLength(35);
  expect(list.slice(0, 2)).toEqual(['f-to-h', 'f-to-g']);
  expect(list.at(-1)).toBe('bridge-ca-to-ta-z');
  const intoAnchor = bridge.chain!.others!.find((o) => o.id === 'bridge-ca-to-ta-z')!;
  expect(intoAnchor.cert).toMatchObject({ keyOf: 'server-ca', subject: 'CN=mtls-conformance server CA, O=mtls-conformance' });
  // Every entity is certified by some edge: no self-signed certificate that is never sent.
  expect(bridge.chain!.others!.filter((o) => o.issuer === 'self')).toEqual([]);
  // Two roots: the untrusted root has no edge into it, so it is a self-signed certificate, not sent.
  const two = pathBuilding('server').find((e) => e.name === 'two-roots-anchor-second')!;
  expect(two.chain!.others!.filter((o) => o.issuer === 'self').map((o) => o.id)).toEqual(['root1']);
  expect(two.chain!.send!.list).toEqual(['root1-to-ica', 'root2-to-ica']);
  expect(two.chain!.others!.find((o) => o.id === 'root2-to-ica')!.issuer).toBe('client-ca');
});

test('severity: required where the first candidate issuer on the wire leads to the anchor, recommended where only backtracking finds the path', () => {
  const by = new Map(pathBuilding('server').map((e) => [e.name, e.policy(profile)]));
  expect(by.get('two-roots-anchor-first')).toMatchObject({ expect: 'accept', severity: 'required' });
  expect(by.get('two-roots-anchor-second')).toMatchObject({ expect: 'accept', severity: 'recommended' });
  expect(by.get('linear-trusted-ica-not-ca')).toMatchObject({ expect: 'accept', severity: 'required' });
  expect(by.get('figure-seven-valid')).toMatchObject({ expect: 'accept', severity: 'required' });
  expect(by.get('figure-seven-bad-eku-path-a-c-b')).toMatchObject({ expect: 'accept', severity: 'recommended' });
  expect(by.get('figure-seven-bad-eku-b-edges')).toMatchObject({ expect: 'reject', severity: 'required' });
  expect(by.get('bridge-pki-valid')).toMatchObject({ expect: 'accept', severity: 'recommended' });
  expect(by.get('bridge-pki-expired-l-to-n')).toMatchObject({ expect: 'reject', severity: 'required' });
});

test('a profile that allows SHA-1 turns a SHA-1 cut into an info acceptance, and leaves the other reasons refused', () => {
  const allow = (p: Profile): Profile => ({ ...p, certificates: { client: { ...p.certificates.client, forbiddenSignatureHashes: [] }, server: { ...p.certificates.server, forbiddenSignatureHashes: [] } } });
  const by = new Map(pathBuilding('client').map((e) => [e.name, e.policy(allow(profile))]));
  expect(by.get('bridge-pki-sha1-z-to-bridge')).toMatchObject({ expect: 'accept', severity: 'info' });
  expect(by.get('figure-seven-sha1-anchor-edges')).toMatchObject({ expect: 'accept', severity: 'info' });
  expect(by.get('bridge-pki-expired-z-to-bridge')).toMatchObject({ expect: 'reject', severity: 'required' });
  expect(pathBuilding('client').find((e) => e.name === 'bridge-pki-sha1-z-to-bridge')!.policy(profile)).toMatchObject({ expect: 'reject', severity: 'required' });
});
