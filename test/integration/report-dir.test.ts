import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadProfile } from '../../harness/profile/load.js';
import { FULL_DETAILS_UP_TO, renderHtmlReport } from '../../harness/report/html-report.js';
import { signManifest } from '../../harness/report/manifest.js';
import type { Report } from '../../harness/report/report.js';
import { writeReportDir } from '../../harness/report/report-dir.js';
import { runCli } from '../helpers/cli.js';

// A real run against builtin:lenient (non-conformant, with failures), its report directory
// completed by writeReportDir unless `run` already wrote it, then `conformance verify` on it and
// on tampered copies, and report.html rendered by a real headless browser.

const work = mkdtempSync(join(tmpdir(), 'mtls-report-dir-it-'));
const certs = join(work, 'certs');
mkdirSync(certs, { recursive: true });
const out = join(work, 'run');
const stepSummary = join(work, 'step-summary.md');
let report: Report;

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const writeJson = (path: string, v: unknown) => writeFileSync(path, JSON.stringify(v, null, 2) + '\n');

/** A copy of the pristine run directory to tamper with. */
function copyOfRun(name: string): string {
  const dir = join(work, name);
  cpSync(out, dir, { recursive: true });
  return dir;
}

const verify = (args: string[]) => runCli(['verify', ...args]);
const lines = (text: string) => text.split('\n').filter(Boolean);

beforeAll(async () => {
  writeFileSync(stepSummary, '# an earlier step\n');
  const run = await runCli(['run', '--target', 'builtin:lenient', '--certs', certs, '--report-dir', out], { env: { GITHUB_STEP_SUMMARY: stepSummary } });
  expect(run.code, run.stderr).toBe(1);
  report = readJson<Report>(join(out, 'report.json'));
  // `run` writes the whole directory itself: the manifest is there without any help.
  expect(existsSync(join(out, 'manifest.json'))).toBe(true);
}, 120_000);

describe('report directory of a real run', () => {
  test('holds report.json, junit.xml, report.md, report.html and manifest.json, and verifies (exit 0, one line)', async () => {
    for (const f of ['report.json', 'junit.xml', 'report.md', 'report.html', 'manifest.json']) expect(existsSync(join(out, f)), f).toBe(true);
    const manifest = readJson<{ files: Record<string, string>; profile: { sha256: string } }>(join(out, 'manifest.json'));
    expect(Object.keys(manifest.files).sort()).toEqual(['junit.xml', 'report.html', 'report.json', 'report.md']);
    expect(manifest.profile.sha256).toBe(report.profile.sha256);
    const v = await verify([out]);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    expect(lines(v.stdout)).toHaveLength(1);
    expect(v.stdout).toMatch(new RegExp(`^ok: .*: 4 files match manifest.json; ${report.results.length} verdicts re-judged under profile intermediate .* agree \\(non-conformant\\)\n$`));
  });

  test('report.md names the verdict and each failing case, and was appended to the step summary', () => {
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('NON-CONFORMANT');
    const failing = report.results.filter((r) => r.verdict === 'fail');
    expect(failing.length).toBeGreaterThan(0);
    for (const r of failing) expect(md).toContain(`| ${r.id} |`);
    const summary = readFileSync(stepSummary, 'utf8');
    expect(summary.startsWith('# an earlier step\n')).toBe(true);
    expect(summary.split(md)).toHaveLength(2);
  });

  test('an edited verdict: exit 1, naming the case', async () => {
    const dir = copyOfRun('edited-verdict');
    const edited = readJson<Report>(join(dir, 'report.json'));
    edited.results.find((r) => r.id === 'server/client-auth/expired')!.verdict = 'pass';
    writeJson(join(dir, 'report.json'), edited);
    const v = await verify([dir]);
    expect(v.code).toBe(1);
    expect(lines(v.stdout)).toEqual([
      expect.stringMatching(/^differs: report.json: SHA-256 .* the file was changed$/),
      expect.stringMatching(/^differs: server\/client-auth\/expired: verdict recorded "pass", re-judged "fail" \(accepted \(HTTP 200 over HTTP\/2\)/),
    ]);
  });

  test('a deleted junit.xml: exit 1, naming it', async () => {
    const dir = copyOfRun('no-junit');
    rmSync(join(dir, 'junit.xml'));
    const v = await verify([dir]);
    expect(v.code).toBe(1);
    expect(lines(v.stdout)).toEqual(['differs: junit.xml: missing (manifest.json lists it)']);
  });

  test('a changed profile in the manifest: exit 1, naming the profile', async () => {
    const dir = copyOfRun('changed-profile');
    const m = readJson<{ profile: { resolved: { certificates: { client: { minRsaBits: number } } } } }>(join(dir, 'manifest.json'));
    m.profile.resolved.certificates.client.minRsaBits = 1024;
    writeJson(join(dir, 'manifest.json'), m);
    const v = await verify([dir]);
    expect(v.code).toBe(1);
    expect(lines(v.stdout)[0]).toMatch(/^differs: manifest.json: profile "intermediate" hashes to \w+…, not the recorded sha256 \w+…: the profile was changed$/);
  });

  test('signed: verifies with the signer\'s public key (exit 0), not with another key or unsigned (exit 1)', async () => {
    const dir = copyOfRun('signed');
    const signer = generateKeyPairSync('ed25519');
    await signManifest(dir, String(signer.privateKey.export({ type: 'pkcs8', format: 'pem' })));
    const pub = join(work, 'signer.pub.pem');
    const otherPub = join(work, 'other.pub.pem');
    writeFileSync(pub, signer.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(otherPub, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }));

    const good = await verify([dir, '--pubkey', pub]);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/; signature valid \(ed25519\)\n$/);
    const other = await verify([dir, '--pubkey', otherPub]);
    expect(other.code).toBe(1);
    expect(lines(other.stdout)).toEqual(['differs: manifest.sig: the signature does not verify with --pubkey over manifest.json']);
    const unsigned = await verify([out, '--pubkey', pub]);
    expect(unsigned.code).toBe(1);
    expect(lines(unsigned.stdout)).toEqual(['differs: manifest.sig: missing, but --pubkey asks for a signed manifest']);
  });

  test('run --sign-key signs the manifest; verify --pubkey checks it', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const keyFile = join(work, 'run-sign.pem');
    const pubFile = join(work, 'run-sign.pub.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
    writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }) as string);
    const dir = join(work, 'signed-run');
    const run = await runCli(['run', '--target', 'builtin:strict', '--certs', certs, '--report-dir', dir, '--sign-key', keyFile, '--only', 'server/protocol/*']);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(dir, 'manifest.sig'))).toBe(true);
    expect((await verify([dir, '--pubkey', pubFile])).code).toBe(0);
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).not.toContain('PRIVATE KEY');
  });

  test('a link in the report directory to a FIFO is hashed within a bound, not waited on for ever', async () => {
    const dir = join(work, 'fifo-run');
    mkdirSync(dir);
    expect(spawnSync('mkfifo', [join(work, 'a-fifo')]).status).toBe(0);
    symlinkSync(join(work, 'a-fifo'), join(dir, 'notes'));
    const started = Date.now();
    const run = await runCli(['run', '--target', 'builtin:lenient', '--certs', certs, '--report-dir', dir, '--only', 'server/client-auth/valid'], { timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    const manifest = readJson<{ files: Record<string, string> }>(join(dir, 'manifest.json'));
    expect(Object.keys(manifest.files)).toContain('notes');
  }, 90_000);

  test('no manifest, no directory or an unreadable --pubkey: exit 2 with one line', async () => {
    const bare = copyOfRun('no-manifest');
    rmSync(join(bare, 'manifest.json'));
    for (const args of [[bare], [join(work, 'nowhere')], [out, '--pubkey', join(work, 'nowhere.pem')]]) {
      const v = await verify(args);
      expect(v.code).toBe(2);
      expect(v.stdout).toBe('');
      expect(lines(v.stderr)).toHaveLength(1);
      expect(v.stderr).toMatch(/^error: /);
    }
  });
});

// report.html in a real browser: chromium headless, no network, its own profile directory.
const chromium = spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).stdout.trim();

function runChromium(args: string[], url: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${mkdtempSync(join(work, 'chromium-'))}`, '--window-size=1280,900'];
  return new Promise((resolve, reject) => {
    const child = spawn(chromium, [...flags, ...args, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chromium ${args.join(' ')} did not finish within 60 s; stderr: ${stderr.split('\n').slice(-5).join(' | ')}`));
    }, 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function needChromium(skip: (note?: string) => void): void {
  if (chromium) return;
  if (process.env.CI) throw new Error('chromium is not installed, and CI requires the browser test: run scripts/install-peers.sh');
  skip('chromium is not installed: run scripts/install-peers.sh to render report.html in a headless browser');
}

describe('report.html in headless chromium', () => {
  test('renders the verdict, the family by result grid and a cell per failing case; the filters run from the query string', async ({ skip }) => {
    needChromium(skip);
    const page = pathToFileURL(join(out, 'report.html')).href;
    const shot = join(work, 'report-html.png');
    const s = await runChromium([`--screenshot=${shot}`], page);
    expect(s.code, s.stderr).toBe(0);
    expect(readFileSync(shot).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    console.log(`report.html screenshot: ${shot}`);

    const dom = await runChromium(['--dump-dom'], page);
    expect(dom.code, dom.stderr).toBe(0);
    expect(dom.stdout).toContain('<p id="verdict" class="verdict non-conformant" data-verdict="non-conformant">NON-CONFORMANT</p>');
    const failing = report.results.filter((r) => r.verdict === 'fail');
    const deciding = failing.filter((r) => r.severity === 'required' && !r.waived);
    const findings = failing.filter((r) => !deciding.includes(r));
    expect(findings.length).toBeGreaterThan(0);
    for (const r of failing) {
      // A recommended failure is a finding: its cell says so, in the finding colour.
      const kind = deciding.includes(r) ? 'fail' : 'finding';
      expect(dom.stdout).toMatch(new RegExp(`<span class="cell verdict-cell" data-id="${r.id}" data-verdict="fail" data-severity="${r.severity}"[^>]* data-kind="${kind}"[^>]*>${kind}</span>`));
    }
    // The pills count failures and findings apart.
    expect(dom.stdout).toContain(`<li class="v-fail" data-kind="fail">${deciding.length} fail</li>`);
    expect(dom.stdout).toContain(`<li class="v-finding" data-kind="finding">${findings.length} finding${findings.length === 1 ? '' : 's'}</li>`);
    // What needs a look comes first, the required failures with their reasons in plain view.
    const findingsAt = dom.stdout.indexOf('<section id="findings"');
    expect(findingsAt).toBeGreaterThan(0);
    expect(findingsAt).toBeLessThan(dom.stdout.indexOf('<nav class="overview"'));
    for (const r of deciding) {
      expect(dom.stdout).toMatch(new RegExp(`<li data-id="${r.id}" data-verdict="fail"[^>]*><span class="chip v-fail">fail</span><a class="id" href="#[^"]+">${r.id}</a><span class="why">[^<]+</span></li>`));
    }
    // The grid: a row per family, whose fail count is the family's deciding failures, linking to the family.
    const families = new Set(report.results.map((r) => r.id.split('/').slice(0, 2).join('/')));
    for (const f of families) {
      const n = deciding.filter((r) => r.id.startsWith(`${f}/`)).length;
      const row = new RegExp(`<tr data-family="${f}"><th scope="row"><a href="#family-${f.replace(/[^a-z0-9]+/g, '-')}">${f}</a></th><td>\\d+</td><td>(?:<a[^>]*>\\d+</a>|0)</td><td${n ? `><a class="v-fail" href="#family-[^"]+" data-family="${f}" data-kind="fail"[^>]*>${n}</a>` : ' class="zero">0'}</td>`);
      expect(dom.stdout).toMatch(row);
    }
    expect(dom.stdout).toContain(`${report.results.length} of ${report.results.length} cases shown`);

    // The page's script ran (so the CSP hash admits it) and filtered to the failing cases: the deciding ones, not the findings.
    const filtered = await runChromium(['--dump-dom'], `${page}?verdict=fail&q=client-auth`);
    const shown = deciding.filter((r) => r.id.includes('client-auth'));
    expect(filtered.stdout).toContain(`<span id="shown" aria-live="polite">${shown.length} of ${report.results.length} cases shown</span>`);
    expect(filtered.stdout).toMatch(/<details class="case v-pass" id="case-server-client-auth-valid" [^>]*hidden=""/);
    expect(filtered.stdout).toMatch(/<details class="case v-fail advisory" id="case-server-client-auth-eku-absent" [^>]*hidden=""/);
    expect(filtered.stdout).not.toMatch(/<details class="case v-fail" id="case-server-client-auth-expired" [^>]*hidden/);

    // A grid count's filter (family and result), as the query string gives it: the findings of server/protocol.
    const grid = await runChromium(['--dump-dom'], `${page}?verdict=finding&family=server/protocol`);
    const protocolFindings = findings.filter((r) => r.id.startsWith('server/protocol/'));
    expect(grid.stdout).toContain(`<span id="shown" aria-live="polite">${protocolFindings.length} of ${report.results.length} cases shown</span>`);
    expect(grid.stdout).toMatch(/<section class="area" id="family-server-client-auth" data-area="server\/client-auth" hidden="">/);
  });

  test('a run above FULL_DETAILS_UP_TO cases gets a brief page that renders: its note, the cases in full, the listed ones filterable', async ({ skip }) => {
    needChromium(skip);
    // The real run's results copied under new ids until the run is past the threshold (an exhaustive run, without 11,000 handshakes).
    const copies = Math.ceil((FULL_DETAILS_UP_TO + 1) / report.results.length);
    const big: Report = { ...report, results: Array.from({ length: copies }, (_, n) => report.results.map((r) => ({ ...r, id: `${r.id}-${n}` }))).flat() };
    const payload = '</pre><script>document.body.setAttribute("data-pwned", "1")</script>';
    const hostileCase = big.results.find((r) => r.verdict === 'fail' && r.observed)!;
    hostileCase.observed = { ...hostileCase.observed!, detail: payload };
    const file = join(work, 'brief.html');
    writeFileSync(file, renderHtmlReport(big));
    const page = pathToFileURL(file).href;
    const shot = join(work, 'report-brief-html.png');
    const s = await runChromium([`--screenshot=${shot}`], page);
    expect(s.code, s.stderr).toBe(0);
    expect(readFileSync(shot).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    console.log(`brief report.html screenshot: ${shot}`);

    const dom = await runChromium(['--dump-dom'], page);
    expect(dom.code, dom.stderr).toBe(0);
    expect(dom.stdout).toMatch(/<p id="brief-note" class="note"><strong>[\d,]+ cases, more than 2,000:<\/strong>[^<]*report\.json beside this file\.<\/p>/);
    const needLook = big.results.filter((r) => r.verdict !== 'pass' && r.verdict !== 'skip');
    expect(dom.stdout.match(/<div class="obs">/g)).toHaveLength(needLook.length + big.results.filter((r) => r.waived && (r.verdict === 'pass' || r.verdict === 'skip')).length);
    expect(dom.stdout).not.toMatch(/<body[^>]*data-pwned/);
    expect(dom.stdout).toContain('&lt;script&gt;document.body.setAttribute("data-pwned", "1")&lt;/script&gt;');
    // The page's script ran over every row, the listed ones included: only the passed cases of server/client-auth.
    const passed = big.results.filter((r) => r.verdict === 'pass' && r.id.startsWith('server/client-auth/'));
    const filtered = await runChromium(['--dump-dom'], `${page}?verdict=pass&family=server/client-auth`);
    expect(filtered.stdout).toContain(`<span id="shown" aria-live="polite">${passed.length} of ${big.results.length} cases shown</span>`);
    expect(filtered.stdout).toMatch(new RegExp(`<details class="case v-pass brief" data-id="${passed[0]!.id}" [^>]*>`));
    expect(filtered.stdout).not.toMatch(new RegExp(`<details class="case v-pass brief" data-id="${passed[0]!.id}" [^>]*hidden`));
  });

  test('a <script> in target-controlled text stays inert text in the browser', async ({ skip }) => {
    needChromium(skip);
    const hostile = structuredClone(report);
    const payload = '</pre><script>document.body.setAttribute("data-pwned", "1")</script><img src=x onerror="document.body.setAttribute(\'data-pwned\', \'2\')">';
    const noCert = hostile.results.find((r) => r.id === 'server/client-auth/no-cert')!;
    noCert.observed!.detail = payload;
    noCert.reason = payload;
    const file = join(work, 'hostile.html');
    writeFileSync(file, renderHtmlReport(hostile));
    const dom = await runChromium(['--dump-dom', '--virtual-time-budget=2000'], pathToFileURL(file).href);
    expect(dom.code, dom.stderr).toBe(0);
    expect(dom.stdout).toMatch(/<body>/);
    expect(dom.stdout).not.toMatch(/<body[^>]*data-pwned/);
    expect(dom.stdout).not.toContain('<img');
    expect(dom.stdout).toContain('&lt;script&gt;document.body.setAttribute("data-pwned", "1")&lt;/script&gt;');
  });
});
