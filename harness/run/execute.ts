import type { CaseResult, Observation, Recipe, ResolvedCase } from '../model.js';
import { bounded, caseBoundMs, observeControl, runCase, runCaseWithControl, type RolePlan } from './case-body.js';
import { checkRunNumber } from './run-bounds.js';

/**
 * The second stage of a run (prepare.ts -> execute.ts -> finish.ts): plan -> results, without a
 * test runner. The positive control first (every rejection is judged against it), then the other
 * cases, at most `concurrency` at once, each within its bound. Results come back in plan order.
 */

/** The control of the cases whose client verifies a DNS name (harness/cases/deep/hostname.ts). */
export const NAME_CONTROL_ID = 'client/hostname/dns-name-control';

export interface ExecuteOptions {
  concurrency: number;
  /**
   * --repeat: each reject case runs this many times, one run after the other in its worker (so
   * --concurrency still bounds the connections at once); one acceptance fails it. Default 1.
   */
  repeat?: number;
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
  // Exported by the package: its numbers are checked as the flags' are (NaN workers would run nothing).
  checkRunNumber('concurrency', opts.concurrency);
  if (opts.repeat !== undefined) checkRunNumber('repeat', opts.repeat);
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
  // The control is observed first, in the first worker's slot; the other workers start the cases
  // with probes of their own meanwhile (they are judged once the control is in), so --concurrency
  // still bounds what runs at once and at --concurrency 1 the control runs alone as before.
  const controlReady = bounded(observeControl(p), caseBoundMs(p, controlCase), `the positive control ${controlCase.id}`).then(
    (o) => {
      control = o;
    },
    (err) => {
      controlError = (err as Error)?.message ?? String(err);
    },
  );
  const controlObservation = controlReady.then(() => control);

  // The cases that make a client verify a DNS name (deep suite, RFC 6761 .localhost) rest on one
  // control: a valid certificate for that name. A client that cannot reach the name fails the
  // control, and the others are skipped with the reason, never reported as its failures.
  const nameControl = cases.find((c) => c.id === NAME_CONTROL_ID);
  // Judged against the positive control, so it waits for it (only a deep client run has a name control).
  const nameControlResult = nameControl ? await controlReady.then(() => runCase(p, nameControl, control)) : undefined;
  const unreachableName = nameControlResult && nameControlResult.observation?.outcome !== 'accepted' ? nameControlResult : undefined;

  const results: CaseResult[] = new Array(cases.length);
  const order = startOrder(cases);
  let next = 0;
  const worker = async (w: number) => {
    if (w === 0) await controlReady;
    while (next < order.length) {
      const i = order[next++]!;
      const c = cases[i]!;
      if (c.positiveControl) await controlReady;
      const serverName = c.recipe.kind === 'reference-server' ? c.recipe.serverName : undefined;
      const r =
        c.positiveControl && controlError
          ? { case: c, observation: null, verdict: { verdict: 'inconclusive' as const, reason: `the positive control could not be observed: ${controlError}` } }
          : c === nameControl && nameControlResult
            ? nameControlResult
            : serverName && unreachableName
              ? {
                  case: c,
                  observation: null,
                  verdict: {
                    verdict: 'skip' as const,
                    reason: `the client did not reach ${serverName} (${NAME_CONTROL_ID} was not accepted: ${unreachableName.observation?.detail ?? unreachableName.verdict.reason}); give it {resolve} (curl --resolve), dial {connect} and verify {name}, or use a resolver that maps .localhost to 127.0.0.1`,
                  },
                }
              : await runRepeated(p, c, controlObservation, repeatsOf(c, opts.repeat));
      results[i] = r;
      opts.onResult?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, cases.length)) }, (_, w) => worker(w)));
  await controlReady;
  return { results, control, controlError };
}

/**
 * Many round trips in a row: a suite sweep sends one ClientHello per suite, the CertificateVerify
 * probe runs a control and a wrong-key handshake per version, a version probe one raw hello per
 * version. Started first, they overlap with the one-handshake cases instead of running alone at
 * the end of the run; the rest keep plan order.
 */
const LONG_RUNNING: Partial<Record<Recipe['kind'], number>> = { 'suite-sweep': 0, 'certificate-verify': 1, 'raw-version': 2, 'fallback-scsv': 2 };

/** Indices of `cases` in the order they start (pure; results still come back in plan order). */
export function startOrder(cases: readonly ResolvedCase[]): number[] {
  const rank = (c: ResolvedCase) => LONG_RUNNING[c.recipe.kind] ?? 3;
  return cases.map((_, i) => i).sort((a, b) => rank(cases[a]!) - rank(cases[b]!) || a - b);
}

/** How many times `c` runs under --repeat (or the vitest embedding's `repeat`): only a reject case repeats, since one acceptance in n is the finding; a skipped case never runs. */
export function repeatsOf(c: ResolvedCase, repeat = 1): number {
  // Repeating looks for an acceptance of a reject case; an answer-within case accepts or refuses as it may.
  return c.expect === 'reject' && !c.skip && !c.answerWithin ? repeat : 1;
}

/**
 * A case run `times` times. A reject case that is let in once in n is not conformant (a runtime
 * once accepted an untrusted client certificate about one time in five): the verdict fails with
 * "accepted k of n" and the observation is the first accepting one. Otherwise a refusal every
 * time passes; any run without a clear answer makes the whole inconclusive.
 */
export async function runRepeated(p: RolePlan, c: ResolvedCase, control: Observation | null | Promise<Observation | null>, times: number): Promise<CaseResult> {
  const ready = Promise.resolve(control);
  if (times <= 1) return runCaseWithControl(p, c, ready);
  const runs: CaseResult[] = [];
  for (let i = 0; i < times; i++) runs.push(await runCaseWithControl(p, c, ready));
  return combineRepeats(runs);
}

/** The verdict of n runs of one reject case (pure). */
export function combineRepeats(runs: CaseResult[]): CaseResult {
  const n = runs.length;
  // A reject case fails only when a bad input was let in (harness/judge.ts).
  const failed = runs.filter((r) => r.verdict.verdict === 'fail');
  if (failed.length > 0) {
    const first = failed[0]!;
    return { ...first, verdict: { verdict: 'fail', reason: `accepted ${failed.length} of ${n}: ${first.verdict.reason}` } };
  }
  const unclear = runs.filter((r) => r.verdict.verdict !== 'pass');
  if (unclear.length > 0) {
    const first = unclear[0]!;
    return { ...first, verdict: { verdict: first.verdict.verdict, reason: `refused ${n - unclear.length} of ${n}, no clear answer ${unclear.length} of ${n}: ${first.verdict.reason}` } };
  }
  const last = runs[n - 1]!;
  return { ...last, verdict: { verdict: 'pass', reason: `refused ${n} of ${n}: ${last.verdict.reason}` } };
}
