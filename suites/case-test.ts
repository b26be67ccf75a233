/**
 * What a vitest test does with a judged case: record it in the task meta (for reporters), fail the
 * test for a required case that did not pass, and annotate a recommended or info finding so it is
 * visible rather than a silent green.
 */
import type { TestContext } from 'vitest';
import { counts } from '../harness/judge.js';
import type { CaseResult } from '../harness/model.js';

type Ctx = Pick<TestContext, 'task' | 'skip'> & { annotate?: (message: string, type?: string) => Promise<unknown> };

export async function reportCaseResult(ctx: Ctx, r: CaseResult): Promise<void> {
  (ctx.task.meta as { conformance?: CaseResult }).conformance = r;
  const v = r.verdict;
  if (v.verdict === 'skip') ctx.skip(v.reason);
  if (v.verdict === 'pass') return;
  if (counts(r)) throw new Error(`${v.verdict}: ${v.reason}`);
  // Visible, not a silent green: on stderr (every reporter shows a test's console output) and as an
  // annotation (vitest 3.2+: the github-actions reporter turns it into a warning, junit a property).
  const note = `${r.case.severity.toUpperCase()} FINDING ${r.case.id} (${v.verdict}; does not fail the run): ${v.reason}`;
  console.warn(note);
  await ctx.annotate?.(note, 'warning');
}
