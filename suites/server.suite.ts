/**
 * Conformance suite for a target that is a server: one vitest test per case, titled with the
 * case id (suites/define-suite.ts). Thin on purpose: probing and judging live in harness/.
 */
import { inject } from 'vitest';
import { defineSuite } from './define-suite.js';
import type { ServerPlan } from '../harness/plan.js';

declare module 'vitest' {
  export interface ProvidedContext {
    serverPlan: ServerPlan;
  }
}

defineSuite({ role: 'server', plan: inject('serverPlan') });
