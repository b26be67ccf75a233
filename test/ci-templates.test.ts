import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

// The CI templates are YAML a user copies: they must parse, and use the keys their CI expects.
const read = (p: string) => parse(readFileSync(new URL(`../${p}`, import.meta.url), 'utf8')) as Record<string, any>;
const CLI_FLAGS = ['--target', '--target-client', '--profile', '--certs', '--report-dir', '--target-ca'];

function flagsIn(text: string): string[] {
  return [...text.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]).filter((f) => !['--yes'].includes(f));
}

describe('CI templates', () => {
  test('action.yml is a composite action with inputs, a run step and an artifact upload', () => {
    const a = read('action.yml');
    expect(a.runs.using).toBe('composite');
    expect(Object.keys(a.inputs)).toEqual(expect.arrayContaining(['target', 'target-client', 'profile', 'report-dir']));
    const steps = a.runs.steps as { uses?: string; run?: string; shell?: string; if?: string }[];
    expect(steps.some((s) => s.uses?.startsWith('actions/setup-node@'))).toBe(true);
    const run = steps.find((s) => s.run?.includes('conformance'))!;
    expect(run.shell).toBe('bash');
    expect(steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))?.if).toBe('always()');
    for (const f of flagsIn(run.run!)) expect(CLI_FLAGS, f).toContain(f);
  });

  test('GitHub workflow: triggers, a job with a service container, the suite, the upload', () => {
    const w = read('examples/ci/github-actions.yml');
    expect(Object.keys(w.on)).toEqual(expect.arrayContaining(['pull_request', 'push']));
    const job = w.jobs.conformance;
    expect(job['runs-on']).toBe('ubuntu-latest');
    expect(Object.values(job.services as Record<string, { image: string }>)[0]!.image).toBeTruthy();
    const steps = job.steps as { uses?: string; run?: string; if?: string }[];
    const run = steps.find((s) => s.run?.includes('conformance run'))!;
    for (const f of flagsIn(run.run!)) expect(CLI_FLAGS, f).toContain(f);
    expect(steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))?.if).toBe('always()');
  });

  test('GitLab job: script, service, artifacts with the junit report', () => {
    const g = read('examples/ci/gitlab-ci.yml');
    const job = g['mtls-conformance'];
    expect(job.image).toMatch(/^node:2[24]/);
    expect(job.services[0].alias).toBe('webhook');
    expect(job.artifacts.when).toBe('always');
    expect(job.artifacts.reports.junit).toBe('conformance-report/junit.xml');
    for (const f of flagsIn((job.script as string[]).join('\n'))) expect(CLI_FLAGS, f).toContain(f);
  });
});
