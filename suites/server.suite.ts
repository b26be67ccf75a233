/**
 * Conformance suite for a target that is a server: one vitest test per case, titled with the
 * case id (suites/define-suite.ts). Thin on purpose: probing and judging live in harness/.
 */
import { inject } from 'vitest';
import { defineSuite } from './define-suite.js';
import { nameSuiteFile } from './suite-name.js';
import type { ServerPlan } from '../harness/plan.js';
import type { SuiteName } from '../harness/model.js';
import { PLAN_OPTIONS_KEY } from './options.js';

declare module 'vitest' {
  export interface ProvidedContext {
    serverPlan: ServerPlan;
    [PLAN_OPTIONS_KEY]: { concurrency?: number; repeat?: number; suite?: SuiteName } | undefined;
  }
}

const plan = inject('serverPlan');
const options = inject(PLAN_OPTIONS_KEY);
const suite = options?.suite ?? 'core';
await nameSuiteFile(`mtls-conformance server suite · ${plan.target.url} · profile ${plan.profile.name}${suite === 'core' ? '' : ` · suite ${suite}`}`);
defineSuite({ role: 'server', plan }, { concurrency: options?.concurrency, repeat: options?.repeat, suite });
