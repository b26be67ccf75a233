/**
 * Conformance suite for a target that is a server: one vitest test per case, titled with the
 * case id. Thin on purpose: probing is in harness/probes, judging in harness/judge.
 */
import { beforeAll, inject, test } from 'vitest';
import { runCaseTest } from './case-test.js';
import {
  probeCase,
  probeRawVersion,
  probeServerControl,
  probeServerFallback,
  probeServerRenegotiation,
  probeSessionLifetime,
  probeSuiteSweep,
  sessionWaitMs,
  type ServerPlan,
} from '../harness/run/plan.js';
import type { Observation } from '../harness/model.js';

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

async function observe(c: (typeof plan.cases)[number]): Promise<Observation | null> {
  const recipe = c.recipe;
  if (c.skip) return null;
  switch (recipe.kind) {
    case 'client-handshake':
      return c.positiveControl ? control : probeCase(plan, recipe);
    case 'raw-version':
      return probeRawVersion(plan, recipe);
    case 'suite-sweep':
      return probeSuiteSweep(plan, recipe);
    case 'session-lifetime':
      return probeSessionLifetime(plan);
    case 'renegotiation':
      return probeServerRenegotiation(plan);
    case 'fallback-scsv':
      return probeServerFallback(plan);
    default:
      return control;
  }
}

for (const c of plan.cases) {
  // The session case waits in real time with --slow: the profile's maximum lifetime and a margin.
  const bound = plan.timeoutMs * 2 + 1000 + (c.recipe.kind === 'session-lifetime' ? plan.timeoutMs * 4 + sessionWaitMs(plan) : 0);
  test.concurrent(c.id, { timeout: bound }, (ctx) => runCaseTest(ctx, c, plan.profile, control, () => observe(c)));
}
