/**
 * What the suite file does: one vitest test per case, titled with the case id, through the case
 * body the CLI runs (harness/run/case-body.ts); the positive control first, in beforeAll.
 *
 * The cases are probed concurrently (at most `concurrency` at once, as the CLI does), but the tests
 * that report them run one after another: vitest files a console line under the test it thinks is
 * current, and with concurrent tests that is whichever started last, so a finding's warning
 * appeared under another test's header. Each test awaits its own case's result instead.
 *
 * `repeat` runs each reject case that many times through the CLI's own runRepeated (execute.ts),
 * so "accepted k of n" means the same in a vitest test as in `conformance run --repeat`.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import { reportCaseResult } from './case-test.js';
import { caseBoundMs, observeControl, type RolePlan } from '../harness/run/case-body.js';
import { repeatsOf, runRepeated } from '../harness/run/execute.js';
import type { CaseResult, Observation, ResolvedCase, SuiteName } from '../harness/model.js';
import { startRevocationResponder } from '../harness/peers/revocation-responder.js';
import { groupByFamily } from '../harness/report/family.js';

export interface SuiteOptions {
  /** Cases probed at once (serverSuite's `concurrency`). */
  concurrency?: number;
  /** Runs of each reject case (serverSuite's `repeat`, the CLI's --repeat); one acceptance fails it. Default 1. */
  repeat?: number;
  /**
   * The suite the plan was made from (serverSuite's `suite`, the CLI's --suite). deep and
   * exhaustive hold hundreds of cases: their tests sit in a describe block per family (the family
   * the reports group by, familyOf), so vitest's tree and failure headers read
   * `name-constraints > server/name-constraints/...`. The default suite's few dozen tests stay flat.
   */
  suite?: SuiteName;
}

export function defineSuite(p: RolePlan, opts: SuiteOptions = {}): void {
  const results = new Map<string, Promise<CaseResult>>();
  const grouped = (opts.suite ?? 'core') !== 'core';
  // Families in order of first appearance, cases in plan order within each: the order the tests are
  // declared in, and so the order the cases must start in (see below).
  const families = grouped ? groupByFamily(p.plan.cases) : new Map([['', p.plan.cases]]);
  const ordered = [...families.values()].flat();

  beforeAll(async () => {
    // The CRL distribution points and OCSP URL the certificates name, served in this worker so the
    // revocation cases see what the target fetched (as executePlan does for the CLI).
    if (p.plan.revocation) p.responder = await startRevocationResponder(p.plan.revocation);
    const control = await observeControl(p);
    startCases(p, ordered, control, { concurrency: Math.max(1, opts.concurrency ?? 8), repeat: opts.repeat ?? 1 }, results);
  }, caseBoundMs(p, p.plan.control));

  afterAll(async () => {
    // Every started case settles within its bound: the responder outlives them.
    await Promise.allSettled(results.values());
    await p.responder?.close();
  });

  const declare = (cases: ResolvedCase[]) => {
    for (const c of cases) {
      // Tests run in declaration order and the pool starts cases in that order, so when this test
      // starts, its case is running or done: the test waits at most the case's own bound, once per run of it.
      test(c.id, { timeout: caseBoundMs(p, c) * repeatsOf(c, opts.repeat) + 1000 }, async (ctx) => reportCaseResult(ctx, await results.get(c.id)!));
    }
  };
  for (const [family, cases] of families) {
    if (grouped) describe(family, () => declare(cases));
    else declare(cases);
  }
}

/** Start every case, `concurrency` at a time in the order given (the tests' order; a repeated case's runs one after another in its slot); each id's promise settles with its result. */
function startCases(p: RolePlan, cases: ResolvedCase[], control: Observation | null, { concurrency, repeat }: { concurrency: number; repeat: number }, into: Map<string, Promise<CaseResult>>): void {
  const settle = new Map<string, { resolve: (r: CaseResult) => void; reject: (e: unknown) => void }>();
  for (const c of cases) {
    const promise = new Promise<CaseResult>((resolve, reject) => settle.set(c.id, { resolve, reject }));
    // Awaited by its test; a harness fault must not also surface as an unhandled rejection.
    promise.catch(() => undefined);
    into.set(c.id, promise);
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const c = cases[next++]!;
      const r = settle.get(c.id)!;
      await runRepeated(p, c, control, repeatsOf(c, repeat)).then(r.resolve, r.reject);
    }
  };
  for (let i = 0; i < Math.min(concurrency, cases.length); i++) void worker();
}
