import { describe, expect, test } from 'vitest';
import { mdText, renderMarkdownReport } from './markdown-report.js';
import type { Report, ReportResult } from './report.js';
import type { Observation } from '../model.js';

// A hand-built report: one case of each kind the summary treats differently.
function obs(extra: Partial<Observation>): Observation {
  return { outcome: 'http-status', alert: null, httpStatus: 200, tlsVersion: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', detail: 'HTTP 200', durationMs: 5, ...extra };
}

function result(id: string, verdict: ReportResult['verdict'], extra: Partial<ReportResult> = {}): ReportResult {
  return { id, title: `title of ${id}`, severity: 'required', expect: 'reject', observed: obs({}), verdict, reason: `reason of ${id}`, rationale: 'because', refs: ['RFC 5280 §6.1'], ...extra };
}

function report(results: ReportResult[], verdict: Report['summary']['verdict']): Report {
  const count = (v: string) => results.filter((r) => r.verdict === v).length;
  return {
    schemaVersion: 1,
    tool: { name: 'mtls-conformance', version: '0.1.0', node: '24.0.0', openssl: '3.5.0' },
    target: { kind: 'url', url: 'https://partner.example:8443' },
    profile: { name: 'intermediate', sha256: 'ab'.repeat(32), source: 'builtin:intermediate' },
    startedAt: '2026-01-02T03:04:05.000Z',
    durationMs: 2500,
    summary: { pass: count('pass'), fail: count('fail'), inconclusive: count('inconclusive'), skip: count('skip'), verdict },
    results,
  };
}

const mixed = report(
  [
    result('server/client-auth/valid', 'pass', { expect: 'accept', reason: 'accepted (HTTP 200)' }),
    result('server/client-auth/expired', 'fail', { reason: 'accepted (HTTP 200) but must be refused: validity ended' }),
    result('server/client-auth/eku-absent', 'fail', { severity: 'recommended' }),
    result('server/protocol/tls1.0', 'fail', { waived: 'legacy partner until Q3 (TICKET-12)' }),
    result('server/client-auth/untrusted-ca', 'inconclusive', { observed: obs({ outcome: 'timeout', httpStatus: null }), reason: 'expected a refusal but observed timeout' }),
    result('server/protocol/tls1.1', 'pass', { waived: 'old waiver', waiverUnneeded: true, observed: obs({ outcome: 'handshake-alert', alert: { code: 70, name: 'protocol_version' }, httpStatus: null }) }),
    result('server/client-auth/unexpected-identity', 'skip', { observed: null, reason: 'the profile has no clientIdentity rule' }),
  ],
  'non-conformant',
);

describe('renderMarkdownReport', () => {
  const md = renderMarkdownReport(mixed);

  test('heads with the verdict, the target and profile, and the counts', () => {
    expect(md.split('\n')[0]).toBe('## ❌ NON-CONFORMANT: mTLS conformance');
    expect(md).toContain('**Target** https://partner.example:8443');
    expect(md).toContain(`**Profile** intermediate (sha256 ${'ab'.repeat(6)})`);
    // 3 fails, of which 1 decides: the recommended one and the waived one are findings.
    expect(md).toContain('| Cases | Pass | Fail | Findings | Inconclusive | Skip |');
    expect(md).toContain('| 7 | 2 | 1 | 2 | 1 | 1 |');
    expect(md).not.toContain('**Cause:**');
  });

  test('the deciding failures first, then inconclusive, then findings; findings are not under a failure heading', () => {
    const at = (h: string) => md.indexOf(h);
    expect(at('### Required failures (1)')).toBeGreaterThan(0);
    expect(at('### Required failures (1)')).toBeLessThan(at('### Inconclusive cases (1)'));
    expect(at('### Inconclusive cases (1)')).toBeLessThan(at('### Findings (2): do not decide the verdict'));
    const failing = md.slice(at('### Required failures'), at('### Inconclusive'));
    expect(failing).toContain('| server/client-auth/expired | required | reject | HTTP 200 | accepted (HTTP 200) but must be refused: validity ended |');
    expect(failing).not.toContain('eku-absent');
    expect(failing).not.toContain('tls1.0');
    const findings = md.slice(at('### Findings'), at('### Waived'));
    // Two families among the findings: a table under each family's name.
    expect(findings).toContain('**server/client-auth** (1)');
    expect(findings).toContain('**server/protocol** (1)');
    expect(findings).toContain('| server/client-auth/eku-absent | recommended (does not decide) | reject |');
    expect(findings).toContain('| server/protocol/tls1.0 | required, **waived**: legacy partner until Q3 (TICKET-12) |');
    expect(findings).not.toContain('server/client-auth/valid ');
  });

  test('a count line per family: cases, pass, fail, findings, inconclusive, skip', () => {
    const section = md.slice(md.indexOf('### Results by family (2)'));
    expect(section).toContain('| Family | Cases | Pass | Fail | Findings | Inconclusive | Skip |');
    expect(section).toContain('| server/client-auth | 5 | 1 | 1 | 1 | 1 | 1 |');
    expect(section).toContain('| server/protocol | 2 | 1 | 0 | 1 | 0 | 0 |');
  });

  test('a family the case names wins over its id', () => {
    const named = renderMarkdownReport(report([result('client/deep/nc-dns-1', 'fail', { family: 'client/name-constraints' }), result('client/deep/pathlen-1', 'pass')], 'non-conformant'));
    expect(named).toContain('| client/name-constraints | 1 | 0 | 1 | 0 | 0 | 0 |');
    expect(named).toContain('| client/deep | 1 | 1 | 0 | 0 | 0 | 0 |');
  });

  test('the cause of an inconclusive run, with the client stderr line it quotes', () => {
    const out = renderMarkdownReport({
      ...report([result('client/server-auth/valid', 'inconclusive', { expect: 'accept' })], 'inconclusive'),
      cause: { case: 'client/server-auth/valid', text: 'the positive control client/server-auth/valid was not accepted (no connection): the client must trust /c/ca.pem', clientStderr: 'curl: (60) SSL certificate problem' },
    });
    const at = out.indexOf('> **Cause:** the positive control client/server-auth/valid was not accepted (no connection): the client must trust /c/ca.pem');
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(out.indexOf('| Cases |'));
    expect(out).toContain('> client stderr: curl: (60) SSL certificate problem');
  });

  test('with a cause, the inconclusive cases are the control and one line, not a row each', () => {
    const rows = [result('client/server-auth/valid', 'inconclusive', { expect: 'accept' }), ...Array.from({ length: 30 }, (_, i) => result(`client/server-auth/c${i}`, 'inconclusive'))];
    const out = renderMarkdownReport({ ...report(rows, 'inconclusive'), cause: { case: 'client/server-auth/valid', text: 'why' } });
    expect(out).toContain('### Inconclusive cases (31)');
    expect(out).toContain('| client/server-auth/valid | required | accept |');
    expect(out).toContain('30 more judged against the positive control client/server-auth/valid, which was not accepted (the cause is above)');
    expect(out).not.toContain('| client/server-auth/c0 |');
  });

  test('a section lists at most 100 rows, then says how many more', () => {
    const rows = Array.from({ length: 250 }, (_, i) => result(`client/deep/c${i}`, 'fail'));
    const out = renderMarkdownReport(report(rows, 'non-conformant'));
    expect(out.match(/^\| client\/deep\/c\d+ \|/gm)).toHaveLength(100);
    expect(out).toContain('… and 150 more: every case is in report.html and report.json.');
    expect(out).toContain('| client/deep | 250 | 0 | 250 | 0 | 0 | 0 |');
  });

  test('lists inconclusive cases, waivers (saying when one can go) and skips', () => {
    expect(md).toContain('### Inconclusive cases (1)');
    expect(md).toContain('| server/client-auth/untrusted-ca | required | reject | timeout | expected a refusal but observed timeout |');
    expect(md).toContain('- server/protocol/tls1.0: fail, not counted (waived: legacy partner until Q3 (TICKET-12))');
    expect(md).toContain('- server/protocol/tls1.1: now passes: remove the waiver (waived: old waiver)');
    expect(md).toContain('<details><summary>Skipped cases (1)</summary>');
    expect(md).toContain('- server/client-auth/unexpected-identity: the profile has no clientIdentity rule');
  });

  test('a conformant run says so and has no failure section', () => {
    const ok = renderMarkdownReport(report([result('server/client-auth/valid', 'pass', { expect: 'accept' })], 'conformant'));
    expect(ok.split('\n')[0]).toBe('## ✅ CONFORMANT: mTLS conformance');
    expect(ok).not.toContain('### Required failures');
    expect(ok).toContain('Every case that ran passed.');
  });

  test('target-controlled text cannot inject HTML, break the table, mention people or add links', () => {
    const hostile = 'HTTP 200: <script>alert(1)</script> | x\n| y @octo-org/team [click](https://evil.example) `code` *b* _i_';
    const out = renderMarkdownReport(report([result('server/client-auth/expired', 'fail', { reason: hostile })], 'non-conformant'));
    const row = out.split('\n').find((l) => l.startsWith('| server/client-auth/expired'))!;
    expect(row).toBeDefined();
    expect(row).not.toContain('<script>');
    expect(row).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // Five cells: six unescaped pipes, however many the text carried.
    expect(row.match(/(?<!\\)\|/g)).toHaveLength(6);
    expect(row).toContain('&#64;octo-org/team');
    expect(row).toContain('\\[click\\](https://evil.example)');
    expect(row).toContain('\\`code\\` \\*b\\* \\_i\\_');
  });

  test('mdText keeps words with underscores readable and bounds long text', () => {
    expect(mdText('certificate_required')).toBe('certificate_required');
    expect(mdText('x'.repeat(1000))).toHaveLength(401);
  });
});
