import { createHash } from 'node:crypto';
import type { Profile } from './schema.js';

/**
 * The SHA-256 every report records for its profile. Its own module so that the run path and the
 * report writer hash a profile without loading the YAML parser and the zod schemas (load.ts).
 */

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Canonical JSON (sorted keys) so the hash does not depend on key order in the file. */
export function profileHash(profile: Profile): string {
  const canonical = (v: unknown): unknown =>
    isPlainObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])])) : Array.isArray(v) ? v.map(canonical) : v;
  return createHash('sha256').update(JSON.stringify(canonical(profile))).digest('hex');
}
