/** Suites for users' own vitest: provide a ServerPlan as `serverPlan` and include this package's server suite. */
export { probeCase, type ServerPlan } from '../harness/run/plan.js';
export const serverSuitePath = new URL('./server.suite.js', import.meta.url).pathname;
