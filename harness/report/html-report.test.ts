import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { areaOf, esc, FULL_DETAILS_UP_TO, renderHtmlReport } from './html-report.js';
import { toReportResult, type Report, type ReportResult } from './report.js';
import { familyOf, groupByFamily } from './family.js';
import { countKinds, resultKind } from './result-kind.js';
import type { CaseResult, Observation, ResolvedCase } from '../model.js';
import { loadProfile } from '../profile/load.js';
import { resolveCases } from '../cases/resolve.js';

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

describe('renderHtmlReport above FULL_DETAILS_UP_TO: an exhaustive run, brief', () => {
  // The client cases of --suite exhaustive (11,000+, resolved under the intermediate profile), with
  // observations shaped as a real run against s_client records them (the suites it offered, its
  // output for a failure) and written through toReportResult as report.json holds them. About one
  // case in 60 fails (required ones decide, the others are findings), a few are inconclusive or
  // skipped, one pass is waived: the rest pass.
  const SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384', 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 'TLS_RSA_WITH_AES_256_GCM_SHA384', 'TLS_RSA_WITH_AES_128_GCM_SHA256'];
  const { profile } = loadProfile('intermediate');
  const cases = resolveCases(profile, 'client', 'exhaustive');
  const HOSTILE_AT = 61;

  function observed(accepted: boolean, stderr: string): Observation {
    return {
      outcome: accepted ? 'http-status' : 'handshake-alert',
      alert: accepted ? null : { code: 46, name: 'certificate_unknown' },
      httpStatus: accepted ? 200 : null,
      tlsVersion: accepted ? 'TLSv1.3' : null,
      cipher: accepted ? 'TLS_AES_256_GCM_SHA384' : null,
      detail: accepted ? 'the client completed the handshake and sent GET / HTTP/1.1' : 'the client sent alert 46 certificate_unknown and exited 1',
      durationMs: 812,
      client: { exitCode: accepted ? 0 : 1, signal: null, timedOut: false, stdoutTail: 'CONNECTED(00000003)\n---\nCertificate chain', stderrTail: stderr, connected: true, handshakeCompleted: accepted, request: accepted ? 'GET / HTTP/1.1' : null, presentedCertPem: null, presentedAuthorized: false, presentedError: null, observedAt: '2026-12-03T12:54:36.785Z' },
      offered: { versions: ['TLSv1.3', 'TLSv1.2'], suites: SUITES },
    };
  }

  function run(c: ResolvedCase, i: number): CaseResult {
    const accepts = c.expect === 'accept';
    if (i % 1999 === 7) return { case: c, observation: null, verdict: { verdict: 'skip', reason: 'the profile does not ask for it' } };
    if (i % 997 === 5) return { case: c, observation: { ...observed(false, ''), outcome: 'timeout', alert: null }, verdict: { verdict: 'inconclusive', reason: 'the client neither connected nor exited within 10000 ms' } };
    if (i % 60 === 1) {
      const stderr = i === HOSTILE_AT ? HOSTILE : 'verify error:num=47:permitted subtree violation';
      return { case: c, observation: observed(!accepts, stderr), verdict: { verdict: 'fail', reason: accepts ? `refused: ${stderr}` : `accepted (the client completed the handshake): ${stderr}` } };
    }
    return { case: c, observation: observed(accepts, ''), verdict: { verdict: 'pass', reason: accepts ? 'accepted' : 'refused (handshake alert 46 certificate_unknown)' } };
  }

  const results = cases.map((c, i) => toReportResult(run(i === 3 ? { ...c, waived: 'accepted risk <until> Q3' } : c, i)));
  const brief = renderHtmlReport({ ...report, results });
  const inFull = results.filter((r) => resultKind(r) !== 'pass' && resultKind(r) !== 'skip');
  const waived = results[3]!;
  const listed = results.filter((r) => !inFull.includes(r) && r !== waived);
  // Each case's block on the page, by id (the findings list's items carry data-id too: only <details> here).
  const blocks = new Map(brief.split('<details class="case').slice(1).map((b) => [/data-id="([^"]*)"/.exec(b)![1]!, b.slice(0, b.indexOf('</details>'))]));
  const blockOf = (id: string) => blocks.get(esc(id)) ?? '';
  // What the page would weigh in full: the same cases rendered 2,000 at a time (each chunk is at the threshold, so in full).
  const fullBytes = Array.from({ length: Math.ceil(results.length / FULL_DETAILS_UP_TO) }, (_, i) => renderHtmlReport({ ...report, results: results.slice(i * FULL_DETAILS_UP_TO, (i + 1) * FULL_DETAILS_UP_TO) }).length).reduce((a, b) => a + b, 0);

  test('the synthetic run is exhaustive-sized and holds every kind of result', () => {
    expect(results.length).toBeGreaterThan(10_000);
    const n = countKinds(results);
    expect(n.fail).toBeGreaterThan(0);
    expect(n.finding).toBeGreaterThan(0);
    expect(n.inconclusive).toBeGreaterThan(0);
    expect(n.skip).toBeGreaterThan(0);
    expect(waived.verdict).toBe('pass');
  });

  test('stays small: under a fifth of the page in full, under 6 MB, a listed case in under 400 bytes', () => {
    // In full, 11,000 cases like these are about 30 MB (a real exhaustive run's page was 41 MB).
    expect(fullBytes).toBeGreaterThan(25_000_000);
    expect(brief.length).toBeLessThan(fullBytes / 5);
    expect(brief.length).toBeLessThan(6_000_000);
    expect(listed.filter((r) => blockOf(r.id).length >= 400).map((r) => r.id)).toEqual([]);
  });

  test('says at the top that report.json has the full details of every case', () => {
    const note = /<p id="brief-note" class="note">([\s\S]*?)<\/p>/.exec(brief)?.[1] ?? '';
    expect(note).toContain(`${results.length.toLocaleString('en-US')} cases, more than 2,000:`);
    expect(note).toContain(`the ${(inFull.length + 1).toLocaleString('en-US')} that need a look`);
    expect(note).toContain(`the ${listed.length.toLocaleString('en-US')} passed or skipped cases are listed by id`);
    expect(note).toContain('The full details of every case (observation, reason, rationale, refs) are in report.json');
    expect(brief.indexOf('id="brief-note"')).toBeLessThan(brief.indexOf('<section id="findings"'));
    expect(brief).toContain('report.json holds every case in full');
  });

  test('every failing, inconclusive and finding case is there in full: findings list, row, observation, reason, rationale, refs', () => {
    for (const r of [...inFull, waived]) {
      const block = blockOf(r.id);
      expect(block, r.id).toContain(`id="case-${r.id.toLowerCase().replace(/[^a-z0-9]+/g, '-')}"`);
      expect(block, r.id).toContain(`<dt>Verdict</dt><dd>${esc(r.verdict)}: ${esc(r.reason)}</dd>`);
      expect(block, r.id).toContain(`<dt>Rationale</dt><dd>${esc(r.rationale)}</dd>`);
      expect(block, r.id).toContain(`<li>${esc(r.refs[0])}</li>`);
      expect(block, r.id).toContain('<dt>Outcome</dt>');
      if (r !== waived) expect(brief, r.id).toContain(`<li data-id="${esc(r.id)}" data-verdict="${r.verdict}"`);
    }
    // A failed client's stderr is evidence: kept, escaped.
    expect(blockOf(results[HOSTILE_AT]!.id)).toContain(`<dt>stderr (tail)</dt><dd><pre>${esc(HOSTILE)}</pre></dd>`);
    expect(blockOf(waived.id)).toContain('<dt>Waived</dt><dd>accepted risk &lt;until&gt; Q3 (the case now passes: the waiver can go)</dd>');
  });

  test('every passed or skipped case is there by id, one row the filters find, without its details', () => {
    const rows = [...brief.matchAll(/<details class="case v-(\w+) brief" data-id="([^"]+)" data-severity="(\w+)" data-kind="(\w+)" data-family="([^"]+)">([\s\S]*?)<\/details>/g)];
    // In family order, as the page groups them.
    const inOrder = [...groupByFamily(results).values()].flat().filter((r) => listed.includes(r));
    expect(rows.map((m) => m[2])).toEqual(inOrder.map((r) => esc(r.id)));
    inOrder.forEach((r, i) => {
      const [, verdict, , severity, kind, family, body] = rows[i]!;
      expect([verdict, severity, kind, family]).toEqual([r.verdict, r.severity, resultKind(r), esc(familyOf(r))]);
      expect(body).toBe(`<summary class="row"><span class="cell verdict-cell">${kind}</span><span class="id">${esc(r.id)}</span><span>${r.severity}</span><span>${r.expect === 'property' ? 'check' : r.expect}</span></summary>`);
    });
    // Only the cases in full carry an observation, a rationale or an anchor.
    expect(brief.match(/<div class="obs">/g)).toHaveLength(inFull.length + 1);
    expect(brief.match(/<dt>Rationale<\/dt>/g)).toHaveLength(inFull.length + 1);
    expect(brief.match(/<details class="case[^>]* id="case-/g)).toHaveLength(inFull.length + 1);
    expect(brief).toContain(`<span id="shown" aria-live="polite">${results.length} of ${results.length} cases shown</span>`);
  });

  test('the family by result grid counts every case, as a full page would', () => {
    const grid = brief.slice(brief.indexOf('<table id="grid">'), brief.indexOf('</table>'));
    for (const [family, rs] of [...Map.groupBy(results, (r) => familyOf(r))]) {
      const n = countKinds(rs);
      const row = grid.split('</tr>').find((x) => x.includes(`<tr data-family="${esc(family)}">`))!;
      const cells = [...row.matchAll(/<td(?: class="zero")?>(?:<a [^>]*>)?(\d+)/g)].map((m) => Number(m[1]));
      expect(cells, family).toEqual([rs.length, n.pass, n.fail, n.finding, n.inconclusive, n.skip]);
      expect(brief).toContain(`<section class="area" id="family-${family.replace(/[^a-z0-9]+/g, '-')}"`);
    }
  });

  test('stays self-contained and inert: the CSP admits its style and script by hash, hostile text adds no tag', () => {
    const script = /<script>([\s\S]*?)<\/script>/.exec(brief)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(brief)![1]!;
    const hash = (t: string) => createHash('sha256').update(t).digest('base64');
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(brief)![1]!.replaceAll('&#39;', "'");
    expect(csp).toContain(`script-src 'sha256-${hash(script)}'`);
    expect(csp).toContain(`style-src 'sha256-${hash(style)}'`);
    expect(brief.match(/<script/g)).toHaveLength(1);
    expect(brief).not.toMatch(/<link|<img|<iframe|url\(|@import/i);
    expect(brief).not.toMatch(/<[a-z][^>]*\s(src|href|action)=(?!"#)/i);
    // Every element is one the renderer wrote: the small page's, and the note's <strong>.
    const tags = (h: string) => new Set([...h.matchAll(/<([a-z][a-z0-9]*)/g)].map((m) => m[1]));
    expect(tags(brief)).toEqual(new Set([...tags(html), 'strong']));
  });

  test('the threshold: 2,000 cases are shown in full, 2,001 are brief', () => {
    expect(FULL_DETAILS_UP_TO).toBe(2000);
    const at = renderHtmlReport({ ...report, results: results.slice(0, 2000) });
    expect(at).not.toContain('id="brief-note"');
    expect(at).not.toContain(' brief"');
    expect(at.match(/<div class="obs">/g)).toHaveLength(2000);
    const over = renderHtmlReport({ ...report, results: results.slice(0, 2001) });
    expect(over).toContain('id="brief-note"');
    expect(over.match(/<div class="obs">/g)!.length).toBeLessThan(100);
  });
});
