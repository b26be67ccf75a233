/**
 * Conformance suite for a target that is a client: one vitest test per case, titled with the case
 * id. Each case starts its own reference server and runs the client command once against it.
 */
import { beforeAll, inject, test } from 'vitest';
import { judge, counts, describeObservation, interpret } from '../harness/judge.js';
import { probeClientCase, type ClientPlan } from '../harness/run/plan.js';
import type { CaseResult, Observation } from '../harness/model.js';

declare module 'vitest' {
  export interface ProvidedContext {
    clientPlan: ClientPlan;
  }
}

const plan = inject('clientPlan');
let control: Observation | null = null;
const bound = plan.timeoutMs * 2 + 2000;

beforeAll(async () => {
  if (plan.control.recipe.kind !== 'reference-server') throw new Error('the positive control must be a reference server');
  control = await probeClientCase(plan, plan.control.recipe);
}, bound);

for (const c of plan.cases) {
  test.concurrent(c.id, { timeout: bound }, async ({ task, skip }) => {
    const recipe = c.recipe;
    const observation = c.skip ? null : recipe.kind === 'reference-server' && !c.positiveControl ? await probeClientCase(plan, recipe) : control;
    const controlAccepted = control ? interpret(control, plan.profile) === 'accepted' : null;
    const verdict = judge(c, observation, plan.profile, {
      controlAccepted,
      controlSummary: control ? describeObservation(control) : undefined,
    });
    (task.meta as { conformance?: CaseResult }).conformance = { case: c, observation, verdict };
    if (verdict.verdict === 'skip') skip(verdict.reason);
    if (counts({ case: c }) && verdict.verdict !== 'pass') throw new Error(`${verdict.verdict}: ${verdict.reason}`);
  });
}
