/**
 * Conformance suite for a target that is a server: one vitest test per case, titled with the
 * case id. Thin on purpose: probing is in harness/probes, judging in harness/judge.
 */
import { beforeAll, inject, test } from 'vitest';
import { judge, counts, describeObservation, interpret } from '../harness/judge.js';
import { probeCase, probeRawVersion, probeServerControl, probeSuiteSweep, type ServerPlan } from '../harness/run/plan.js';
import type { CaseResult, Observation } from '../harness/model.js';

declare module 'vitest' {
  export interface ProvidedContext {
    serverPlan: ServerPlan;
  }
}

const plan = inject('serverPlan');
let control: Observation | null = null;

beforeAll(async () => {
  control = await probeServerControl(plan);
}, plan.timeoutMs * 2 + 1000);

for (const c of plan.cases) {
  test.concurrent(c.id, { timeout: plan.timeoutMs * 2 + 1000 }, async ({ task, skip }) => {
    const recipe = c.recipe;
    const observation = c.skip
      ? null
      : recipe.kind === 'client-handshake' && !c.positiveControl
        ? await probeCase(plan, recipe)
        : recipe.kind === 'raw-version'
          ? await probeRawVersion(plan, recipe)
          : recipe.kind === 'suite-sweep'
            ? await probeSuiteSweep(plan, recipe)
            : control;
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
