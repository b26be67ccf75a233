/**
 * Conformance suite for a target that is a client: one vitest test per case, titled with the case
 * id. Each case starts its own reference server and runs the client command once against it.
 */
import { afterAll, beforeAll, inject, test } from 'vitest';
import { reportCaseResult } from './case-test.js';
import { caseBoundMs, observeControl, runCase, type RolePlan } from '../harness/run/case-body.js';
import type { ClientPlan } from '../harness/run/plan.js';
import type { Observation } from '../harness/model.js';
import { startRevocationResponder } from '../harness/peers/revocation-responder.js';

declare module 'vitest' {
  export interface ProvidedContext {
    clientPlan: ClientPlan;
  }
}

const p: RolePlan = { role: 'client', plan: inject('clientPlan') };
let control: Observation | null = null;

beforeAll(async () => {
  // The CRL distribution points and OCSP URL the server certificates name (as executePlan does for the CLI).
  if (p.plan.revocation) p.responder = await startRevocationResponder(p.plan.revocation);
  control = await observeControl(p);
}, caseBoundMs(p, p.plan.control));

afterAll(async () => {
  await p.responder?.close();
});

for (const c of p.plan.cases) {
  test.concurrent(c.id, { timeout: caseBoundMs(p, c) + 1000 }, async (ctx) => reportCaseResult(ctx, await runCase(p, c, control)));
}
