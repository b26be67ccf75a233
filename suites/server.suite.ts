/**
 * Conformance suite for a target that is a server: one vitest test per case, titled with the
 * case id (suites/define-suite.ts). Thin on purpose: probing and judging live in harness/.
 */
import { inject } from 'vitest';
import { defineSuite } from './define-suite.js';
import { nameSuiteFile } from './suite-name.js';
import type { ServerPlan } from '../harness/plan.js';
import { PLAN_OPTIONS_KEY } from './options.js';

declare module 'vitest' {
  export interface ProvidedContext {
    serverPlan: ServerPlan;
    [PLAN_OPTIONS_KEY]: { concurrency?: number; repeat?: number } | undefined;
  }
}

const plan = inject('serverPlan');
await nameSuiteFile(`mtls-conformance server suite · ${plan.target.url} · profile ${plan.profile.name}`);
const options = inject(PLAN_OPTIONS_KEY);
defineSuite({ role: 'server', plan }, { concurrency: options?.concurrency, repeat: options?.repeat });
