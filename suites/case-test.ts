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
  // vitest 3.2+ shows annotations in its reporters (and junit writes them as properties).
  await ctx.annotate?.(`${r.case.severity} finding, ${v.verdict}: ${v.reason}`, 'warning');
}
