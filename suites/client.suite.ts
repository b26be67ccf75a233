/**
 * Conformance suite for a target that is a client: one vitest test per case, titled with the case
 * id. Each case starts its own reference server and runs the client command once against it.
 */
import { beforeAll, inject, test } from 'vitest';
import { reportCaseResult } from './case-test.js';
import { caseBoundMs, observeControl, runCase, type RolePlan } from '../harness/run/case-body.js';
import type { ClientPlan } from '../harness/run/plan.js';
import type { Observation } from '../harness/model.js';

declare module 'vitest' {
  export interface ProvidedContext {
    clientPlan: ClientPlan;
  }
}

const p: RolePlan = { role: 'client', plan: inject('clientPlan') };
let control: Observation | null = null;

beforeAll(async () => {
  control = await observeControl(p);
}, caseBoundMs(p, p.plan.control));

for (const c of p.plan.cases) {
  test.concurrent(c.id, { timeout: caseBoundMs(p, c) + 1000 }, async (ctx) => reportCaseResult(ctx, await runCase(p, c, control)));
}
