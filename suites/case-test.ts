/**
 * The body every conformance test shares: observe, judge against the control, record the result
 * for the reporter, and fail the vitest test only for a required case that did not pass.
 */
import type { TestContext } from 'vitest';
import { counts, describeObservation, interpret, judge } from '../harness/judge.js';
import type { CaseResult, Observation, ResolvedCase } from '../harness/model.js';
import type { Profile } from '../harness/profile/schema.js';

export async function runCaseTest(
  ctx: Pick<TestContext, 'task' | 'skip'>,
  c: ResolvedCase,
  profile: Profile,
  control: Observation | null,
  observe: () => Promise<Observation | null>,
): Promise<void> {
  const observation = await observe();
  const verdict = judge(c, observation, profile, {
    controlAccepted: control ? interpret(control, profile) === 'accepted' : null,
    controlSummary: control ? describeObservation(control) : undefined,
  });
  (ctx.task.meta as { conformance?: CaseResult }).conformance = { case: c, observation, verdict };
  if (verdict.verdict === 'skip') ctx.skip(verdict.reason);
  if (counts({ case: c }) && verdict.verdict !== 'pass') throw new Error(`${verdict.verdict}: ${verdict.reason}`);
}
