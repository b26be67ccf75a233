/**
 * The conformance suites for users' own vitest runs (`mtls-conformance/vitest`):
 *
 *   // vitest.config.ts
 *   import { defineConfig } from 'vitest/config';
 *   import { prepareServerPlan, serverSuiteConfig } from 'mtls-conformance/vitest';
 *   const prepared = await prepareServerPlan({ target: 'https://127.0.0.1:8443', profile: 'intermediate', ... });
 *   export default defineConfig({ test: serverSuiteConfig(prepared) });
 *
 * Each case becomes a vitest test titled with its id; a required case that does not pass fails.
 */
import { fileURLToPath } from 'node:url';
import type { PreparedServerRun } from '../harness/run/run-server.js';

export { prepareServerPlan, type PreparedServerRun, type RunOptions } from '../harness/run/run-server.js';
export { probeCase, type ServerPlan } from '../harness/run/plan.js';

/** Absolute path of the server suite file. */
export const serverSuitePath = fileURLToPath(new URL('./server.suite.js', import.meta.url));

/** The `test` block of a vitest config that runs the server suite against a prepared target. */
export function serverSuiteConfig(prepared: PreparedServerRun, concurrency = 8) {
  return {
    include: [serverSuitePath],
    // The suite lives under node_modules once installed; vitest excludes that by default.
    exclude: [],
    provide: { serverPlan: prepared.plan },
    maxConcurrency: concurrency,
    // The embedded target or container stops when the run ends, so the process can exit.
    reporters: ['default', { onTestRunEnd: async () => void (await prepared.close()) }] as const,
  };
}
