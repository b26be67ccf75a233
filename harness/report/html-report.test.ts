import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { areaOf, esc, renderHtmlReport } from './html-report.js';
import type { Report, ReportResult } from './report.js';
import type { Observation } from '../model.js';

// A hand-built report; `detail`, `reason` and the client's stderr carry what a hostile target could send.
const HOSTILE = '</pre></dd></details><script>document.body.dataset.pwned = "1"</script><img src=x onerror="document.body.dataset.pwned=2">\'"&';

function obs(extra: Partial<Observation>): Observation {
  return { outcome: 'http-status', alert: null, httpStatus: 200, tlsVersion: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', detail: 'HTTP 200', durationMs: 5, ...extra };
}

function result(id: string, verdict: ReportResult['verdict'], extra: Partial<ReportResult> = {}): ReportResult {
  return { id, title: `title of ${id}`, severity: 'required', expect: 'reject', observed: obs({}), verdict, reason: `reason of ${id}`, rationale: 'because', refs: ['RFC 5280 §6.1'], ...extra };
}

const results: ReportResult[] = [
  result('server/client-auth/valid', 'pass', { expect: 'accept' }),
  result('server/client-auth/expired', 'fail', { observed: obs({ detail: HOSTILE }), reason: `accepted (HTTP 200): ${HOSTILE}` }),
  result('server/client-auth/untrusted-ca', 'inconclusive', { observed: obs({ outcome: 'timeout', httpStatus: null }) }),
  result('server/client-auth/unexpected-identity', 'skip', { observed: null, severity: 'info' }),
  result('server/protocol/tls1.0', 'fail', { waived: 'partner legacy <b>until</b> Q3', observed: obs({ outcome: 'handshake-alert', alert: { code: 70, name: 'protocol_version' }, httpStatus: null }) }),
  // A fact this renderer does not know by name (from a newer probe) is shown as recorded, escaped.
  result('server/protocol/suites', 'fail', { expect: 'property', observed: { ...obs({}), ...({ sweep: { accepted: ['TLS_RSA_<i>'] } } as object) } }),
  result('server/client-auth/eku-absent', 'fail', { severity: 'recommended', reason: 'accepted a certificate without EKU' }),
  result('client/server-auth/expired', 'pass', {
    severity: 'recommended',
    observed: obs({
      outcome: 'no-connection',
      httpStatus: null,
      client: { exitCode: 1, signal: null, timedOut: false, stdoutTail: '', stderrTail: HOSTILE, connected: false, handshakeCompleted: false, request: null, presentedCertPem: null, presentedAuthorized: false, presentedError: null, observedAt: '2026-01-01T00:00:00Z' },
    }),
  }),
];

const report: Report = {
  schemaVersion: 1,
  tool: { name: 'mtls-conformance', version: '0.1.0', node: '24.0.0', openssl: '3.5.0' },
  target: { kind: 'url', url: 'https://partner.example:8443/<x>' },
  profile: { name: 'intermediate', sha256: 'cd'.repeat(32), source: 'builtin:intermediate' },
  startedAt: '2026-01-02T03:04:05.000Z',
  durationMs: 1234,
  summary: { pass: 2, fail: 3, inconclusive: 1, skip: 1, verdict: 'non-conformant' },
  results,
};

const html = renderHtmlReport(report);

describe('renderHtmlReport', () => {
  test('shows the verdict, and each case as a coloured cell carrying its id, verdict, severity and how it is shown', () => {
    expect(html).toContain('<p id="verdict" class="verdict non-conformant" data-verdict="non-conformant">NON-CONFORMANT</p>');
    for (const r of results) {
      const finding = r.verdict === 'fail' && (r.severity !== 'required' || r.waived);
      const kind = finding ? 'finding' : r.verdict;
      expect(html).toMatch(new RegExp(`<span class="cell verdict-cell" data-id="${r.id}" data-verdict="${r.verdict}" data-severity="${r.severity}"[^>]* data-kind="${kind}"[^>]*>${kind}</span>`));
    }
    // A finding's cell says FINDING, in the finding colour, not the red of a failure.
    expect(html).toMatch(/<details class="case v-fail advisory" id="case-server-client-auth-eku-absent"/);
    expect(html).toMatch(/\.v-finding,\.advisory\{--v:var\(--finding\)\}/);
  });

  test('the pills count failures and findings apart: "2 fail" never counts a finding', () => {
    const pills = html.slice(html.indexOf('<ul class="counts"'), html.indexOf('</ul>', html.indexOf('<ul class="counts"')));
    // 4 results are `fail` in report.json; 2 of them decide (expired, suites), 2 are findings (recommended, waived).
    expect(pills).toContain('<li class="v-fail" data-kind="fail">2 fail</li>');
    expect(pills).toContain('<li class="v-finding" data-kind="finding">2 findings</li>');
    expect(pills).toContain('<li class="v-inconclusive" data-kind="inconclusive">1 inconclusive</li>');
    expect(pills.indexOf('data-kind="fail"')).toBeLessThan(pills.indexOf('data-kind="finding"'));
    expect(html).not.toContain('id="cause"');
  });

  test('what needs a look first: required failures, then inconclusive, then findings, each with its reason', () => {
    const findings = html.slice(html.indexOf('<section id="findings"'), html.indexOf('</section>', html.indexOf('<section id="findings"')));
    expect(html.indexOf('<section id="findings"')).toBeLessThan(html.indexOf('<nav class="overview"'));
    const ids = (id: string) => [...findings.slice(findings.indexOf(`id="${id}"`)).split('</ol>')[0]!.matchAll(/<li data-id="([^"]+)"/g)].map((m) => m[1]);
    // Waived and recommended cases do not decide the run, so they are not among the required failures.
    expect(ids('required-findings')).toEqual(['server/client-auth/expired', 'server/protocol/suites']);
    expect(ids('inconclusive-findings')).toEqual(['server/client-auth/untrusted-ca']);
    expect(ids('advisory-findings')).toEqual(['server/protocol/tls1.0', 'server/client-auth/eku-absent']);
    expect(findings.indexOf('id="required-findings"')).toBeLessThan(findings.indexOf('id="inconclusive-findings"'));
    expect(findings.indexOf('id="inconclusive-findings"')).toBeLessThan(findings.indexOf('id="advisory-findings"'));
    expect(findings).toContain('accepted (HTTP 200): &lt;/pre&gt;');
    const advisory = findings.slice(findings.indexOf('id="advisory-findings"'));
    expect(advisory).toContain('<span class="chip v-finding">finding (recommended)</span><a class="id" href="#case-server-client-auth-eku-absent">server/client-auth/eku-absent</a><span class="why">accepted a certificate without EKU</span>');
    expect(advisory).toContain('<span class="chip v-finding">finding (waived)</span>');
  });

  test('a family by result grid: a row per family, a column per result, counts linking to the family', () => {
    const grid = html.slice(html.indexOf('<table id="grid">'), html.indexOf('</table>'));
    expect(grid).toContain('<th scope="col">Family</th><th scope="col">Cases</th><th scope="col">pass</th><th scope="col">fail</th><th scope="col">finding</th><th scope="col">inconclusive</th><th scope="col">skip</th>');
    const row = (family: string) => grid.split('</tr>').find((r) => r.includes(`<tr data-family="${family}">`))!;
    // server/client-auth: valid pass; expired fail; untrusted-ca inconclusive; unexpected-identity skip; eku-absent finding.
    expect(row('server/client-auth')).toMatch(/<td>5<\/td><td><a class="v-pass" href="#family-server-client-auth" data-family="server\/client-auth" data-kind="pass"[^>]*>1<\/a><\/td><td><a class="v-fail"[^>]*>1<\/a><\/td><td><a class="v-finding"[^>]*>1<\/a><\/td><td><a class="v-inconclusive"[^>]*>1<\/a><\/td><td><a class="v-skip"[^>]*>1<\/a><\/td>/);
    expect(row('server/protocol')).toMatch(/<td>2<\/td><td class="zero">0<\/td><td><a class="v-fail"[^>]*>1<\/a><\/td><td><a class="v-finding"[^>]*>1<\/a><\/td>/);
    expect(row('client/server-auth')).toContain('<td>1</td><td><a class="v-pass"');
    // Every count links to a family section that exists.
    for (const m of grid.matchAll(/href="#(family-[^"]+)"/g)) expect(html).toContain(`<section class="area" id="${m[1]}"`);
  });

  test('the cause of an inconclusive run at the top, with the client stderr line', () => {
    const withCause = renderHtmlReport({ ...report, summary: { ...report.summary, verdict: 'inconclusive' }, cause: { case: 'client/server-auth/valid', text: 'the positive control was not accepted: trust <ca.pem>', clientStderr: 'curl: (60) SSL certificate problem' } });
    const at = withCause.indexOf('<p id="cause" class="cause"><strong>Cause:</strong> the positive control was not accepted: trust &lt;ca.pem&gt;<br>client stderr: <code>curl: (60) SSL certificate problem</code></p>');
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(withCause.indexOf('<section id="findings"'));
  });

  test('a check case shows its finding where the observation would be, not "see reason"', () => {
    expect(html).not.toContain('see reason');
    expect(html).toMatch(/id="case-server-protocol-suites"[\s\S]*?<span>reason of server\/protocol\/suites<\/span><\/summary>/);
  });

  test('groups the cases by family, in report order', () => {
    const areas = [...html.matchAll(/<section class="area" id="[^"]+" data-area="([^"]+)">/g)].map((m) => m[1]);
    expect(areas).toEqual(['server/client-auth', 'server/protocol', 'client/server-auth']);
    expect(areaOf('server/certificate/eku')).toBe('server/certificate');
  });

  test('has filters by verdict, by severity and by id text', () => {
    for (const v of ['pass', 'fail', 'finding', 'inconclusive', 'skip']) expect(html).toContain(`name="verdict" value="${v}" checked`);
    expect(html).toContain('<select id="family"><option value="">all families (3)</option><option value="server/client-auth">server/client-auth (5)</option>');
    for (const s of ['required', 'recommended', 'info']) expect(html).toContain(`name="severity" value="${s}" checked`);
    expect(html).toContain('<input type="search" id="q"');
  });

  test("each case's observation is in an expandable block: outcome, alert, status, version, detail, reason, refs", () => {
    const block = html.slice(html.indexOf('id="case-server-protocol-tls1-0"'), html.indexOf('</details>', html.indexOf('id="case-server-protocol-tls1-0"')));
    expect(block).toContain('<dt>Outcome</dt><dd>handshake-alert</dd>');
    expect(block).toContain('<dt>Alert</dt><dd>70 protocol_version</dd>');
    expect(block).toContain('<dt>HTTP status</dt><dd>—</dd>');
    expect(block).toContain('<dt>TLS version</dt><dd>TLSv1.3</dd>');
    expect(block).toContain('<dt>Verdict</dt><dd>fail: reason of server/protocol/tls1.0</dd>');
    expect(block).toContain('<li>RFC 5280 §6.1</li>');
    expect(block).toContain('<span class="badge waived">waived</span>');
    expect(block).toContain('<dt>Waived</dt><dd>partner legacy &lt;b&gt;until&lt;/b&gt; Q3</dd>');
  });

  test('shows observation facts it does not know by name as recorded JSON', () => {
    expect(html).toContain('<dt>sweep</dt><dd><pre>{\n  &quot;accepted&quot;: [\n    &quot;TLS_RSA_&lt;i&gt;&quot;\n  ]\n}</pre></dd>');
  });

  test('is self-contained: one inline script, inline style, no external URL, and a CSP that admits only them', () => {
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toMatch(/<script>[^<]/);
    expect(html).not.toMatch(/<link|<img|<iframe|url\(|@import/i);
    // Within tags (escaped text has no `<`), no attribute points anywhere but into the page.
    expect(html).not.toMatch(/<[a-z][^>]*\s(src|href|action)=(?!"#)/i);
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const hash = (t: string) => createHash('sha256').update(t).digest('base64');
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!.replaceAll('&#39;', "'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'sha256-${hash(script)}'`);
    expect(csp).toContain(`style-src 'sha256-${hash(style)}'`);
  });

  test('renders target-controlled text inert: a <script> in a detail or stderr is text', () => {
    const escaped = esc(HOSTILE);
    expect(escaped).toBe('&lt;/pre&gt;&lt;/dd&gt;&lt;/details&gt;&lt;script&gt;document.body.dataset.pwned = &quot;1&quot;&lt;/script&gt;&lt;img src=x onerror=&quot;document.body.dataset.pwned=2&quot;&gt;&#39;&quot;&amp;');
    expect(html).toContain(`<dt>Detail</dt><dd><pre>${escaped}</pre></dd>`);
    expect(html).toContain(`<dt>stderr (tail)</dt><dd><pre>${escaped}</pre></dd>`);
    expect(html).not.toContain('<script>document');
    expect(html).not.toContain('<img');
    expect(html).toContain('https://partner.example:8443/&lt;x&gt;');
    // Every element the page has is one the renderer wrote: the hostile text added no tag.
    const tags = new Set([...html.matchAll(/<([a-z][a-z0-9]*)/g)].map((m) => m[1]));
    expect([...tags].sort()).toEqual(['a', 'body', 'button', 'dd', 'details', 'div', 'dl', 'dt', 'fieldset', 'footer', 'form', 'h1', 'h2', 'head', 'header', 'html', 'input', 'label', 'legend', 'li', 'main', 'meta', 'nav', 'ol', 'option', 'p', 'pre', 'script', 'section', 'select', 'span', 'style', 'summary', 'table', 'tbody', 'td', 'th', 'thead', 'title', 'tr', 'ul'].sort());
  });
});

test('the page of a small run is pinned byte for byte (html-report.small.html was written by the renderer before brief pages existed)', async () => {
  // An intended change to the page: look at the diff, then `npx vitest run harness/report/html-report.test.ts -u`.
  await expect(html).toMatchFileSnapshot('./__snapshots__/html-report.small.html');
});

describe('renderHtmlReport at corpus scale', () => {
  // 700 cases in 30 families, a third failing: the page stays one grid row per family, and the
  // lists in view stay short (the rest one click away).
  const many: ReportResult[] = Array.from({ length: 700 }, (_, i) =>
    result(`client/family-${String(i % 30).padStart(2, '0')}/case-${i}`, i % 3 === 0 ? 'fail' : i % 7 === 0 ? 'skip' : 'pass', i % 9 === 0 ? { severity: 'recommended' } : {}),
  );
  const big = renderHtmlReport({ ...report, results: many });

  test('one grid row per family, and a total row', () => {
    const grid = big.slice(big.indexOf('<table id="grid">'), big.indexOf('</table>'));
    expect(grid.match(/<tr data-family=/g)).toHaveLength(30);
    expect(grid).toMatch(/<tr class="total"><th scope="row">all families<\/th><td>700<\/td>/);
  });

  test('the findings lists show 25 each, the rest behind "N more"; the page stays under 2 MB', () => {
    const failing = many.filter((r) => r.verdict === 'fail' && r.severity === 'required').length;
    const required = big.slice(big.indexOf('id="required-findings"'), big.indexOf('</ol>', big.indexOf('id="required-findings"')));
    expect(required.match(/<li /g)).toHaveLength(25);
    expect(big).toContain(`<details class="more"><summary>${failing - 25} more</summary>`);
    expect(big.length).toBeLessThan(2_000_000);
  });
});
