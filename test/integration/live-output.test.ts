import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Report } from '../../harness/report/report.js';
import { CLI, runCli } from '../helpers/cli.js';
import { have } from '../helpers/peers.js';

// Live output off a terminal (issue 18): a CI log shows the header and each case as it is judged,
// not everything at the end; --ndjson lines each validate against schemas/events.schema.json; and
// when the positive control fails, its cause is in every report, quoting the client's informative
// stderr line.
const work = mkdtempSync(join(tmpdir(), 'mtls-live-'));
const certs = join(work, 'certs');
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const eventsSchema = JSON.parse(readFileSync(new URL('../../schemas/events.schema.json', import.meta.url), 'utf8'));
const reportSchema = JSON.parse(readFileSync(new URL('../../schemas/report.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });

/** The CLI with stdout a pipe (not a TTY), each chunk of stdout stamped with when it arrived. */
function runTimed(args: string[], timeoutMs = 90_000): Promise<{ code: number | null; chunks: { at: number; text: string }[]; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', GITHUB_STEP_SUMMARY: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: { at: number; text: string }[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => chunks.push({ at: performance.now() - t0, text: d.toString() }));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, chunks, stdout: chunks.map((c) => c.text).join(''), stderr });
    });
  });
}

/** When the first chunk holding `re` arrived (ms since start). */
function arrival(chunks: { at: number; text: string }[], re: RegExp): number {
  let seen = '';
  for (const c of chunks) {
    seen += c.text;
    if (re.test(seen)) return c.at;
  }
  return Number.NaN;
}

beforeAll(async () => {
  expect((await runCli(['certs', 'init', certs])).code).toBe(0);
}, 60_000);

describe('live output off a terminal', () => {
  test('a slow client (0.5 s a run): the header and the first case line arrive seconds before the summary', async () => {
    const slow = `${JSON.stringify(process.execPath)} ${fixture('slow-client.mjs')} {url}`;
    const run = await runTimed(['run', '--target-client', slow, '--only', 'client/server-auth/*', '--concurrency', '2', '--certs', certs, '--report-dir', join(work, 'slow')]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^mtls-conformance \S+ · target client command .*slow-client\.mjs.* · profile intermediate \(sha256 [0-9a-f]{12}\) · \d+ cases$/);
    // client/server-auth/* grows as cases are added: the header names the count, at least the 19 of 0.2.
    const n = Number(/ · (\d+) cases$/.exec(lines[0]!)?.[1]);
    expect(n).toBeGreaterThanOrEqual(19);
    // A line per case, numbered in completion order; the control first.
    const caseLines = lines.filter((l) => new RegExp(`^\\s*\\d+/${n} `).test(l));
    expect(caseLines).toHaveLength(n);
    expect(caseLines[0]).toMatch(new RegExp(`^ *1/${n} PASS\\s+client/server-auth/valid\\s+expect accept`));
    // Not a red FAIL for a recommended finding in a conformant run.
    expect(run.stdout).toMatch(new RegExp(`^ *\\d+/${n} FINDING\\s+client/server-auth/revoked .*\\(recommended\\)$`, 'm'));
    expect(run.stdout).not.toMatch(new RegExp(`^\\s*\\d+/${n} FAIL`, 'm'));
    expect(lines.at(-1)).toMatch(new RegExp(`^${n} cases: \\d+ pass, 0 fail, \\d+ findings?, 0 inconclusive, 0 skip · CONFORMANT`));

    const header = arrival(run.chunks, /^mtls-conformance .*cases\n/m);
    const first = arrival(run.chunks, new RegExp(`^ *1/${n} `, "m"));
    const summary = arrival(run.chunks, new RegExp(`^${n} cases: `, "m"));
    console.log(`header at ${header.toFixed(0)} ms, first case at ${first.toFixed(0)} ms, summary at ${summary.toFixed(0)} ms`);
    expect(header).toBeLessThanOrEqual(first);
    // n-1 more client runs of >= 0.5 s, two at a time: the summary comes >= 4 s after the first line.
    expect(summary - first).toBeGreaterThan(3000);
    // The lines came in many chunks as cases completed, not in one write at the end.
    expect(run.chunks.filter((c) => c.at < summary - 1000).length).toBeGreaterThanOrEqual(5);
  }, 120_000);

  test('--ndjson: every line parses and validates against schemas/events.schema.json; run-start, a case event per case, run-end', async () => {
    const dir = join(work, 'ndjson');
    const run = await runTimed(['run', '--ndjson', '--target', 'builtin:lenient', '--certs', certs, '--report-dir', dir]);
    expect(run.code, run.stderr).toBe(1);
    const validate = ajv.compile(eventsSchema);
    const events = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => {
        const e = JSON.parse(line);
        expect(validate(e), `${line.slice(0, 200)}: ${JSON.stringify(validate.errors)}`).toBe(true);
        return e;
      });
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    expect(events[0]).toMatchObject({ event: 'run-start', schemaVersion: 1, profile: { name: 'intermediate', sha256: report.profile.sha256 }, cases: report.results.length });
    const cases = events.filter((e) => e.event === 'case');
    expect(cases).toHaveLength(report.results.length);
    expect(cases.map((e) => e.n)).toEqual(report.results.map((_, i) => i + 1));
    // Each case event carries the result as report.json holds it.
    const byId = new Map(report.results.map((r) => [r.id, r]));
    for (const e of cases) expect(e.result).toEqual(byId.get(e.result.id));
    const eku = cases.find((e) => e.result.id === 'server/client-auth/eku-absent');
    expect(eku).toMatchObject({ kind: 'finding', family: 'server/client-auth', result: { verdict: 'fail', severity: 'recommended' } });
    expect(events.at(-1)).toMatchObject({ event: 'run-end', exitCode: 1, summary: report.summary, reportPath: join(dir, 'report.json') });
    // And a line that is not an event does not validate.
    expect(validate({ event: 'case', time: new Date().toISOString(), n: 1 })).toBe(false);
  }, 60_000);

  test('--ndjson: a run that stops on an error after it began still ends with run-end (exit code and the error)', async () => {
    const run = await runTimed(['run', '--ndjson', '--target-client', 'no-such-client-program {url}', '--only', 'client/server-auth/expired', '--certs', certs, '--report-dir', join(work, 'nd-err')]);
    expect(run.code).toBe(2);
    const validate = ajv.compile(eventsSchema);
    const events = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    for (const e of events) expect(validate(e), JSON.stringify(validate.errors)).toBe(true);
    expect(events[0].event).toBe('run-start');
    expect(events.at(-1)).toMatchObject({ event: 'run-end', exitCode: 2, error: expect.stringMatching(/^--target-client "no-such-client-program \{url\}" could not be started/) });
    expect(run.stderr).toMatch(/^error: --target-client "no-such-client-program \{url\}" could not be started/);
  }, 60_000);

  test('--ndjson with --targets-file: run-start, a target event per target as it completes, run-end; progress on stderr', async () => {
    const file = join(work, 'targets.txt');
    writeFileSync(file, 'builtin:strict\nbuiltin:lenient\n');
    const out = join(work, 'many');
    const run = await runTimed(['run', '--targets-file', file, '--ndjson', '--only', 'server/protocol/*', '--certs', certs, '--report-dir', out], 120_000);
    expect(run.code, run.stderr).toBe(1);
    const validate = ajv.compile(eventsSchema);
    const events = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    for (const e of events) expect(validate(e), JSON.stringify(validate.errors)).toBe(true);
    expect(events.map((e) => e.event)).toEqual(['run-start', 'target', 'target', 'run-end']);
    expect(events[0]).toMatchObject({ targets: 2 });
    expect(events.filter((e) => e.event === 'target').map((e) => [e.target, e.verdict, e.exitCode]).sort()).toEqual([
      ['builtin:lenient', 'non-conformant', 1],
      ['builtin:strict', 'conformant', 0],
    ]);
    expect(events[3]).toMatchObject({ exitCode: 1, targets: { targets: 2, conformant: 1, nonConformant: 1, couldNotRun: 0 }, indexPath: join(out, 'index.json') });
    expect(run.stderr).toMatch(/^Running 2 targets/);
  }, 150_000);

  test('--json and --ndjson together: the stream wins, with one warning line', async () => {
    const run = await runCli(['run', '--json', '--ndjson', '--only', 'server/protocol/tls1.3', '--certs', certs, '--report-dir', join(work, 'both')]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^warning: --json ignored: --ndjson prints the run as JSON lines \(the report is in .*both\)\.\n$/);
    const events = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.event)).toEqual(['run-start', 'case', 'case', 'run-end']);
  });
});

describe('the cause of an inconclusive run, in every report', () => {
  test.skipIf(!have('curl'))("curl that does not trust the CA: curl's error line, not its pointer to a web page, in stderr, report.json, report.md, report.html and junit.xml", async () => {
    const dir = join(work, 'curl-cause');
    // -sS: errors only; no --cacert, so curl refuses the reference server's certificate.
    const run = await runCli(['run', '--target-client', 'curl -sS {url}', '--only', 'client/server-auth/expired', '--certs', certs, '--report-dir', dir]);
    expect(run.code, run.stderr).toBe(3);
    const curlLine = /curl: \(60\) SSL certificate problem: [^\n]*/;
    expect(run.stderr).toMatch(/^error: the positive control client\/server-auth\/valid was not accepted \(.*; client stderr: curl: \(60\) SSL certificate problem: /);
    expect(run.stderr).not.toContain('web page mentioned above');

    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    expect(ajv.validate(reportSchema, report), JSON.stringify(ajv.errors)).toBe(true);
    expect(report.summary.verdict).toBe('inconclusive');
    expect(report.cause).toMatchObject({ case: 'client/server-auth/valid', clientStderr: expect.stringMatching(curlLine) });
    expect(report.cause!.text).toBe(run.stderr.trim().replace(/^error: /, ''));
    expect(report.cause!.text).toContain(join(certs, 'trust', 'server-ca.pem'));

    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('> **Cause:** the positive control client/server-auth/valid was not accepted');
    expect(md).toMatch(/> client stderr: curl: \(60\) SSL certificate problem/);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(/<p id="cause" class="cause"><strong>Cause:<\/strong> the positive control client\/server-auth\/valid was not accepted .*<code>curl: \(60\) SSL certificate problem/);
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => ['testcase', 'property'].includes(n) }).parse(readFileSync(join(dir, 'junit.xml'), 'utf8'));
    const suite = junit.testsuites.testsuite;
    const props = Object.fromEntries(suite.properties.property.map((p: { name: string; value: string }) => [p.name, p.value]));
    expect(props.cause).toBe(report.cause!.text);
    expect(props.clientStderr).toMatch(curlLine);
    const control = suite.testcase.find((t: { name: string }) => t.name === 'client/server-auth/valid');
    const verdict = report.results.find((r) => r.id === 'client/server-auth/valid')!.verdict;
    expect(control.failure.message).toBe(`${verdict}: ${report.cause!.text}`);
  }, 60_000);

  test('a Node client that throws: its Error line, not "Node.js v24"', async () => {
    const dir = join(work, 'node-cause');
    // No CA given: Node refuses the reference server's certificate and dies with an uncaught error.
    const client = `${JSON.stringify(process.execPath)} -e "require('https').get(process.argv[1])" {url}`;
    const run = await runCli(['run', '--target-client', client, '--only', 'client/server-auth/expired', '--certs', certs, '--report-dir', dir]);
    expect(run.code, run.stderr).toBe(3);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    expect(report.cause?.clientStderr).toMatch(/^Error: (self[- ]signed certificate|unable to (get local issuer|verify the first) certificate)/);
    expect(run.stderr).toContain(`client stderr: ${report.cause!.clientStderr}`);
    expect(run.stderr).not.toMatch(/client stderr: Node\.js v/);
  }, 60_000);
});
