import { createHash } from 'node:crypto';
import type { Observation, VerdictValue } from '../model.js';
import type { Report, ReportResult } from './report.js';
import { describeTarget, observedText } from './markdown-report.js';

/**
 * report.html: one self-contained file to hand to a partner. The case matrix as a coloured grid
 * (cases grouped by area, coloured by verdict), filters in plain JS, each case's observation
 * expandable. No network: CSS and JS are inline, there is no external URL, and the
 * Content-Security-Policy allows nothing else.
 *
 * Every string from the report goes through `esc`: details quote target-controlled text (HTTP
 * bodies, a client's stderr). The page's own script reads data- attributes only and never writes
 * HTML, and the CSP admits only that script (by hash), so an injection that slipped through
 * escaping still would not run.
 */

const VERDICTS: VerdictValue[] = ['fail', 'inconclusive', 'pass', 'skip'];
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
.v-pass{--v:var(--pass)}.v-fail{--v:var(--fail)}.v-inconclusive{--v:var(--inconclusive)}.v-skip{--v:var(--skip)}.advisory{--v:var(--finding)}
.counts li,.tile,.verdict-cell{background:var(--v)}
.overview{padding:10px 24px;border-bottom:1px solid var(--line)}
.area-row{display:flex;align-items:center;gap:10px;margin:3px 0}
.area-name{width:200px;color:var(--muted);font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px}
.tiles{display:flex;flex-wrap:wrap;gap:3px}
.tile{display:block;width:22px;height:22px;border-radius:3px}
.tile.waived{background:repeating-linear-gradient(45deg,var(--v) 0 4px,#fff 4px 6px)}
.tile.dim{opacity:.15}
#filters{display:flex;flex-wrap:wrap;gap:8px 18px;align-items:center;padding:10px 24px;border-bottom:1px solid var(--line)}
#filters fieldset{border:0;margin:0;padding:0;display:flex;gap:10px;align-items:center}
#filters legend{float:left;margin-right:6px;color:var(--muted)}
#filters input[type=search]{width:240px;padding:3px 6px}
#shown{color:var(--muted)}
button{font:inherit;padding:2px 8px}
.area{margin-bottom:8px}
.row{display:grid;grid-template-columns:112px minmax(240px,1.4fr) 130px 110px minmax(200px,2fr);gap:0;align-items:stretch}
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
.obs{padding:8px 12px 12px 120px;border-bottom:1px solid var(--line);background:#fbfcfd}
.obs dl{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:0}
.obs dt{color:var(--muted)}.obs dd{margin:0;overflow-wrap:anywhere}
.obs pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;max-height:16em;overflow:auto;background:var(--bg);padding:4px 6px;border-radius:4px;font-size:12px}
.obs ul{margin:0;padding-left:18px}
footer{padding:14px 24px;color:var(--muted);font-size:12px}
#findings{padding:10px 24px 14px;border-bottom:1px solid var(--line)}
#findings h2{margin:6px 0}
#findings ol{list-style:none;margin:0;padding:0}
#findings li{display:grid;grid-template-columns:150px minmax(220px,320px) 1fr;gap:10px;align-items:baseline;padding:5px 0;border-bottom:1px solid var(--line)}
#findings .chip{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:700;font-size:12px;text-transform:uppercase;background:var(--v);text-align:center}
#findings .why{overflow-wrap:anywhere}
#findings .none{color:var(--pass);font-weight:600}
[hidden]{display:none!important}
`;

// Reads data- attributes and toggles `hidden`; never writes HTML. Initial filters may come from
// the query string (`report.html?verdict=fail,inconclusive&severity=required&q=expired`).
const SCRIPT = `
(function () {
  var form = document.getElementById('filters');
  var query = document.getElementById('q');
  var shown = document.getElementById('shown');
  var cases = Array.prototype.slice.call(document.querySelectorAll('details.case'));
  var tiles = Array.prototype.slice.call(document.querySelectorAll('a.tile'));
  var areas = Array.prototype.slice.call(document.querySelectorAll('section.area'));
  function checked(name) {
    var out = {};
    Array.prototype.forEach.call(form.querySelectorAll('input[name="' + name + '"]'), function (i) { out[i.value] = i.checked; });
    return out;
  }
  function visible(el, v, s, q) {
    return v[el.dataset.verdict] === true && s[el.dataset.severity] === true && (q === '' || el.dataset.id.toLowerCase().indexOf(q) !== -1);
  }
  function apply() {
    var v = checked('verdict'), s = checked('severity'), q = query.value.trim().toLowerCase(), n = 0;
    cases.forEach(function (el) { var ok = visible(el, v, s, q); el.hidden = !ok; if (ok) n++; });
    tiles.forEach(function (el) { el.classList.toggle('dim', !visible(el, v, s, q)); });
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
  form.addEventListener('input', apply);
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
  const attrs = `data-id="${esc(r.id)}" data-verdict="${esc(r.verdict)}" data-severity="${esc(r.severity)}"${r.waived ? ' data-waived="true"' : ''}`;
  const badges = `${r.waived ? '<span class="badge waived">waived</span>' : ''}${r.waiverUnneeded ? '<span class="badge">waiver unneeded</span>' : ''}`;
  const expected = r.expect === 'property' ? 'check' : r.expect;
  return (
    `<details class="case v-${esc(r.verdict)}${advisory(r) ? ' advisory' : ''}" id="${esc(anchor(r.id))}" ${attrs}>` +
    `<summary class="row"><span class="cell verdict-cell" ${attrs}>${esc(r.verdict)}</span>` +
    `<span class="id">${esc(r.id)}${badges}</span><span>${esc(r.severity)}</span><span>${esc(expected)}</span>` +
    `<span>${esc(observedText(r))}</span></summary>` +
    `<div class="obs"><dl>${observationRows(r)}</dl></div></details>`
  );
}

/** A non-pass that does not decide the run (recommended, info or waived): shown apart from a required failure. */
function advisory(r: ReportResult): boolean {
  return (r.verdict === 'fail' || r.verdict === 'inconclusive') && (r.severity !== 'required' || Boolean(r.waived));
}

const RANK: Record<string, number> = { fail: 0, inconclusive: 1 };

/**
 * The findings first, readable without a click: every required case that did not pass (failures,
 * then inconclusive), then the recommended and info findings, each with its reason.
 */
function findingsSection(results: ReportResult[]): string {
  const deciding = results.filter((r) => (r.verdict === 'fail' || r.verdict === 'inconclusive') && !advisory(r)).sort((a, b) => RANK[a.verdict]! - RANK[b.verdict]!);
  const advisories = results.filter(advisory);
  const item = (r: ReportResult) => {
    const chip = advisory(r) ? `${r.waived ? 'waived' : r.severity} ${r.verdict}` : `${r.verdict}`;
    return `<li data-id="${esc(r.id)}" data-verdict="${esc(r.verdict)}" data-severity="${esc(r.severity)}"><span class="chip v-${esc(r.verdict)}${advisory(r) ? ' advisory' : ''}">${esc(chip)}</span><a class="id" href="#${esc(anchor(r.id))}">${esc(r.id)}</a><span class="why">${esc(r.reason)}</span></li>`;
  };
  const part = (title: string, id: string, rs: ReportResult[], empty: string) =>
    `<h2>${esc(title)} (${rs.length})</h2>` + (rs.length ? `<ol id="${id}">${rs.map(item).join('')}</ol>` : `<p class="none">${esc(empty)}</p>`);
  return (
    `<section id="findings" aria-label="Findings">` +
    part('Required cases that did not pass', 'required-findings', deciding, 'Every required case passed.') +
    (advisories.length ? part('Recommended and info findings (do not decide the verdict)', 'advisory-findings', advisories, '') : '') +
    `</section>`
  );
}

function groupByArea(results: ReportResult[]): Map<string, ReportResult[]> {
  const groups = new Map<string, ReportResult[]>();
  for (const r of results) {
    const a = areaOf(r.id);
    groups.set(a, [...(groups.get(a) ?? []), r]);
  }
  return groups;
}

export function renderHtmlReport(report: Report): string {
  const s = report.summary;
  const groups = groupByArea(report.results);
  const counts = (key: 'verdict' | 'severity', value: string) => report.results.filter((r) => r[key] === value).length;

  const overview = [...groups]
    .map(
      ([area, rs]) =>
        `<div class="area-row"><span class="area-name">${esc(area)}</span><div class="tiles">` +
        rs
          .map(
            (r) =>
              `<a class="tile v-${esc(r.verdict)}${r.waived ? ' waived' : ''}${advisory(r) ? ' advisory' : ''}" href="#${esc(anchor(r.id))}" title="${esc(`${r.id}: ${r.verdict}${r.waived ? ' (waived)' : ''}`)}" data-id="${esc(r.id)}" data-verdict="${esc(r.verdict)}" data-severity="${esc(r.severity)}"></a>`,
          )
          .join('') +
        `</div></div>`,
    )
    .join('\n');

  const filters =
    `<form id="filters" autocomplete="off"><fieldset><legend>Verdict</legend>` +
    VERDICTS.map((v) => `<label><input type="checkbox" name="verdict" value="${v}" checked> ${v} (${counts('verdict', v)})</label>`).join('') +
    `</fieldset><fieldset><legend>Severity</legend>` +
    SEVERITIES.map((v) => `<label><input type="checkbox" name="severity" value="${v}" checked> ${v} (${counts('severity', v)})</label>`).join('') +
    `</fieldset><label>Case id <input type="search" id="q" placeholder="e.g. expired"></label>` +
    `<button type="button" id="expand">Expand all</button><button type="button" id="collapse">Collapse all</button>` +
    `<span id="shown" aria-live="polite">${report.results.length} of ${report.results.length} cases shown</span></form>`;

  const matrix = [...groups]
    .map(
      ([area, rs]) =>
        `<section class="area" data-area="${esc(area)}"><h2>${esc(area)}</h2>` +
        `<div class="row head"><span>Verdict</span><span>Case</span><span>Severity</span><span>Expected</span><span>Observed</span></div>\n` +
        rs.map(caseBlock).join('\n') +
        `</section>`,
    )
    .join('\n');

  const csp = `default-src 'none'; style-src ${cspHash(STYLE)}; script-src ${cspHash(SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;
  const verdictLabel = s.verdict.toUpperCase();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${esc(`${report.tool.name} ${report.tool.version}`)}">
<title>${esc(`mTLS conformance: ${verdictLabel} · ${describeTarget(report.target)}`)}</title>
<style>${STYLE}</style>
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
<ul class="counts" id="counts">${VERDICTS.map((v) => `<li class="v-${v}" data-verdict="${v}">${s[v]} ${v}</li>`).join('')}</ul>
</header>
${findingsSection(report.results)}
<nav class="overview" aria-label="Case matrix">
${overview}
</nav>
${filters}
<main id="matrix">
${matrix}
</main>
<footer>${esc(report.results.length)} cases. The verdict is decided by the required cases that are not waived. report.json holds the same data; manifest.json records the SHA-256 of every file (check with: conformance verify DIR).</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
