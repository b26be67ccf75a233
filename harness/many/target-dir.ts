import { createHash } from 'node:crypto';
import type { TargetEntry } from './targets-file.js';

/**
 * The directory of each target of a targets file, named from the target so that a person finds it
 * (`builtin-strict-3f2a9c1e`, `vendor.example-8443-0b7d4e2a`), and stable and unique across the
 * jobs of a CI matrix: the name is a slug of the target plus a short hash of the whole entry
 * (kind, target, profile, args), and an entry repeated in the file gets `-2`, `-3`... by its place
 * among its copies in the WHOLE file. Every shard reads the same file, so two jobs never write the
 * same name, and `report merge` can put their artifacts side by side.
 */

/** A filesystem-safe, readable slug: scheme dropped, runs of anything else than [a-z0-9.] one "-", at most 40 characters. */
export function targetSlug(target: string): string {
  const s = target
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 40)
    .replace(/[-.]+$/, '');
  return s || 'target';
}

/** The directory names of a whole targets file, in its order. */
export function targetDirNames(entries: readonly TargetEntry[]): string[] {
  const seen = new Map<string, number>();
  return entries.map((e) => {
    // The profile as the file writes it: a checkout in another directory (another CI runner) names the same directories.
    const whole = JSON.stringify([e.kind, e.target, e.profileWritten ?? e.profile ?? null, e.args ?? []]);
    const name = `${targetSlug(e.target)}-${createHash('sha256').update(whole).digest('hex').slice(0, 8)}`;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name}-${n}`;
  });
}
