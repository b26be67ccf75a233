import type { Role, Severity } from '../model.js';
import type { LintCheck } from './check.js';

/**
 * An object whose role is not known (no --role, and an EKU naming both roles or neither) is checked
 * once per role it could have. Where the answer is the same in every role, that answer is the row;
 * only where the roles disagree is the row "not checked", naming --role.
 */

export const ROLES: readonly Role[] = ['server', 'client'];

const SEVERITY_RANK: Record<Severity, number> = { info: 0, recommended: 1, required: 2 };

/** `certificates.server.minRsaBits` and `certificates.client.minRsaBits` read as `certificates.<role>.minRsaBits`. */
function merge(texts: [Role, string][], placeholder: string): string | null {
  const distinct = [...new Set(texts.map(([, t]) => t))];
  if (distinct.length === 1) return distinct[0]!;
  const generic = [...new Set(texts.map(([role, t]) => t.replace(new RegExp(`\\b${role}\\b`, 'g'), '\u0000')))];
  return generic.length === 1 ? generic[0]!.replaceAll('\u0000', placeholder) : null;
}

function outcome(c: LintCheck | null): string {
  return c === null ? 'does not apply' : c.status === 'pass' ? `passes (${c.message})` : c.status === 'fail' ? `fails (${c.message})` : `is not checked (${c.message})`;
}

/**
 * One row for `check` from its result in each role (null: the check does not apply in that role);
 * null when it applies in no role.
 */
export function acrossRoles(check: string, byRole: [Role, LintCheck | null][]): LintCheck | null {
  const applied = byRole.filter((e): e is [Role, LintCheck] => e[1] !== null);
  if (applied.length === 0) return null;
  const rule = merge(applied.map(([r, c]) => [r, c.rule]), '<role>') ?? [...new Set(applied.map(([, c]) => c.rule))].join(', ');
  // A check that does not apply in a role finds nothing there: the same answer as a pass.
  const allPass = byRole.every(([, c]) => c === null || c.status === 'pass');
  const allFail = byRole.every(([, c]) => c !== null && c.status === 'fail');
  const notApplied = byRole.filter(([, c]) => c === null).map(([r]) => r);
  if (allPass || allFail) {
    const message =
      merge(applied.map(([r, c]) => [r, c.message]), applied.map(([r]) => r).join(' or ')) ?? applied.map(([r, c]) => `as a ${r} certificate: ${c.message}`).join('; ');
    const scope = notApplied.length ? ` (as a ${applied.map(([r]) => r).join(' or ')} certificate; it does not apply to a ${notApplied.join(' or ')} certificate)` : '';
    // A failure every role shares counts with the mildest severity any role gives it.
    const severity = applied.map(([, c]) => c.severity).reduce((a, b) => (SEVERITY_RANK[b] < SEVERITY_RANK[a] ? b : a));
    return { check, rule, status: allPass ? 'pass' : 'fail', severity, message: `${message}${scope}` };
  }
  const severity = applied.map(([, c]) => c.severity).reduce((a, b) => (SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a));
  const how = byRole.map(([r, c]) => `as a ${r} certificate it ${outcome(c)}`).join('; ');
  return { check, rule, status: 'not-checked', severity, message: `not checked: the answer depends on the role: ${how}; pass --role server or --role client` };
}
