import type { Profile } from '../profile/schema.js';
import type { ResolvedCase, Role, SuiteName } from '../model.js';
import { catalogue } from './catalogue.js';

/** Give every catalogue case its expectation and severity under a profile. Pure. */
export function resolveCases(profile: Profile, role?: Role, suite: SuiteName = 'core'): ResolvedCase[] {
  return catalogue(suite)
    .filter((c) => role === undefined || c.role === role)
    .map(({ policy, chain: _chain, ...def }) => {
      const p = policy(profile);
      const severity = profile.cases.severity[def.id] ?? p.severity;
      const waived = profile.cases.waive[def.id];
      return {
        ...def,
        expect: p.expect,
        severity,
        rationale: p.rationale,
        ...(p.skip ? { skip: p.skip } : {}),
        ...(p.answerWithin ? { answerWithin: true } : {}),
        ...(waived ? { waived } : {}),
      };
    });
}

/** `--only` globs over case ids: `*` matches within one segment, `**` across segments. */
export function idMatcher(globs: string[]): (id: string) => boolean {
  if (globs.length === 0) return () => true;
  const res = globs.map((g) => {
    const body = g
      .split(/(\*\*|\*)/)
      .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return new RegExp(`^${body}$`);
  });
  return (id) => res.some((re) => re.test(id));
}
