import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { READ_LIMITS, readBoundedTextSync } from '../io/read-bounded.js';
import { packagePath } from '../package-root.js';
import type { LoadedProfile } from './load.js';

/**
 * The built-in profiles as `loadProfile` resolves them, written at build time
 * (scripts/gen-builtin-profiles.mjs -> dist/harness/profile/builtin-profiles.json): a run with a
 * built-in profile skips the YAML parser and the zod schemas, a third of its imports. Used only
 * while the profile file is byte for byte the one the entry was built from (its SHA-256);
 * otherwise, and from source (no JSON), the caller loads the file as before.
 */

export interface PrebuiltProfile {
  /** SHA-256 of profiles/<name>.yaml as it was read at build time. */
  fileSha256: string;
  loaded: LoadedProfile;
}

export const PREBUILT_FILE = 'builtin-profiles.json';

function prebuiltTable(): Record<string, PrebuiltProfile> | undefined {
  // From source (tests run the .ts files) a built table may be stale: load the YAML instead. The
  // bundle (dist/cli/) and dist/harness/ read the table tsc's build wrote.
  if (!import.meta.url.includes('/dist/')) return undefined;
  try {
    return JSON.parse(readFileSync(packagePath('dist', 'harness', 'profile', PREBUILT_FILE), 'utf8')) as Record<string, PrebuiltProfile>;
  } catch {
    return undefined;
  }
}

/** The built-in profile `ref` from the build-time table, or undefined when the caller must load it. */
export function prebuiltProfile(ref: string): LoadedProfile | undefined {
  // Only a bare built-in name: a path or an example profile goes through load.ts.
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(ref) || /\.(ya?ml|json)$/i.test(ref)) return undefined;
  const entry = prebuiltTable()?.[ref];
  if (!entry) return undefined;
  let text: string;
  try {
    text = readBoundedTextSync(join(packagePath('profiles'), `${ref}.yaml`), { maxBytes: READ_LIMITS.profile, label: 'profile file', code: 'profile' });
  } catch {
    return undefined;
  }
  if (createHash('sha256').update(text).digest('hex') !== entry.fileSha256) return undefined;
  return entry.loaded;
}
