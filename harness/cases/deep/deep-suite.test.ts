import { expect, test } from 'vitest';
import { catalogue, caseChains, findCase } from '../catalogue.js';
import { loadProfile } from '../../profile/load.js';
import { resolveCases } from '../resolve.js';
import { DEEP_FAMILIES } from './areas.js';

// The deep corpus as `conformance cases --suite deep --json` lists it (issue 16 §2 must-shows).

const deep = catalogue('deep').filter((c) => c.suite === 'deep');

test('at least 400 client and 250 server cases, each with refs, a family and a three-segment id', () => {
  expect(deep.filter((c) => c.role === 'client').length).toBeGreaterThanOrEqual(400);
  expect(deep.filter((c) => c.role === 'server').length).toBeGreaterThanOrEqual(250);
  for (const c of deep) {
    expect(c.refs.length, c.id).toBeGreaterThan(0);
    expect(c.id).toMatch(/^(server|client)\/[a-z0-9.-]+\/[a-z0-9.-]+$/);
    expect(c.family).toBe(c.id.split('/')[1]);
  }
  expect(new Set(deep.map((c) => c.family))).toEqual(new Set(DEEP_FAMILIES.map(([f]) => f)));
});

test('the default suite is what it was: no deep case, no deep chain, no family or suite field', () => {
  const core = catalogue();
  expect(core.some((c) => c.suite || c.family)).toBe(false);
  const deepNames = new Set(caseChains('deep').map((n) => n.name));
  expect(deepNames.size).toBeGreaterThan(650);
  expect(caseChains().filter((n) => deepNames.has(n.name))).toEqual([]);
  expect(catalogue('deep').slice(0, core.length).map((c) => c.id)).toEqual(core.map((c) => c.id));
});

test('every family has a control that must be accepted and a case that must be refused, per role it runs for', () => {
  const { profile } = loadProfile('intermediate');
  const resolved = resolveCases(profile, undefined, 'deep').filter((c) => c.suite === 'deep');
  for (const [family] of DEEP_FAMILIES) {
    for (const role of ['server', 'client'] as const) {
      const of = resolved.filter((c) => c.role === role && c.family === family);
      if (of.length === 0) continue;
      expect(of.some((c) => c.expect === 'accept'), `${role}/${family} has no acceptance`).toBe(true);
      // Encoding defects and missing key identifiers do not change who is authenticated (info /
      // recommended); pathological cases are judged on answering in time.
      if (!['pathological', 'encoding', 'key-identifiers'].includes(family)) expect(of.some((c) => c.expect === 'reject' && c.severity === 'required'), `${role}/${family} has no required refusal`).toBe(true);
    }
  }
});

test('name-constraint violations each have a control inside the subtree', () => {
  const ids = new Set(deep.map((c) => c.id));
  for (const id of ids) {
    const m = /^(server|client)\/name-constraints\/([a-z0-9]+)-permitted-mismatch(-depth-2)?$/.exec(id);
    if (m) expect(ids.has(`${m[1]}/name-constraints/${m[2]}-permitted-match${m[3] ?? ''}`), id).toBe(true);
  }
});

test('the hostname cases have the client verify a .localhost name; the exhaustive product adds the DNS host and CN axes', () => {
  const h = findCase('client/hostname/dns-name-control')!;
  expect(h.recipe).toMatchObject({ kind: 'reference-server', serverName: 'api.mtls-conformance.localhost' });
  const exhaustive = catalogue('exhaustive').filter((c) => c.suite === 'exhaustive');
  expect(exhaustive.length).toBe(2 * 3 * 225 - 225);
  expect(new Set(exhaustive.map((c) => c.family))).toEqual(new Set(['name-constraints-product']));
});
