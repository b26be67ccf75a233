import type { Reporter, TestCase, TestModule } from 'vitest/node';
import type { CaseResult } from '../model.js';

/**
 * A vitest reporter that keeps what each case recorded in its task meta. The terminal summary
 * and report.json are written from this, after the run, in catalogue order.
 */
export class CollectorReporter implements Reporter {
  readonly results = new Map<string, CaseResult>();
  readonly errors: string[] = [];

  constructor(private readonly onResult?: (r: CaseResult) => void) {}

  onTestCaseResult(testCase: TestCase): void {
    const recorded = (testCase.meta() as { conformance?: CaseResult }).conformance;
    if (recorded) {
      this.results.set(recorded.case.id, recorded);
      this.onResult?.(recorded);
      return;
    }
    const result = testCase.result();
    if (result.state === 'failed') this.errors.push(`${testCase.name}: ${result.errors?.[0]?.message ?? 'failed'}`);
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<{ message?: string }>): void {
    for (const m of modules) for (const e of m.errors()) this.errors.push(e.message ?? String(e));
    for (const e of unhandledErrors) this.errors.push(e.message ?? String(e));
  }
}
