/**
 * Conformance suite for a target that is a client: one vitest test per case, titled with the case
 * id (suites/define-suite.ts). Each case starts its own reference server and runs the client once.
 */
import { inject } from 'vitest';
import { defineSuite } from './define-suite.js';
import type { ClientPlan } from '../harness/run/plan.js';

declare module 'vitest' {
  export interface ProvidedContext {
    clientPlan: ClientPlan;
  }
}

defineSuite({ role: 'client', plan: inject('clientPlan') });
