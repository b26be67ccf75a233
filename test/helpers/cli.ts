import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Run the built CLI as a child process, the way a user's CI does. Bounded in time. */

export const CLI = fileURLToPath(new URL('../../dist/cli/conformance.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; node?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.node ?? process.execPath, [CLI, ...args], {
      cwd: opts.cwd,
      // No step summary from the project's own test runs, even under GitHub Actions.
      env: { ...process.env, NO_COLOR: '1', GITHUB_STEP_SUMMARY: '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 60_000} ms\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Verdicts by case id from a report.json. */
export function verdictsOf(report: { results: { id: string; verdict: string }[] }): Record<string, string> {
  return Object.fromEntries(report.results.map((r) => [r.id, r.verdict]));
}
