import type { Severity, VerdictValue } from '../model.js';

/**
 * How a result is presented: its verdict, except that a failure which does not decide the run (a
 * recommended or info case, or a waived one) is a `finding`, never a red FAIL. Presentation only:
 * report.json keeps the verdict as judged (schemaVersion 1), and judge.ts counts() decides the run.
 */
export type ResultKind = 'pass' | 'fail' | 'finding' | 'inconclusive' | 'skip';

/** The order reports list them in: what decides the run first. */
export const RESULT_KINDS: readonly ResultKind[] = ['fail', 'inconclusive', 'finding', 'pass', 'skip'];

export interface Judged {
  verdict: VerdictValue;
  severity: Severity;
  waived?: string;
}

/** Whether a result decides the run: required and not waived (as judge.ts counts()). */
export function decides(r: Pick<Judged, 'severity' | 'waived'>): boolean {
  return r.severity === 'required' && !r.waived;
}

export function resultKind(r: Judged): ResultKind {
  return r.verdict === 'fail' && !decides(r) ? 'finding' : r.verdict;
}

/** How many results of each kind. */
export function countKinds(results: readonly Judged[]): Record<ResultKind, number> {
  const n: Record<ResultKind, number> = { pass: 0, fail: 0, finding: 0, inconclusive: 0, skip: 0 };
  for (const r of results) n[resultKind(r)]++;
  return n;
}

/** `1 finding`, `3 findings`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
