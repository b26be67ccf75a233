import { describe, expect, test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
// The built package: the table is written by the build (scripts/gen-builtin-profiles.mjs).
const dist = (p: string) => fileURLToPath(new URL(`../../dist/harness/profile/${p}`, import.meta.url));
const { prebuiltProfile } = (await import(dist('builtin-profiles.js'))) as typeof import('../../harness/profile/builtin-profiles.js');
const { loadProfile, builtinProfileNames } = (await import(dist('load.js'))) as typeof import('../../harness/profile/load.js');

describe('built-in profiles resolved at build time', () => {
  test('the table exists in dist', () => {
    expect(existsSync(dist('builtin-profiles.json'))).toBe(true);
  });
  test.each(builtinProfileNames())('%s: the same profile, source and sha256 as loading the file', (name) => {
    const prebuilt = prebuiltProfile(name);
    expect(prebuilt).toBeDefined();
    expect(prebuilt).toStrictEqual(loadProfile(name));
  });
  test('paths, example names and unknown names are not served from the table', () => {
    expect(prebuiltProfile('./intermediate.yaml')).toBeUndefined();
    expect(prebuiltProfile('profiles/intermediate.yaml')).toBeUndefined();
    expect(prebuiltProfile('no-such-profile')).toBeUndefined();
  });
});
