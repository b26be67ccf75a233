/**
 * The conformance suites in a user's own vitest (`mtls-conformance/vitest`; vitest ^4 or ^5 as a
 * peer dependency). Works in ESM and CommonJS projects alike, no top-level await:
 *
 *   // vitest.config.ts
 *   import { defineConfig } from 'vitest/config';
 *   import { serverSuite } from 'mtls-conformance/vitest';
 *   export default defineConfig({ test: serverSuite({ target: 'https://127.0.0.1:8443', profile: 'intermediate' }) });
 *
 * Each case becomes a vitest test titled with its id: a required case that does not pass fails;
 * a recommended or info finding passes with a warning annotation.
 */
import { fileURLToPath } from 'node:url';
import type { PreparedServerRun, ServerRunOptions as RunOptions } from '../harness/run/run.js';
import type { ConformanceError } from '../harness/errors.js';
import { checkRunNumber, checkSuite } from '../harness/run/run-bounds.js';
import { PLAN_OPTIONS_KEY } from './options.js';

export { prepareServerPlan, type PreparedServerRun, type ServerRunOptions as RunOptions } from '../harness/run/run.js';
export type { ServerPlan } from '../harness/plan.js';
export { probeCase, runCase, observeCase, judgeCase } from '../harness/run/case-body.js';

/** Absolute path of the server suite file. */
export const serverSuitePath = fileURLToPath(new URL('./server.suite.js', import.meta.url));
const globalSetupPath = fileURLToPath(new URL('./global-setup.js', import.meta.url));

/** What serverSuite() accepts: the `conformance run` options, all but the target optional. */
export type ServerSuiteOptions = Partial<Omit<RunOptions, 'onResult' | 'reportDir' | 'signKey'>> & {
  /** https://host:port, tls://host:port, builtin:strict or builtin:lenient. */
  target: string;
};

/**
 * The block a vitest config is made of, typed loosely on purpose: it fits `test:` of vitest 4 and
 * 5 alike (a type from one major would not type-check against the other).
 */
export interface SuiteTestConfig {
  include: string[];
  exclude: string[];
  globalSetup?: string[];
  provide: Record<string, unknown>;
  maxConcurrency: number;
  testTimeout: number;
  hookTimeout: number;
}

/** The `test` block of a vitest config that runs the server suite against `options.target`. */
const SUITE_OPTIONS = ['target', 'profile', 'certsDir', 'targetCa', 'only', 'suite', 'timeoutMs', 'concurrency', 'httpPath', 'httpMethod', 'protocol', 'servername', 'issuerCert', 'issuerKey', 'slow', 'image', 'repeat'] as const;

/** A misspelt option must not pass silently (a run under another profile than intended would). */
function checkSuiteOptions(options: Record<string, unknown>): void {
  const fail = (what: string) => {
    throw new Error(`mtls-conformance/vitest: serverSuite() ${what}`);
  };
  if (!options || typeof options !== 'object') fail('needs an options object, e.g. serverSuite({ target: "https://127.0.0.1:8443" })');
  for (const key of Object.keys(options)) {
    if (!(SUITE_OPTIONS as readonly string[]).includes(key)) fail(`has no option ${JSON.stringify(key)}. Options: ${SUITE_OPTIONS.join(', ')}.`);
  }
  if (typeof options.target !== 'string' || !options.target) fail('needs target: "https://host:port", "tls://host:port", "builtin:strict" or "builtin:lenient"');
  // The bounds and suite names of `conformance run` (--timeout, --concurrency, --repeat, --suite), in the same words.
  try {
    if (options.timeoutMs !== undefined) checkRunNumber('timeoutMs', options.timeoutMs);
    if (options.concurrency !== undefined) checkRunNumber('concurrency', options.concurrency);
    if (options.repeat !== undefined) checkRunNumber('repeat', options.repeat);
    if (options.suite !== undefined) checkSuite(options.suite);
  } catch (err) {
    fail((err as ConformanceError).detail);
  }
  const only = options.only;
  if (only !== undefined && !(Array.isArray(only) && only.every((g) => typeof g === 'string'))) fail('only must be a list of case-id globs, e.g. ["server/client-auth/*"]');
}

export function serverSuite(options: ServerSuiteOptions): SuiteTestConfig & Record<string, any> {
  checkSuiteOptions(options as unknown as Record<string, unknown>);
  const opts: RunOptions = {
    profile: 'intermediate',
    only: [],
    timeoutMs: 5000,
    concurrency: 8,
    httpPath: '/',
    httpMethod: 'GET',
    ...options,
  };
  return {
    include: [serverSuitePath],
    // The suite lives under node_modules once installed; vitest excludes that by default.
    exclude: [],
    globalSetup: [globalSetupPath],
    provide: { [PLAN_OPTIONS_KEY]: opts },
    maxConcurrency: opts.concurrency,
    // Every case bounds itself; these only keep vitest's own defaults from cutting it short.
    testTimeout: opts.timeoutMs * 6 + 2000,
    hookTimeout: opts.timeoutMs * 6 + 30_000,
  };
}

/**
 * Older form (0.1): a plan prepared by the caller with top-level await, so ESM configs only. The
 * target is stopped by a reporter hook, which a --reporter flag replaces. Prefer serverSuite().
 */
export function serverSuiteConfig(prepared: PreparedServerRun, concurrency = 8): Record<string, any> {
  return {
    include: [serverSuitePath],
    exclude: [],
    provide: { serverPlan: prepared.plan },
    maxConcurrency: concurrency,
    reporters: ['default', { onTestRunEnd: async () => void (await prepared.close()) }],
  };
}
