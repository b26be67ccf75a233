/**
 * What the suite file does: one vitest test per case, titled with the case id, through the case
 * body the CLI runs (harness/run/case-body.ts); the positive control first, in beforeAll.
 */
import { afterAll, beforeAll, test } from 'vitest';
import { reportCaseResult } from './case-test.js';
import { caseBoundMs, observeControl, runCase, type RolePlan } from '../harness/run/case-body.js';
import type { Observation } from '../harness/model.js';
import { startRevocationResponder } from '../harness/peers/revocation-responder.js';

export function defineSuite(p: RolePlan): void {
  let control: Observation | null = null;

  beforeAll(async () => {
    // The CRL distribution points and OCSP URL the certificates name, served in this worker so the
    // revocation cases see what the target fetched (as executePlan does for the CLI).
    if (p.plan.revocation) p.responder = await startRevocationResponder(p.plan.revocation);
    control = await observeControl(p);
  }, caseBoundMs(p, p.plan.control));

  afterAll(async () => {
    await p.responder?.close();
  });

  for (const c of p.plan.cases) {
    test.concurrent(c.id, { timeout: caseBoundMs(p, c) + 1000 }, async (ctx) => reportCaseResult(ctx, await runCase(p, c, control)));
  }
}
