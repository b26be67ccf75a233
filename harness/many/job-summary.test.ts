import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Report, ReportResult } from '../report/report.js';
import { buildIndex, type IndexEntry, type TargetOutcome } from './index-report.js';
import { annotationLines, escapeData, escapeProperty, jobSummary, publishToCi } from './job-summary.js';

const result = (id: string, severity: ReportResult['severity'], verdict: ReportResult['verdict'], reason = 'accepted but must be refused'): ReportResult => ({
  id,
  title: id,
  severity,
  expect: 'reject',
  observed: null,
  verdict,
  reason,
  rationale: '',
  refs: [],
});

function outcome(target: string, results: ReportResult[], dir = '/nowhere'): TargetOutcome {
  const fail = results.filter((r) => r.verdict === 'fail').length;
  const report = { target: { kind: 'url', url: target }, results, summary: { verdict: fail ? 'non-conformant' : 'conformant' } } as unknown as Report;
  const entry: IndexEntry = { target, profile: 'intermediate', reportDir: 'x', exitCode: fail ? 1 : 0, verdict: fail ? 'non-conformant' : 'conformant', pass: 0, fail, inconclusive: 0, skip: 0 };
  return { entry, dir, report };
}

describe('workflow commands', () => {
  test("escaped per GitHub's rules: %, CR, LF in data; and : , in properties", () => {
    expect(escapeData('50% done\r\nnext: a,b')).toBe('50%25 done%0D%0Anext: a,b');
    expect(escapeProperty('50% done\r\nnext: a,b')).toBe('50%25 done%0D%0Anext%3A a%2Cb');
  });

  test('one ::error per required failure (title = case id), ::warning per recommended finding, a waived or info one none', () => {
    const o = outcome('https://a.example', [
      result('server/client-auth/expired', 'required', 'fail', 'line one\n::error::forged'),
      result('server/client-auth/revoked', 'recommended', 'fail'),
      result('server/protocol/tls1.2', 'required', 'pass'),
      result('server/info/x', 'info', 'fail'),
      { ...result('server/client-auth/rsa-1024', 'required', 'fail'), waived: 'until June' },
    ]);
    const lines = annotationLines([o]);
    expect(lines).toEqual([
      '::error title=server/client-auth/expired::https://a.example: fail: line one%0A::error::forged',
      '::warning title=server/client-auth/revoked::https://a.example: accepted but must be refused',
    ]);
  });

  test('a target that could not run is an error; a title with : and , cannot end the property', () => {
    const entry: IndexEntry = { target: 'https://b.example:1,x', profile: 'p', reportDir: 'b', exitCode: 3, verdict: 'could-not-run', pass: 0, fail: 0, inconclusive: 0, skip: 0, error: 'error: connection refused' };
    expect(annotationLines([{ entry, dir: '/b', report: null }])).toEqual(['::error title=https%3A//b.example%3A1%2Cx%3A could not run::https://b.example:1,x: error: connection refused']);
  });

  test('at most 10 of each, then one notice saying how many more', () => {
    const many = Array.from({ length: 13 }, (_, i) => result(`server/a/e${i}`, 'required', 'fail'));
    const warn = Array.from({ length: 12 }, (_, i) => result(`server/a/w${i}`, 'recommended', 'inconclusive'));
    const lines = annotationLines([outcome('https://a.example', [...many, ...warn])]);
    expect(lines.filter((l) => l.startsWith('::error '))).toHaveLength(10);
    expect(lines.filter((l) => l.startsWith('::warning '))).toHaveLength(10);
    expect(lines.at(-1)).toBe('::notice title=more findings::3 more errors and 2 more warnings not annotated: GitHub shows at most 10 of each per step. Every case is in junit.xml and in each target\'s report.');
  });
});

describe('job summary', () => {
  const index = buildIndex([outcome('https://a.example', [result('server/a/b', 'required', 'fail')]).entry, outcome('https://b.example', []).entry]);

  test('the index table first, then each target report, until the bound, with a line saying what was cut', () => {
    const details = [
      { target: 'https://a.example', markdown: `## A\n${'a'.repeat(3000)}` },
      { target: 'https://b.example', markdown: `## B\n${'b'.repeat(3000)}` },
    ];
    const all = jobSummary(index, details);
    expect(all.startsWith('# mTLS conformance: 2 targets\n')).toBe(true);
    expect(all).toContain('| https://a.example | intermediate | non-conformant |');
    expect(all.indexOf('## A')).toBeGreaterThan(all.indexOf('| https://b.example |'));
    expect(all).toContain('## B');
    const cut = jobSummary(index, details, 5000);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(5000);
    expect(cut).toContain('## A');
    expect(cut).not.toContain('## B');
    expect(cut).toContain('_1 of 2 target reports cut to keep this summary under GitHub\'s 1 MiB limit');
  });

  test('1000 targets with long error lines: still under the bound, rows cut with a line saying so', () => {
    const big = buildIndex(Array.from({ length: 1000 }, (_, i) => ({ ...outcome(`https://t${i}.example`, []).entry, error: 'x'.repeat(2000) })));
    const s = jobSummary(big, [], 200_000);
    expect(Buffer.byteLength(s)).toBeLessThanOrEqual(200_000);
    expect(s).toMatch(/_\d+ of 1000 index rows cut/);
  });

  test('publishToCi appends to $GITHUB_STEP_SUMMARY (what was there stays) and annotates only under GITHUB_ACTIONS=true', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtls-summary-'));
    writeFileSync(join(dir, 'report.md'), '## report of a\n');
    const file = join(dir, 'summary.md');
    writeFileSync(file, 'earlier step\n');
    const outcomes = [outcome('https://a.example', [result('server/a/b', 'required', 'fail')], dir), outcome('https://b.example', [])];
    const written: string[] = [];
    await publishToCi(index, outcomes, { env: { GITHUB_STEP_SUMMARY: file }, write: (l) => written.push(l) });
    expect(written).toEqual([]);
    const summary = readFileSync(file, 'utf8');
    expect(summary.startsWith('earlier step\n# mTLS conformance: 2 targets')).toBe(true);
    expect(summary).toContain('## report of a');
    await publishToCi(index, outcomes, { env: { GITHUB_ACTIONS: 'true' }, write: (l) => written.push(l) });
    expect(written).toEqual(['::error title=server/a/b::https://a.example: fail: accepted but must be refused\n']);
  });
});
