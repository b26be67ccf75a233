// Build step after tsc: dist/harness/profile/builtin-profiles.json, each built-in profile as
// loadProfile resolves it, keyed by name with the SHA-256 of its YAML file, so a run with a
// built-in profile loads neither yaml nor zod (harness/profile/builtin-profiles.ts). A profile
// that `extends` another, or whose resolved form does not survive JSON unchanged, is left out
// (it is then loaded from its file as before).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { builtinProfileNames, loadProfile } from '../dist/harness/profile/load.js';
import { PREBUILT_FILE } from '../dist/harness/profile/builtin-profiles.js';

const table = {};
for (const name of builtinProfileNames()) {
  const file = new URL(`../profiles/${name}.yaml`, import.meta.url);
  const text = readFileSync(file, 'utf8');
  if (parse(text)?.extends !== undefined) continue;
  const loaded = loadProfile(name);
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(loaded)), loaded)) continue;
  table[name] = { fileSha256: createHash('sha256').update(text).digest('hex'), loaded };
}
writeFileSync(new URL(`../dist/harness/profile/${PREBUILT_FILE}`, import.meta.url), JSON.stringify(table) + '\n');
