import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { PACKAGE_ROOT, packagePath } from '../package-root.js';
import { CollectorReporter } from './collector.js';
import type { ClientPlan, ServerPlan } from './plan.js';
import type { CaseResult } from '../model.js';

/**
 * Run the conformance suite through vitest's Node API: the plan goes in with `provide`, results
 * come back through task meta to our collector, and vitest's own junit reporter writes junit.xml.
 */

export type SuiteRunOptions = ({ suite: 'server'; plan: ServerPlan } | { suite: 'client'; plan: ClientPlan }) & {
  concurrency: number;
  junitFile?: string;
  /** Called as each case is judged (live progress). */
  onResult?: (r: CaseResult) => void;
};

export interface SuiteRunResult {
  results: Map<string, CaseResult>;
  errors: string[];
}

export async function runSuite(opts: SuiteRunOptions): Promise<SuiteRunResult> {
  const collector = new CollectorReporter(opts.onResult);
  const suiteFile = relative(PACKAGE_ROOT, packagePath('dist', 'suites', `${opts.suite}.suite.js`));
  // Loaded here, not at the top: `cases`, `profile` and `certs` need no vitest (about 0.3 s of imports).
  const { startVitest } = await import('vitest/node');
  const reporters: NonNullable<Parameters<typeof startVitest>[2]>['reporters'] = [collector];
  if (opts.junitFile) reporters.push(['junit', { outputFile: opts.junitFile, suiteName: 'mtls-conformance' }] as unknown as string);
  const savedExitCode = process.exitCode;
  const cacheDir = mkdtempSync(join(tmpdir(), 'mtls-conformance-vite-'));
  try {
    const vitest = await startVitest(
      'test',
      [],
      {
        root: PACKAGE_ROOT,
        config: false,
        include: [suiteFile],
        // The package may live under node_modules; nothing of ours is excluded.
        exclude: [],
        watch: false,
        reporters,
        provide: opts.suite === 'server' ? { serverPlan: opts.plan } : { clientPlan: opts.plan },
        maxConcurrency: opts.concurrency,
        pool: 'threads',
        isolate: false,
        fileParallelism: false,
        passWithNoTests: true,
        silent: true,
      },
      {
        cacheDir,
        logLevel: 'silent',
        clearScreen: false,
      },
      // vitest's own chatter (banners, "JUNIT report written to") is not ours to print.
      { stdout: new Writable({ write: (_chunk, _enc, done) => done() }) },
    );
    await vitest?.close();
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
    // vitest sets process.exitCode for failed tests; the CLI decides the exit code itself.
    process.exitCode = savedExitCode;
  }
  return { results: collector.results, errors: collector.errors };
}
