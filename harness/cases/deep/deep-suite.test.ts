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
      // recommended); pathological cases are judged on answering in time; the crl family weighs what
      // the profile's revocation setting says (recommended here: its own test below).
      if (!['pathological', 'encoding', 'key-identifiers', 'crl'].includes(family)) expect(of.some((c) => c.expect === 'reject' && c.severity === 'required'), `${role}/${family} has no required refusal`).toBe(true);
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
  expect(new Set(exhaustive.map((c) => c.family))).toEqual(new Set(['name-constraints-product', 'name-smuggling']));
});

test('the exhaustive suite: the full product per direction, unique ids with refs, a control beside every refusal', () => {
  const { profile } = loadProfile('intermediate');
  const all = catalogue('exhaustive');
  expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
  const ex = resolveCases(profile, undefined, 'exhaustive').filter((c) => c.suite === 'exhaustive');
  const product = ex.filter((c) => c.family === 'name-constraints-product');
  const client = product.filter((c) => c.role === 'client');
  const server = product.filter((c) => c.role === 'server');
  // Client: the host/CN slice of name-constraints-product (2·3·225 - 225) + 2 hosts · 2 CN · 3^7.
  expect(client.length).toBe(2 * 3 * 225 - 225 + 2 * 2 * 3 ** 7);
  // Server: 6 forms · 3 names · 3 permitted · 3 excluded · 2 depths + 15 form pairs · 9 name pairs · 2 kinds.
  expect(server.length).toBe(6 * 54 + 15 * 9 * 2);
  for (const c of ex) {
    expect(c.id).toMatch(/^(server|client)\/name-constraints-exhaustive\/[a-z0-9.-]+$/);
    if (c.family === 'name-smuggling') {
      expect(c.id).toMatch(/\/smuggle-[a-z0-9.-]+$/);
      expect(c.refs, c.id).toContain('BetterTLS nameconstraints');
      expect(c.refs.some((r) => /^RFC (5280|9525) §/.test(r)), c.id).toBe(true);
    } else expect(c.refs, c.id).toEqual(expect.arrayContaining(['BetterTLS nameconstraints', 'RFC 5280 §4.2.1.10']));
  }
  const by = new Map(ex.map((c) => [c.id, c]));
  const at = (id: string) => by.get(id)!;
  // Each permitted-tree refusal has its sibling control (the permitted tree holding the name) that must be accepted.
  for (const c of server) {
    const m = /^(.*-namei)-po-(x[nio]-d[12])$/.exec(c.id);
    if (!m) continue;
    expect(c.expect, c.id).toBe('reject');
    const control = at(`${m[1]}-pi-${m[2]}`);
    if (!c.id.includes('-xi-')) expect({ id: control.id, expect: control.expect, severity: control.severity }).toEqual({ id: control.id, expect: 'accept', severity: 'required' });
  }
  expect(at('client/name-constraints-exhaustive/dns-cnn-dnsi-ipn-pdi-xdn-pin-xin-ofn')).toMatchObject({ expect: 'accept', severity: 'required' });
  expect(at('client/name-constraints-exhaustive/dns-cnn-dnsi-ipn-pdo-xdn-pin-xin-ofn')).toMatchObject({ expect: 'reject', severity: 'required' });
  expect(at('client/name-constraints-exhaustive/ip-cnn-dnsn-ipi-pdn-xdn-pii-xio-ofu')).toMatchObject({ expect: 'accept', severity: 'required' });
  expect(at('client/name-constraints-exhaustive/ip-cnn-dnso-ipi-pdi-xdn-pin-xin-ofn')).toMatchObject({ expect: 'reject', severity: 'recommended' });
  expect(at('client/name-constraints-exhaustive/ip-cnh-dnsn-ipi-pdi-xdn-pin-xin-ofn')).toMatchObject({ expect: 'accept', severity: 'info' });
  expect(at('server/name-constraints-exhaustive/ipv4-namei-pi-xn-d1')).toMatchObject({ expect: 'accept', severity: 'required' });
  expect(at('server/name-constraints-exhaustive/ipv6-nameo-pi-xn-d2')).toMatchObject({ expect: 'reject', severity: 'required' });
  expect(at('server/name-constraints-exhaustive/pair-ipv4-ipv6-nameio-p')).toMatchObject({ expect: 'reject', severity: 'required' });
  expect(at('server/name-constraints-exhaustive/pair-dns-dn-nameni-x')).toMatchObject({ expect: 'reject', severity: 'required' });
  // Both directions hold acceptances and required refusals.
  for (const side of [client, server]) {
    expect(side.some((c) => c.expect === 'accept' && c.severity === 'required')).toBe(true);
    expect(side.some((c) => c.expect === 'reject' && c.severity === 'required')).toBe(true);
  }
});

test('the deep suite does not build the exhaustive product', () => {
  expect(catalogue('deep').some((c) => c.suite === 'exhaustive' || c.id.includes('/name-constraints-exhaustive/'))).toBe(false);
});

test('the crl family: per direction, a CA of its own per case, refusals weighed by the revocation setting of the profile', () => {
  const { profile } = loadProfile('intermediate');
  const crlCases = (p: typeof profile) => resolveCases(p, undefined, 'deep').filter((c) => c.family === 'crl');
  const base = crlCases(profile);
  for (const role of ['server', 'client'] as const) {
    const of = base.filter((c) => c.role === role);
    expect(of.length).toBe(31);
    // Revocation recommended (the default): revoked is a recommended refusal, the controls required acceptances.
    expect(of.find((c) => c.id === `${role}/crl/leaf-revoked`)).toMatchObject({ expect: 'reject', severity: 'recommended' });
    expect(of.find((c) => c.id === `${role}/crl/not-revoked`)).toMatchObject({ expect: 'accept', severity: 'required' });
    expect(of.find((c) => c.id === `${role}/crl/crl-number-missing`)).toMatchObject({ expect: 'reject', severity: 'info' });
    for (const c of of) expect(c.refs.some((r) => r.startsWith('RFC 5280 §')), c.id).toBe(true);
  }
  // Each case's leaf hangs under a CA of the case's own, whose CRL is the variant: no two cases share one.
  const chains = caseChains('deep').filter((n) => n.name.includes('/crl/'));
  for (const n of chains) {
    const first = n.chain.intermediates?.[0];
    expect(typeof first === 'object' && first.revocationService !== undefined, n.name).toBe(true);
  }
  // revocation required: revoked and undetermined refusals become required; clientFailMode open makes a client's undetermined case info accept.
  const strict = crlCases({ ...profile, revocation: { server: 'required', client: 'required', clientFailMode: 'open' } });
  const at = (id: string) => strict.find((c) => c.id === id)!;
  expect(at('server/crl/leaf-revoked')).toMatchObject({ expect: 'reject', severity: 'required' });
  expect(at('server/crl/crl-expired')).toMatchObject({ expect: 'reject', severity: 'required' });
  expect(at('client/crl/crl-expired')).toMatchObject({ expect: 'accept', severity: 'info' });
  expect(at('client/crl/leaf-revoked')).toMatchObject({ expect: 'reject', severity: 'required' });
  // revocation off: the refusals are skipped, the controls still run.
  const off = crlCases({ ...profile, revocation: { server: 'off', client: 'off', clientFailMode: 'closed' } });
  expect(off.find((c) => c.id === 'server/crl/leaf-revoked')!.skip).toMatch(/revocation\.server: off/);
  expect(off.find((c) => c.id === 'client/crl/crl-foreign-key')!.skip).toMatch(/revocation\.client: off/);
  expect(off.find((c) => c.id === 'client/crl/not-revoked')!.skip).toBeUndefined();
  // A SHA-1 CRL: refused (info) where the profile forbids SHA-1, accepted (info) where it allows it.
  expect(base.find((c) => c.id === 'server/crl/crl-sha1-signature')).toMatchObject({ expect: 'reject', severity: 'info' });
  const sha1ok = crlCases({ ...profile, certificates: { ...profile.certificates, client: { ...profile.certificates.client, forbiddenSignatureHashes: [] } } });
  expect(sha1ok.find((c) => c.id === 'server/crl/crl-sha1-signature')).toMatchObject({ expect: 'accept', severity: 'info' });
});

test('the smuggling set: BetterTLS\'s tags and separators in full, byte forms both ways, the deep slice in both directions', () => {
  const { profile } = loadProfile('intermediate');
  const deepSet = resolveCases(profile, undefined, 'deep').filter((c) => c.family === 'name-smuggling');
  const all = resolveCases(profile, undefined, 'exhaustive').filter((c) => c.family === 'name-smuggling');
  const name = (id: string) => id.split('/')[2]!.replace(/^smuggle-/, '');
  // The deep slice is part of the set, never repeated in it.
  expect(all.filter((c) => c.suite === 'deep').map((c) => c.id)).toEqual(deepSet.map((c) => c.id));
  expect(new Set(all.map((c) => `${c.role}/${name(c.id)}`)).size).toBe(all.length);
  const client = all.filter((c) => c.role === 'client');
  const server = all.filter((c) => c.role === 'server');
  // 16 tags × (5 host encodings × 2 constraints + 2 address encodings × 2), and 4 separators × 2 prefixes × 2 leading names × 16 tags × 2.
  expect(client.filter((c) => /^tag\d+-/.test(name(c.id))).length).toBe(16 * (5 * 2 + 2 * 2));
  expect(client.filter((c) => /^sep-/.test(name(c.id))).length).toBe(4 * 2 * 2 * 16 * 2);
  // The byte forms (client: 33 of the host and its address, 10 of the constraint; server: 37), as listed in name-smuggling.ts.
  expect(client.length).toBe(224 + 512 + 33 + 10);
  expect(server.length).toBe(37);
  // Deep: 30-60 of the most telling, both directions, each with a required control and required refusals.
  expect(deepSet.length).toBeGreaterThanOrEqual(30);
  expect(deepSet.length).toBeLessThanOrEqual(60);
  for (const role of ['client', 'server'] as const) {
    const of = deepSet.filter((c) => c.role === role);
    expect(of.some((c) => c.expect === 'accept' && c.severity === 'required'), role).toBe(true);
    expect(of.filter((c) => c.expect === 'reject' && c.severity === 'required').length, role).toBeGreaterThan(10);
  }
  // Every BetterTLS case is refused, required: the host is smuggled, never named as RFC 9525 §6 names it.
  for (const c of client.filter((x) => /^(tag|sep-)/.test(name(x.id)))) expect({ id: c.id, expect: c.expect, severity: c.severity }).toEqual({ id: c.id, expect: 'reject', severity: 'required' });
  const at = (id: string) => all.find((c) => c.id === id)!;
  expect(at('client/name-smuggling/upper-pi')).toMatchObject({ expect: 'accept', severity: 'required' });
  expect(at('client/name-smuggling/nul-suffix-po')).toMatchObject({ expect: 'reject', severity: 'required' });
  expect(at('client/name-smuggling/constraint-partial-label-xi')).toMatchObject({ expect: 'accept', severity: 'required' });
  expect(at('client/name-constraints-exhaustive/smuggle-constraint-trailing-dot-pi')).toMatchObject({ expect: 'accept', severity: 'info' });
  expect(at('server/name-smuggling/dns-nul-po')).toMatchObject({ expect: 'reject', severity: 'recommended' });
  expect(at('server/name-smuggling/uri-userinfo-xi')).toMatchObject({ expect: 'reject', severity: 'required' });
  expect(at('server/name-smuggling/cn-dns-xi')).toMatchObject({ expect: 'reject', severity: 'info' });
  // The chains carry the smuggled bytes: the raw tag and value on the leaf, the constraint on the CA.
  const tag6 = findCase('client/name-smuggling/tag6-https-po')!;
  expect(tag6.chain).toMatchObject({ intermediates: [{ nameConstraints: { permittedDns: ['other.invalid'] } }], leaf: { sanRaw: [{ tag: 6, valueHex: Buffer.from('https://api.mtls-conformance.localhost').toString('hex') }] } });
  expect(tag6.recipe).toMatchObject({ kind: 'reference-server', serverName: 'api.mtls-conformance.localhost' });
  expect(findCase('client/name-smuggling/constraint-ip-nine-octets')!.chain).toMatchObject({ intermediates: [{ nameConstraintsRaw: { excluded: [{ tag: 7, valueHex: '7f000000ff00000000' }] } }] });
  expect(findCase('client/name-smuggling/constraint-ip-nine-octets')!.recipe).not.toHaveProperty('serverName');
});

test('a profile without hostname matching keeps only the constraint refusals of the client smuggling set required', () => {
  const { profile } = loadProfile('intermediate');
  const off = { ...profile, certificates: { ...profile.certificates, server: { ...profile.certificates.server, hostnameMatch: false } } };
  const sev = (p: typeof profile, id: string) => resolveCases(p, undefined, 'deep').find((c) => c.id === id)!.severity;
  expect(sev(off, 'client/name-smuggling/nul-suffix-po')).toBe('info');
  expect(sev(off, 'client/name-smuggling/tag2-dns-xi')).toBe('required');
  expect(sev(off, 'client/name-smuggling/constraint-upper-xi')).toBe('required');
  expect(sev(profile, 'client/name-smuggling/nul-suffix-po')).toBe('required');
});
