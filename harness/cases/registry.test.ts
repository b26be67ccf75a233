import { describe, expect, test } from 'vitest';
import { area, required } from './define.js';
import { buildCatalogue, chainsOf, storeNameOf } from './registry.js';
import { caseChains, catalogue, findCase } from './catalogue.js';

const policy = () => required('reject', 'because');

describe('registry', () => {
  test('the id comes from where the entry lives; a duplicate id throws, a malformed one too', () => {
    const a = area('server', 'client-auth', [{ name: 'x', title: 't', chain: {}, refs: ['r'], policy }]);
    expect(buildCatalogue([a]).map((c) => c.id)).toEqual(['server/client-auth/x']);
    expect(() => buildCatalogue([a, a])).toThrow('duplicate case id server/client-auth/x');
    expect(() => buildCatalogue([area('server', 'client-auth', [{ name: 'Bad Name', title: 't', chain: {}, refs: [], policy }])])).toThrow(/malformed case id/);
  });

  test('a chain case gets its probe from its role; a case without a chain needs a probe kind', () => {
    const [srv] = buildCatalogue([area('server', 'path', [{ name: 'a', title: 't', chain: { leaf: { eku: null } }, probe: { version: 'TLSv1.2' }, refs: [], policy }])]);
    expect(srv!.recipe).toEqual({ kind: 'client-handshake', cert: 'client/path/a', version: 'TLSv1.2' });
    const [cli] = buildCatalogue([area('client', 'server-auth', [{ name: 'b', title: 't', chain: { anchor: 'self' }, refs: [], policy }])]);
    expect(cli!.recipe).toEqual({ kind: 'reference-server', cert: 'server/b' });
    const [none] = buildCatalogue([area('server', 'client-auth', [{ name: 'n', title: 't', chain: null, refs: [], policy }])]);
    expect(none!.recipe).toEqual({ kind: 'client-handshake', cert: null });
    expect(() => buildCatalogue([area('server', 'protocol', [{ name: 'p', title: 't', refs: [], policy }])])).toThrow(/needs a probe kind/);
  });

  test('store names: the valid leaf for {}, flat in the auth area, under the area elsewhere', () => {
    expect(storeNameOf('server', 'protocol', 'tls1.0', {})).toBe('client/valid');
    expect(storeNameOf('client', 'protocol', 'tls1.0-only-server', {})).toBe('server');
    expect(storeNameOf('server', 'client-auth', 'expired', { leaf: { notAfterDays: -1 } })).toBe('client/expired');
    expect(storeNameOf('client', 'server-auth', 'expired', { leaf: { notAfterDays: -1 } })).toBe('server/expired');
    expect(storeNameOf('server', 'name-constraints', 'dns-excluded', { leaf: { notAfterDays: -1 } })).toBe('client/name-constraints/dns-excluded');
  });

  test('legacy (security level 0) is derived from the chain and the pinned version, never from the name', () => {
    const cat = buildCatalogue([
      area('server', 'x', [
        { name: 'weak-key', title: 't', chain: { leaf: { key: 'rsa-1024' } }, refs: [], policy },
        { name: 'weak-intermediate', title: 't', chain: { intermediates: [{ signatureHash: 'SHA-1' }] }, refs: [], policy },
        { name: 'old-version', title: 't', chain: {}, probe: { version: 'TLSv1.1' }, refs: [], policy },
        // Named like a weak case, but nothing weak in it.
        { name: 'rsa-1024', title: 't', chain: { leaf: { key: 'rsa-2048' } }, refs: [], policy },
      ]),
    ]);
    const legacy = Object.fromEntries(cat.map((c) => [c.id.split('/')[2], c.recipe.kind === 'client-handshake' ? (c.recipe.legacy ?? false) : null]));
    expect(legacy).toEqual({ 'weak-key': true, 'weak-intermediate': true, 'old-version': true, 'rsa-1024': false });
  });

  test('chainsOf collects one chain per case that carries one, by store name', () => {
    const cat = buildCatalogue([area('server', 'client-auth', [{ name: 'a', title: 't', chain: { anchor: 'untrusted-ca' }, refs: [], policy }, { name: 'n', title: 't', chain: null, refs: [], policy }])]);
    expect(chainsOf(cat)).toEqual([{ side: 'client', name: 'client/a', chain: { anchor: 'untrusted-ca' } }]);
  });
});

describe('the catalogue as shipped', () => {
  test("today's cases keep today's store names and weak-crypto mode", () => {
    const recipe = (id: string) => findCase(id)!.recipe as { cert?: string | null; legacy?: boolean };
    expect(recipe('server/client-auth/valid').cert).toBe('client/valid');
    expect(recipe('server/protocol/tls1.3').cert).toBe('client/valid');
    expect(recipe('client/server-auth/valid').cert).toBe('server');
    expect(recipe('client/protocol/tls1.2-only-server').cert).toBe('server');
    expect(recipe('client/server-auth/intermediate-not-sent').cert).toBe('server/intermediate-not-sent');
    expect(recipe('server/client-auth/no-cert').cert).toBeNull();
    const legacy = catalogue()
      .filter((c) => (c.recipe as { legacy?: boolean }).legacy)
      .map((c) => c.id)
      .sort();
    expect(legacy).toEqual(
      ['client/protocol/tls1.0-only-server', 'client/protocol/tls1.1-only-server', 'client/server-auth/rsa-1024', 'client/server-auth/sha1-signature', 'server/client-auth/rsa-1024', 'server/client-auth/sha1-signature', 'server/protocol/tls1.0', 'server/protocol/tls1.1'].sort(),
    );
  });

  test('the certificate set is collected from the cases: every leaf a case names is in it', () => {
    const names = new Set(caseChains().map((c) => c.name));
    for (const c of catalogue()) {
      const cert = (c.recipe as { cert?: string | null }).cert;
      if (cert) expect(names, c.id).toContain(cert);
    }
  });
});
