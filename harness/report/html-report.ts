import { createHash } from 'node:crypto';
import type { Observation } from '../model.js';
import { familyOf, groupByFamily } from './family.js';
import type { Report, ReportResult } from './report.js';
import { describeTarget, observedText } from './markdown-report.js';
import { countKinds, plural, resultKind, type ResultKind } from './result-kind.js';

/**
 * report.html: one self-contained file to hand to a partner. The cause when nothing could be
 * judged; what needs a look first (required failures, inconclusive, then findings that do not
 * decide the verdict); a family by result grid whose counts lead to the cases (readable at 700
 * cases: one row per family, not a tile per case); the cases grouped by family, filters in plain
 * JS, each case's observation expandable. No network: CSS and JS are inline, there is no external URL, and the
 * Content-Security-Policy allows nothing else.
 *
 * A run of more than FULL_DETAILS_UP_TO cases (`--suite exhaustive`: 11,000+) gets a brief page:
 * what needs a look (required failures, inconclusive, findings, waived cases) stays in full, the
 * grid and the filters are the same, and a passed or skipped case is one row (verdict, id,
 * severity, expected) without its observation; a line at the top says that report.json has every
 * case in full. At or below the threshold the page is what it always was.
 *
 * Every string from the report goes through `esc`: details quote target-controlled text (HTTP
 * bodies, a client's stderr). The page's own script reads data- attributes only and never writes
 * HTML, and the CSP admits only that script (by hash), so an injection that slipped through
 * escaping still would not run.
 */

/**
 * Above this many cases report.html is brief: passed and skipped cases lose their details. Why
 * 2,000: in full a case costs about 3.7 KB of HTML (observation, title, rationale, refs). The
 * largest suite short of exhaustive, `--suite deep` over both roles (1,223 cases), is 4.5 MB in
 * full and stays so, with room to grow; 2,000 cases in full are 7.4 MB, which headless Chromium
 * still shows in about 1.5 s (a screenshot, its 0.6 s start included). `--suite exhaustive`
 * (11,241 cases in a real run) was 41 MB and 6.5 s in full; brief, 6.2 MB and 1.7 s.
 */
export const FULL_DETAILS_UP_TO = 2000;

/** Columns of the grid and the filter, in the order a reader wants them: a finding is not a failure. */
const KINDS: readonly ResultKind[] = ['pass', 'fail', 'finding', 'inconclusive', 'skip'];
const SEVERITIES = ['required', 'recommended', 'info'] as const;

/** HTML-escape for text and for double-quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** `server/client-auth` of `server/client-auth/expired`. */
export function areaOf(id: string): string {
  const parts = id.split('/');
  return parts.length > 2 ? parts.slice(0, -1).join('/') : (parts[0] ?? id);
}

function anchor(id: string): string {
  return `case-${id.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

function familyAnchor(family: string): string {
  return `family-${family.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

const STYLE = `
:root{--pass:#1a7f37;--fail:#cf222e;--inconclusive:#9a6700;--skip:#6e7781;--finding:#8250df;--line:#d0d7de;--muted:#57606a;--bg:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2328;background:#fff}
header,nav,main,footer{padding:0 24px}
header{padding-top:16px;border-bottom:1px solid var(--line);background:var(--bg)}
h1{font-size:20px;margin:0 0 8px}
h2{font-size:15px;margin:18px 0 6px}
.verdict{display:inline-block;margin:0 0 8px;padding:4px 12px;border-radius:6px;color:#fff;font-weight:700;letter-spacing:.04em}
.verdict.conformant{background:var(--pass)}.verdict.non-conformant{background:var(--fail)}.verdict.inconclusive{background:var(--inconclusive)}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0 0 10px}
.meta dt{color:var(--muted)}.meta dd{margin:0;overflow-wrap:anywhere}
.counts{display:flex;gap:8px;list-style:none;padding:0;margin:0 0 12px;flex-wrap:wrap}
.counts li{padding:2px 10px;border-radius:12px;color:#fff;font-weight:600}
.v-pass{--v:var(--pass)}.v-fail{--v:var(--fail)}.v-inconclusive{--v:var(--inconclusive)}.v-skip{--v:var(--skip)}.v-finding,.advisory{--v:var(--finding)}
.counts li,.verdict-cell{background:var(--v)}
.cause{margin:0 0 10px;padding:8px 12px;border-left:4px solid var(--inconclusive);background:#fff8c5;overflow-wrap:anywhere}
.cause code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px}
.overview{padding:10px 24px;border-bottom:1px solid var(--line);overflow-x:auto}
#grid{border-collapse:collapse;font-variant-numeric:tabular-nums}
#grid th,#grid td{padding:3px 12px;border-bottom:1px solid var(--line);text-align:right}
#grid th:first-child{text-align:left;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px;font-weight:400}
#grid thead th{font-family:system-ui,sans-serif;font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase}
#grid td.zero{color:var(--line)}
#grid td a{display:inline-block;min-width:2.4em;padding:0 6px;border-radius:9px;color:#fff;background:var(--v);font-weight:700;text-decoration:none;text-align:center}
#grid tr.total th,#grid tr.total td{border-top:2px solid var(--line);font-weight:600}
#filters{display:flex;flex-wrap:wrap;gap:8px 18px;align-items:center;padding:10px 24px;border-bottom:1px solid var(--line)}
#filters fieldset{border:0;margin:0;padding:0;display:flex;gap:10px;align-items:center}
#filters legend{float:left;margin-right:6px;color:var(--muted)}
#filters input[type=search]{width:240px;padding:3px 6px}
#filters select{max-width:260px}
#shown{color:var(--muted)}
button{font:inherit;padding:2px 8px}
.area{margin-bottom:8px}
.row{display:grid;grid-template-columns:128px minmax(240px,1.4fr) 130px 110px minmax(200px,2fr);gap:0;align-items:stretch}
.row>span{display:flex;align-items:center;flex-wrap:wrap;padding:4px 8px;border-bottom:1px solid var(--line);overflow-wrap:anywhere;min-width:0}
.head>span{font-weight:600;color:var(--muted);border-bottom:2px solid var(--line)}
summary.row{cursor:pointer;list-style:none}
summary.row::-webkit-details-marker{display:none}
summary.row:hover>span{background:var(--bg)}
.verdict-cell{color:#fff;font-weight:700;text-transform:uppercase;font-size:12px}
summary.row:hover>.verdict-cell{background:var(--v)}
.id{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13px}
.badge{display:inline-block;margin-left:6px;padding:0 6px;border-radius:8px;background:#ddf4ff;color:#0969da;font-size:11px;font-family:system-ui,sans-serif}
.badge.waived{background:#fff8c5;color:#7d4e00}
.obs{padding:8px 12px 12px 136px;border-bottom:1px solid var(--line);background:#fbfcfd}
.obs dl{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:0}
.obs dt{color:var(--muted)}.obs dd{margin:0;overflow-wrap:anywhere}
.obs pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;max-height:16em;overflow:auto;background:var(--bg);padding:4px 6px;border-radius:4px;font-size:12px}
.obs ul{margin:0;padding-left:18px}
footer{padding:14px 24px;color:var(--muted);font-size:12px}
#findings{padding:10px 24px 14px;border-bottom:1px solid var(--line)}
#findings h2{margin:6px 0}
#findings ol{list-style:none;margin:0;padding:0}
#findings li{display:grid;grid-template-columns:190px minmax(220px,320px) 1fr;gap:10px;align-items:baseline;padding:5px 0;border-bottom:1px solid var(--line)}
#findings .chip{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:700;font-size:12px;text-transform:uppercase;background:var(--v);text-align:center}
#findings .why{overflow-wrap:anywhere}
#findings .none{color:var(--pass);font-weight:600}
#findings details.more>summary{cursor:pointer;color:var(--muted);padding:5px 0}
[hidden]{display:none!important}
`;

// Only on a brief page (above FULL_DETAILS_UP_TO): the note, and rows that have nothing to expand.
const BRIEF_STYLE = `
.note{margin:0 0 10px;padding:8px 12px;border-left:4px solid var(--muted);background:#fff;overflow-wrap:anywhere}
details.brief>summary.row{cursor:default;border-bottom:1px solid var(--line)}
details.brief>summary.row>span{border-bottom:0}
details.brief{content-visibility:auto;contain-intrinsic-size:auto 30px}
`;

// Reads data- attributes and toggles `hidden`; never writes HTML. Initial filters may come from
// the query string (`report.html?verdict=fail,inconclusive&severity=required&q=expired`).
const SCRIPT = `
(function () {
  var form = document.getElementById('filters');
  var query = document.getElementById('q');
  var shown = document.getElementById('shown');
  var cases = Array.prototype.slice.call(document.querySelectorAll('details.case'));
  var family = document.getElementById('family');
  var areas = Array.prototype.slice.call(document.querySelectorAll('section.area'));
  function checked(name) {
    var out = {};
    Array.prototype.forEach.call(form.querySelectorAll('input[name="' + name + '"]'), function (i) { out[i.value] = i.checked; });
    return out;
  }
  function visible(el, v, s, q, f) {
    return v[el.dataset.kind] === true && s[el.dataset.severity] === true && (f === '' || el.dataset.family === f) && (q === '' || el.dataset.id.toLowerCase().indexOf(q) !== -1);
  }
  function apply() {
    var v = checked('verdict'), s = checked('severity'), q = query.value.trim().toLowerCase(), f = family.value, n = 0;
    cases.forEach(function (el) { var ok = visible(el, v, s, q, f); el.hidden = !ok; if (ok) n++; });
    areas.forEach(function (a) { a.hidden = !a.querySelector('details.case:not([hidden])'); });
    shown.textContent = n + ' of ' + cases.length + ' cases shown';
  }
  var params = new URLSearchParams(location.search);
  ['verdict', 'severity'].forEach(function (name) {
    var want = params.get(name);
    if (want === null) return;
    var set = want.split(',');
    Array.prototype.forEach.call(form.querySelectorAll('input[name="' + name + '"]'), function (i) { i.checked = set.indexOf(i.value) !== -1; });
  });
  if (params.get('q') !== null) query.value = params.get('q');
  if (params.get('family') !== null) family.value = params.get('family');
  // A count of the grid shows its cases: that family, that result; the link itself scrolls to the family.
  Array.prototype.forEach.call(document.querySelectorAll('#grid a[data-kind]'), function (a) {
    a.addEventListener('click', function () {
      Array.prototype.forEach.call(form.querySelectorAll('input[name="verdict"]'), function (i) { i.checked = i.value === a.dataset.kind; });
      Array.prototype.forEach.call(form.querySelectorAll('input[name="severity"]'), function (i) { i.checked = true; });
      family.value = a.dataset.family || '';
      query.value = '';
      apply();
    });
  });
  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  document.getElementById('expand').addEventListener('click', function () { cases.forEach(function (el) { if (!el.hidden) el.open = true; }); });
  document.getElementById('collapse').addEventListener('click', function () { cases.forEach(function (el) { el.open = false; }); });
  function openTarget() {
    var el = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    if (el && el.tagName === 'DETAILS') el.open = true;
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();
  apply();
})();
`;

const cspHash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

function row(term: string, value: string | null): string {
  return value === null ? '' : `<dt>${esc(term)}</dt><dd>${value}</dd>`;
}

const pre = (text: string) => `<pre>${esc(text)}</pre>`;
const orDash = (v: unknown) => (v === null || v === undefined || v === '' ? '—' : esc(v));

const KNOWN_OBSERVATION_KEYS = new Set(['outcome', 'alert', 'httpStatus', 'tlsVersion', 'cipher', 'detail', 'durationMs', 'peer', 'client']);

function observationRows(r: ReportResult): string {
  const o: Observation | null = r.observed;
  const rows: string[] = [];
  rows.push(row('Verdict', `${esc(r.verdict)}: ${esc(r.reason)}`));
  rows.push(row('Expected', esc(r.expect === 'property' ? 'the property holds' : r.expect)));
  if (!o) {
    rows.push(row('Observed', 'not probed'));
  } else {
    rows.push(row('Outcome', esc(o.outcome)));
    rows.push(row('Alert', o.alert ? `${esc(o.alert.code)} ${esc(o.alert.name)}` : '—'));
    rows.push(row('HTTP status', orDash(o.httpStatus)));
    rows.push(row('TLS version', orDash(o.tlsVersion)));
    rows.push(row('Cipher', orDash(o.cipher)));
    rows.push(row('Duration', `${esc(o.durationMs)} ms`));
    rows.push(row('Detail', o.detail ? pre(o.detail) : '—'));
    if (o.peer) {
      const p = o.peer;
      rows.push(row('Target certificate', `${esc(p.subject)}<br>issuer ${esc(p.issuer)}<br>valid to ${esc(p.validTo)}`));
      rows.push(row('Trusted', p.authorized ? 'yes' : `no: ${orDash(p.authorizationError)}`));
      rows.push(row('Host name', p.hostnameMatches ? 'matches' : `does not match: ${orDash(p.hostnameError)}`));
      if (p.chain) rows.push(row('Chain sent', esc(p.chain.detail)));
    }
    if (o.client) {
      const c = o.client;
      const ended = c.timedOut ? 'timed out' : c.signal ? `signal ${esc(c.signal)}` : `exit ${orDash(c.exitCode)}`;
      rows.push(row('Client command', `${ended}; ${c.connected ? 'connected' : 'never connected'}${c.handshakeCompleted ? ', handshake completed' : ''}`));
      rows.push(row('Request', orDash(c.request)));
      if (c.presentedCertPem !== null) rows.push(row('Client certificate', c.presentedAuthorized ? 'presented, verifies' : `presented, does not verify: ${orDash(c.presentedError)}`));
      else rows.push(row('Client certificate', 'none presented'));
      if (c.stdoutTail) rows.push(row('stdout (tail)', pre(c.stdoutTail)));
      if (c.stderrTail) rows.push(row('stderr (tail)', pre(c.stderrTail)));
    }
    // Facts of newer probes (a suite sweep, ...) are shown as recorded rather than dropped.
    for (const [key, value] of Object.entries(o)) {
      if (!KNOWN_OBSERVATION_KEYS.has(key) && value !== undefined) rows.push(row(key, pre(JSON.stringify(value, null, 2))));
    }
  }
  rows.push(row('Title', esc(r.title)));
  rows.push(row('Rationale', esc(r.rationale)));
  rows.push(row('Refs', r.refs.length ? `<ul>${r.refs.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : '—'));
  if (r.waived) rows.push(row('Waived', `${esc(r.waived)}${r.verdict === 'pass' ? ' (the case now passes: the waiver can go)' : ''}`));
  return rows.join('');
}

function caseBlock(r: ReportResult): string {
  const attrs = `data-id="${esc(r.id)}" data-verdict="${esc(r.verdict)}" data-severity="${esc(r.severity)}"${r.waived ? ' data-waived="true"' : ''} data-kind="${resultKind(r)}" data-family="${esc(familyOf(r))}"`;
  const badges = `${r.waived ? '<span class="badge waived">waived</span>' : ''}${r.waiverUnneeded ? '<span class="badge">waiver unneeded</span>' : ''}`;
  const expected = r.expect === 'property' ? 'check' : r.expect;
  return (
    `<details class="case v-${esc(r.verdict)}${advisory(r) ? ' advisory' : ''}" id="${esc(anchor(r.id))}" ${attrs}>` +
    `<summary class="row"><span class="cell verdict-cell" ${attrs}>${esc(resultKind(r))}</span>` +
    `<span class="id">${esc(r.id)}${badges}</span><span>${esc(r.severity)}</span><span>${esc(expected)}</span>` +
    `<span>${esc(observedText(r))}</span></summary>` +
    `<div class="obs"><dl>${observationRows(r)}</dl></div></details>`
  );
}

/** Whether a brief page still shows the case in full: everything but a plain pass or skip (a waived pass says its waiver can go). */
function needsLook(r: ReportResult): boolean {
  const kind = resultKind(r);
  return (kind !== 'pass' && kind !== 'skip') || Boolean(r.waived);
}

/**
 * A passed or skipped case on a brief page: one row the filters still find (the same data-
 * attributes the page's script reads), with no observation, title, rationale or refs, and no
 * anchor (nothing links to a case that needs no look); report.json has it in full.
 */
function briefCaseBlock(r: ReportResult): string {
  const kind = resultKind(r);
  return (
    `<details class="case v-${esc(r.verdict)} brief" data-id="${esc(r.id)}" data-severity="${esc(r.severity)}" data-kind="${kind}" data-family="${esc(familyOf(r))}">` +
    `<summary class="row"><span class="cell verdict-cell">${kind}</span><span class="id">${esc(r.id)}</span><span>${esc(r.severity)}</span>` +
    `<span>${esc(r.expect === 'property' ? 'check' : r.expect)}</span></summary></details>`
  );
}

/** A failure that does not decide the run (recommended, info or waived): a finding, coloured apart from a required failure. */
function advisory(r: ReportResult): boolean {
  return resultKind(r) === 'finding';
}

/** How many cases of each part of the findings section are in view before "N more". */
const LISTED = 25;

/**
 * What needs a look first, readable without a click, in the order that decides: the required
 * failures, the inconclusive cases, then the findings (recommended, info or waived failures), each
 * with its reason.
 */
function findingsSection(results: ReportResult[]): string {
  const of = (kind: ResultKind) => results.filter((r) => resultKind(r) === kind);
  const item = (r: ReportResult) => {
    const kind = resultKind(r);
    const chip = kind === 'finding' ? `finding (${r.waived ? 'waived' : r.severity})` : kind;
    return `<li data-id="${esc(r.id)}" data-verdict="${esc(r.verdict)}" data-severity="${esc(r.severity)}"><span class="chip v-${esc(kind)}">${esc(chip)}</span><a class="id" href="#${esc(anchor(r.id))}">${esc(r.id)}</a><span class="why">${esc(r.reason)}</span></li>`;
  };
  // A corpus run can fail hundreds of cases: the first of each part in view, the rest one click away (and in the grid below).
  const part = (title: string, id: string, rs: ReportResult[]) =>
    `<h2>${esc(title)} (${rs.length})</h2><ol id="${id}">${rs.slice(0, LISTED).map(item).join('')}</ol>` +
    (rs.length > LISTED ? `<details class="more"><summary>${rs.length - LISTED} more</summary><ol start="${LISTED + 1}">${rs.slice(LISTED).map(item).join('')}</ol></details>` : '');
  const failing = of('fail');
  const inconclusive = of('inconclusive');
  const findings = of('finding');
  return (
    `<section id="findings" aria-label="What needs a look">` +
    (failing.length ? part('Required failures: these decide the verdict', 'required-findings', failing) : '') +
    (inconclusive.length ? part('Inconclusive', 'inconclusive-findings', inconclusive) : '') +
    (failing.length + inconclusive.length === 0 ? `<p class="none">Every required case passed.</p>` : '') +
    (findings.length ? part('Findings: recommended, info or waived; they do not decide the verdict', 'advisory-findings', findings) : '') +
    `</section>`
  );
}

/**
 * Families by result: one row per family, a column per result, each count a link that shows those
 * cases (the page's script sets the filters; without it, the link still lands on the family).
 */
function familyGrid(groups: Map<string, ReportResult[]>, all: ReportResult[]): string {
  const cell = (family: string, kind: ResultKind, n: number) =>
    n === 0 ? `<td class="zero">0</td>` : `<td><a class="v-${kind}" href="#${family ? esc(familyAnchor(family)) : 'matrix'}" data-family="${esc(family)}" data-kind="${kind}" title="${esc(`${plural(n, 'case')} of ${family}: ${kind}`)}">${n}</a></td>`;
  const rows = [...groups].map(([family, rs]) => {
    const n = countKinds(rs);
    return `<tr data-family="${esc(family)}"><th scope="row"><a href="#${esc(familyAnchor(family))}">${esc(family)}</a></th><td>${rs.length}</td>${KINDS.map((k) => cell(family, k, n[k])).join('')}</tr>`;
  });
  const total = countKinds(all);
  const totalRow = `<tr class="total"><th scope="row">all families</th><td>${all.length}</td>${KINDS.map((k) => cell('', k, total[k])).join('')}</tr>`;
  return (
    `<table id="grid"><thead><tr><th scope="col">Family</th><th scope="col">Cases</th>${KINDS.map((k) => `<th scope="col">${k}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.join('\n')}\n${totalRow}</tbody></table>`
  );
}

/** The header's pills: the failures that decide first; findings counted apart, never as "fail". */
const RESULT_PILLS: readonly ResultKind[] = ['fail', 'inconclusive', 'finding', 'pass', 'skip'];

/** Why nothing could be judged, and what to do: the line stderr showed, at the top of the page. */
function causeBlock(report: Report): string {
  const c = report.cause;
  if (!c) return '';
  return `<p id="cause" class="cause"><strong>Cause:</strong> ${esc(c.text)}${c.clientStderr ? `<br>client stderr: <code>${esc(c.clientStderr)}</code>` : ''}</p>`;
}

/** The line a brief page shows at the top: how many cases are here in full, and where the rest are. */
function briefNote(results: ReportResult[]): string {
  const full = results.filter(needsLook).length;
  const count = (n: number) => n.toLocaleString('en-US');
  return (
    `<p id="brief-note" class="note"><strong>${esc(count(results.length))} cases, more than ${esc(count(FULL_DETAILS_UP_TO))}:</strong> ` +
    `the ${esc(count(full))} that need a look (failures, inconclusive, findings, waived) are shown in full; ` +
    `the ${esc(count(results.length - full))} passed or skipped cases are listed by id, severity and expected result only. ` +
    `The full details of every case (observation, reason, rationale, refs) are in report.json beside this file.</p>`
  );
}

export function renderHtmlReport(report: Report): string {
  const s = report.summary;
  // A huge run (--suite exhaustive) keeps the details of the cases that need a look only: see FULL_DETAILS_UP_TO.
  const brief = report.results.length > FULL_DETAILS_UP_TO;
  const style = brief ? STYLE + BRIEF_STYLE : STYLE;
  const groups = groupByFamily(report.results);
  const kinds = countKinds(report.results);
  const severities = (value: string) => report.results.filter((r) => r.severity === value).length;

  const overview = familyGrid(groups, report.results);

  const filters =
    `<form id="filters" autocomplete="off"><fieldset><legend>Verdict</legend>` +
    KINDS.map((k) => `<label><input type="checkbox" name="verdict" value="${k}" checked> ${k} (${kinds[k]})</label>`).join('') +
    `</fieldset><fieldset><legend>Severity</legend>` +
    SEVERITIES.map((v) => `<label><input type="checkbox" name="severity" value="${v}" checked> ${v} (${severities(v)})</label>`).join('') +
    `</fieldset><label>Family <select id="family"><option value="">all families (${groups.size})</option>` +
    [...groups].map(([f, rs]) => `<option value="${esc(f)}">${esc(f)} (${rs.length})</option>`).join('') +
    `</select></label><label>Case id <input type="search" id="q" placeholder="e.g. expired"></label>` +
    `<button type="button" id="expand">Expand all</button><button type="button" id="collapse">Collapse all</button>` +
    `<span id="shown" aria-live="polite">${report.results.length} of ${report.results.length} cases shown</span></form>`;

  const matrix = [...groups]
    .map(
      ([family, rs]) =>
        `<section class="area" id="${esc(familyAnchor(family))}" data-area="${esc(family)}"><h2>${esc(family)} <span class="badge">${esc(plural(rs.length, 'case'))}</span></h2>` +
        `<div class="row head"><span>Verdict</span><span>Case</span><span>Severity</span><span>Expected</span><span>Observed</span></div>\n` +
        rs.map((r) => (brief && !needsLook(r) ? briefCaseBlock(r) : caseBlock(r))).join('\n') +
        `</section>`,
    )
    .join('\n');

  const csp = `default-src 'none'; style-src ${cspHash(style)}; script-src ${cspHash(SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;
  const verdictLabel = s.verdict.toUpperCase();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${esc(`${report.tool.name} ${report.tool.version}`)}">
<title>${esc(`mTLS conformance: ${verdictLabel} · ${describeTarget(report.target)}`)}</title>
<style>${style}</style>
</head>
<body>
<header>
<h1>mTLS conformance report</h1>
<p id="verdict" class="verdict ${esc(s.verdict)}" data-verdict="${esc(s.verdict)}">${esc(verdictLabel)}</p>
<dl class="meta">
${row('Target', esc(describeTarget(report.target)))}
${row('Profile', `${esc(report.profile.name)} <span class="id">(${esc(report.profile.source)}, sha256 ${esc(report.profile.sha256)})</span>`)}
${row('Tool', `${esc(report.tool.name)} ${esc(report.tool.version)} · Node ${esc(report.tool.node)} · OpenSSL ${esc(report.tool.openssl)}`)}
${row('Started', `${esc(report.startedAt)} · ${esc((report.durationMs / 1000).toFixed(2))} s`)}
</dl>
${causeBlock(report)}
${brief ? `${briefNote(report.results)}\n` : ''}<ul class="counts" id="counts">${RESULT_PILLS.map((k) => `<li class="v-${k}" data-kind="${k}">${esc(k === 'finding' ? plural(kinds[k], 'finding') : `${kinds[k]} ${k}`)}</li>`).join('')}</ul>
</header>
${findingsSection(report.results)}
<nav class="overview" aria-label="Families by result">
${overview}
</nav>
${filters}
<main id="matrix">
${matrix}
</main>
<footer>${esc(report.results.length)} cases. The verdict is decided by the required cases that are not waived. ${brief ? 'report.json holds every case in full' : 'report.json holds the same data'}; manifest.json records the SHA-256 of every file (check with: conformance verify DIR).</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
