import type { CaseResult, Observation } from '../model.js';
import { bounded, caseBoundMs, observeControl, runCase, type RolePlan } from './case-body.js';

/**
 * The second stage of a run (prepare.ts -> execute.ts -> finish.ts): plan -> results, without a
 * test runner. The positive control first (every rejection is judged against it), then the other
 * cases, at most `concurrency` at once, each within its bound. Results come back in plan order.
 */

export interface ExecuteOptions {
  concurrency: number;
  /** Called as each case is judged (live progress). */
  onResult?: (r: CaseResult) => void;
}

export interface Executed {
  results: CaseResult[];
  control: Observation | null;
  /** Why the control has no observation (a harness fault or an overrun), if it has none. */
  controlError?: string;
}

export async function executePlan(plan: RolePlan, opts: ExecuteOptions): Promise<Executed> {
  // The CRL distribution points and OCSP URL the certificates name are served for the length of the run.
  const responder = plan.plan.revocation ? await (await import('../peers/revocation-responder.js')).startRevocationResponder(plan.plan.revocation) : undefined;
  try {
    return await executeWith({ ...plan, responder } as RolePlan, opts);
  } finally {
    await responder?.close();
  }
}

async function executeWith(p: RolePlan, opts: ExecuteOptions): Promise<Executed> {
  const cases = p.plan.cases;
  const controlCase = p.plan.control;
  let control: Observation | null = null;
  let controlError: string | undefined;
  try {
    control = await bounded(observeControl(p), caseBoundMs(p, controlCase), `the positive control ${controlCase.id}`);
  } catch (err) {
    controlError = (err as Error)?.message ?? String(err);
  }

  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i]!;
      const r =
        c.positiveControl && controlError
          ? { case: c, observation: null, verdict: { verdict: 'inconclusive' as const, reason: `the positive control could not be observed: ${controlError}` } }
          : await runCase(p, c, control);
      results[i] = r;
      opts.onResult?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, cases.length)) }, worker));
  return { results, control, controlError };
}
