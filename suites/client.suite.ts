/**
 * Conformance suite for a target that is a client: one vitest test per case, titled with the case
 * id. Each case starts its own reference server and runs the client command once against it.
 */
import { beforeAll, inject, test } from 'vitest';
import { runCaseTest } from './case-test.js';
import { probeClientCase, type ClientPlan } from '../harness/run/plan.js';
import type { Observation } from '../harness/model.js';

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
  const recipe = c.recipe;
  const observe = async () => (c.skip ? null : recipe.kind === 'reference-server' && !c.positiveControl ? probeClientCase(plan, recipe) : control);
  test.concurrent(c.id, { timeout: bound }, (ctx) => runCaseTest(ctx, c, plan.profile, control, observe));
}
