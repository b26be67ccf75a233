/**
 * vitest globalSetup for `serverSuite()`: runs in vitest's main process, prepares the target (the
 * embedded server or container started, a URL checked) and provides the plan to the suite file;
 * its teardown stops what it started, whatever reporters the user chose.
 */
import type { TestProject } from 'vitest/node';
import { ConformanceError } from '../harness/errors.js';
import { prepareServerPlan, type ServerRunOptions as RunOptions } from '../harness/run/run.js';
import { PLAN_OPTIONS_KEY } from './options.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const provided = (project.config.provide ?? {}) as Record<string, unknown>;
  const opts = provided[PLAN_OPTIONS_KEY] as RunOptions | undefined;
  if (!opts) throw new Error('mtls-conformance: serverSuite() options missing from the vitest config');
  try {
    const prepared = await prepareServerPlan(opts);
    project.provide('serverPlan', prepared.plan);
    return async () => void (await prepared.close());
  } catch (err) {
    // A user error is one line (exit 2/3 in the CLI); here vitest shows it, without our stack.
    if (err instanceof ConformanceError) err.stack = err.message;
    throw err;
  }
}
