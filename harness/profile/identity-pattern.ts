import { RE2JS } from 're2js';
import { dnForms, normalDnPattern } from './distinguished-name.js';

/**
 * clientIdentity.pattern is written by whoever publishes a profile and matched against names a
 * target's certificates carry: it runs in RE2 (re2js), whose matching time is linear in the
 * input, so no pattern (`^(a+)+$`) can spin the CPU whatever --timeout says. RE2 has no
 * lookaround and no backreferences; a pattern using them is a profile error, not a slow run.
 */

const MAX_PATTERN_LENGTH = 1024;
const cache = new Map<string, RE2JS>();

/** The compiled pattern, or the reason it cannot be one (a one-line message). */
export function compileIdentityPattern(pattern: string): RE2JS | string {
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`;
  const hit = cache.get(pattern);
  if (hit) return hit;
  try {
    const re = RE2JS.compile(pattern);
    if (cache.size > 64) cache.clear();
    cache.set(pattern, re);
    return re;
  } catch (err) {
    const why = String((err as Error).message ?? err).replace(/^error parsing regexp: /, '').split('\n')[0];
    return `not a regular expression the linear-time engine (RE2 syntax) accepts: ${why}`;
  }
}

/** Whether `value` contains a match of the pattern (like RegExp#test: anchor with ^…$ for a whole-value match). */
export function identityMatches(pattern: string, value: string): boolean {
  const re = compileIdentityPattern(pattern);
  if (typeof re === 'string') return false;
  return re.matcher(value).find();
}

/**
 * Whether a DN satisfies a `match: dn` rule: the pattern (and the pattern with its attribute types
 * in normal form) found in any form of the DN, `CN=a, O=x` or `CN=a,O=x` (distinguished-name.ts).
 * A rule written `^CN=a,O=x$` matched nothing before: subjects read back with `, `.
 */
export function dnMatches(pattern: string, dn: string): boolean {
  const normal = normalDnPattern(pattern);
  return dnForms(dn).some((form) => identityMatches(normal, form) || (normal !== pattern && identityMatches(pattern, form)));
}
