import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { catalogue } from './catalogue.js';
import { renderCaseCatalogue } from './catalogue-doc.js';

test('docs/cases.md is generated from the catalogue (run `npm run docs` after changing a case)', () => {
  expect(readFileSync(new URL('../../docs/cases.md', import.meta.url), 'utf8')).toBe(renderCaseCatalogue());
});

test('the ids the core issue names are all there, each once, each with a reason and a reference', () => {
  const ids = catalogue().map((c) => c.id);
  const names = ['valid', 'valid-chain', 'no-cert', 'self-signed', 'untrusted-ca', 'expired', 'not-yet-valid', 'eku-server-only', 'eku-absent', 'rsa-1024', 'rsa-2048', 'sha1-signature', 'issuer-not-ca', 'intermediate-not-sent', 'unexpected-identity'];
  for (const n of names) expect(ids).toContain(`server/client-auth/${n}`);
  for (const v of ['tls1.0', 'tls1.1', 'tls1.2', 'tls1.3']) expect(ids).toContain(`server/protocol/${v}`);
  expect(new Set(ids).size).toBe(ids.length);
  for (const c of catalogue()) expect(c.refs.length, c.id).toBeGreaterThan(0);
  expect(catalogue().filter((c) => c.positiveControl).map((c) => c.id)).toEqual(['server/client-auth/valid', 'client/server-auth/valid']);
});
