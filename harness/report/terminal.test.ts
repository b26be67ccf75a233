import { describe, expect, test } from 'vitest';
import type { CaseResult, ResolvedCase } from '../model.js';
import type { Report, ReportResult } from './report.js';
import { formatClosing, formatLiveLine, formatSummaryLine } from './terminal.js';

// NO_COLOR: the text alone (colour is checked through the CLI in test/integration/cli-output.test.ts).
process.env.NO_COLOR = '1';

const kase = (id: string, over: Partial<ResolvedCase> = {}): ResolvedCase =>
  ({ id, title: id, role: 'server', recipe: { kind: 'control' }, refs: [], expect: 'reject', severity: 'required', rationale: '', ...over }) as ResolvedCase;
const obs = { outcome: 'http-status' as const, alert: null, httpStatus: 200, tlsVersion: 'TLSv1.3', cipher: null, detail: 'HTTP 200', durationMs: 4 };
const rr = (id: string, verdict: ReportResult['verdict'], over: Partial<ReportResult> = {}): ReportResult => ({ id, title: id, severity: 'required', expect: 'reject', observed: obs, verdict, reason: `reason of ${id}`, rationale: '', refs: [], ...over });
const report = (results: ReportResult[], extra: Partial<Report> = {}): Report => ({
  schemaVersion: 1,
  tool: { name: 'mtls-conformance', version: '0', node: '24', openssl: '3' },
  target: { kind: 'url', url: 'https://127.0.0.1:1' },
  profile: { name: 'intermediate', sha256: 'a'.repeat(64), source: 'builtin:intermediate' },
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 1000,
  summary: { pass: 0, fail: 0, inconclusive: 0, skip: 0, verdict: 'non-conformant' },
  results,
  ...extra,
});

describe('terminal lines', () => {
  test('a live line: counter, result, id, expectation, observation; a recommended failure is a FINDING', () => {
    const fail: CaseResult = { case: kase('server/client-auth/expired'), observation: obs, verdict: { verdict: 'fail', reason: 'r' } };
    const finding: CaseResult = { case: kase('server/client-auth/eku-absent', { severity: 'recommended' }), observation: obs, verdict: { verdict: 'fail', reason: 'r' } };
    const waived: CaseResult = { case: kase('server/protocol/tls1.0', { waived: 'TICKET-1' }), observation: obs, verdict: { verdict: 'pass', reason: 'r' } };
    expect(formatLiveLine(fail, 3, 41, 30)).toBe(' 3/41 FAIL         server/client-auth/expired      expect reject  observed HTTP 200');
    expect(formatLiveLine(finding, 12, 41, 30)).toBe('12/41 FINDING      server/client-auth/eku-absent   expect reject  observed HTTP 200 (recommended)');
    expect(formatLiveLine(waived, 1, 9, 10)).toMatch(/^1\/9 PASS .* \[waived: TICKET-1; now passes: remove the waiver\]$/);
  });

  test('the closing block: required failures, then inconclusive, then findings, each with its reason; nothing when all passed', () => {
    const r = report([rr('a/b/finding', 'fail', { severity: 'info' }), rr('a/b/incon', 'inconclusive'), rr('a/b/fail', 'fail'), rr('a/b/ok', 'pass')]);
    const text = formatClosing(r);
    const at = (s: string) => text.indexOf(s);
    expect(at('Required failures (1)')).toBe(0);
    expect(at('Required failures (1)')).toBeLessThan(at('Inconclusive (1)'));
    expect(at('Inconclusive (1)')).toBeLessThan(at('Findings (1)'));
    expect(text).toContain('  FAIL         a/b/fail\n               reason of a/b/fail');
    expect(text).toContain('  FINDING      a/b/finding (info)\n               reason of a/b/finding');
    expect(formatClosing(report([rr('a/b/ok', 'pass')]))).toBe('');
  });

  test('the closing block is bounded, and an unaccepted control is said once, not per case', () => {
    const many = Array.from({ length: 14 }, (_, i) => rr(`a/b/c${i}`, 'fail'));
    expect(formatClosing(report(many))).toContain('  … and 4 more: every one is in report.md and report.html');
    const control = report([rr('a/b/valid', 'inconclusive', { expect: 'accept' }), rr('a/b/x', 'inconclusive'), rr('a/b/y', 'inconclusive')], { cause: { case: 'a/b/valid', text: 'why' } });
    const text = formatClosing(control);
    expect(text).toContain('INCONCLUSIVE a/b/valid');
    expect(text).toContain('  2 more judged against the positive control a/b/valid, which was not accepted: see the error below');
    expect(text).not.toContain('a/b/x');
  });

  test('the summary line counts failures that decide, and findings apart', () => {
    const r = report([rr('a/b/f', 'fail'), rr('a/b/g', 'fail', { severity: 'recommended' }), rr('a/b/h', 'fail', { waived: 'W' }), rr('a/b/p', 'pass')]);
    expect(formatSummaryLine(r, '/r/report.json')).toBe('4 cases: 1 pass, 1 fail, 2 findings, 0 inconclusive, 0 skip · NON-CONFORMANT · 1.00 s · report: /r/report.json');
    expect(formatSummaryLine(report([rr('a/b/p', 'pass')], { summary: { pass: 1, fail: 0, inconclusive: 0, skip: 0, verdict: 'conformant' } }))).toBe('1 cases: 1 pass, 0 fail, 0 inconclusive, 0 skip · CONFORMANT · 1.00 s');
  });
});
