import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../errors.js';
import { mergeIndexes } from './merge.js';

const base = mkdtempSync(join(tmpdir(), 'mtls-merge-unit-'));
let n = 0;
function dirWith(files: Record<string, unknown>): string {
  const d = join(base, `in-${++n}`);
  mkdirSync(d);
  for (const [name, value] of Object.entries(files)) {
    mkdirSync(dirname(join(d, name)), { recursive: true });
    writeFileSync(join(d, name), typeof value === 'string' ? value : JSON.stringify(value));
  }
  return d;
}

const report = {
  schemaVersion: 1,
  tool: { name: 'mtls-conformance', version: '0.2.0', node: 'v24.21.0', openssl: '3.0.0' },
  target: { kind: 'url', url: 'https://127.0.0.1:40001', builtin: 'strict' },
  profile: { name: 'intermediate', sha256: 'a'.repeat(64), source: 'builtin:intermediate' },
  startedAt: '2026-12-03T08:00:00.000Z',
  durationMs: 12,
  summary: { pass: 2, fail: 0, inconclusive: 0, skip: 0, verdict: 'conformant' },
  results: [],
};
const failing = { ...report, target: { kind: 'url', url: 'https://a.example' }, summary: { pass: 1, fail: 2, inconclusive: 0, skip: 0, verdict: 'non-conformant' } };
const entry = { target: 'https://a.example', profile: 'modern', reportDir: 'a-example-0000', exitCode: 1, verdict: 'non-conformant', pass: 1, fail: 2, inconclusive: 0, skip: 0, argv: ['run', '--target', 'https://a.example', '--sign-key', 'k.pem', '--report-dir', 'a-example-0000'] };
const index = { schemaVersion: 1, generatedAt: '2026-12-03T08:00:00.000Z', targets: [entry], summary: { targets: 1, conformant: 0, nonConformant: 1, couldNotRun: 0 } };

async function refusal(dirs: string[]): Promise<UsageError> {
  const err = await mergeIndexes(dirs, join(base, `out-${++n}`)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  return err as UsageError;
}

describe('mergeIndexes', () => {
  test('an index and a single-run report: one row each, the child argv kept, a builtin named as the user named it', async () => {
    const out = join(base, 'merged');
    const { index: merged } = await mergeIndexes([dirWith({ 'index.json': index, 'a-example-0000/report.json': failing }), dirWith({ 'report.json': report })], out);
    expect(merged.targets.map((t) => [t.target, t.verdict, t.exitCode])).toEqual([
      ['https://a.example', 'non-conformant', 1],
      ['builtin:strict', 'conformant', 0],
    ]);
    expect(merged.targets[0]!.argv).toEqual(entry.argv);
    expect(merged.summary).toEqual({ targets: 2, conformant: 1, nonConformant: 1, couldNotRun: 0 });
    expect(JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')).targets).toHaveLength(2);
    // Paths relative to the merged index: the target directories sit beside it, wherever that is.
    expect(merged.targets.map((t) => t.reportDir)).toEqual([`in-${n - 1}/a-example-0000`, `in-${n}`].map((p) => `../${p}`));
  });

  test("an index's target directory is found next to the index, wherever it was moved; a report missing there is exit 2 naming it", async () => {
    const d = dirWith({ 'index.json': index, 'a-example-0000/report.json': failing });
    const moved = join(base, `moved-${++n}`);
    renameSync(d, moved);
    const { index: merged } = await mergeIndexes([moved], join(base, `out-${++n}`));
    expect(merged.targets[0]).toMatchObject({ target: 'https://a.example', verdict: 'non-conformant', fail: 2 });
    rmSync(join(moved, 'a-example-0000', 'report.json'));
    const err = await refusal([moved]);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(`names target "https://a.example" with its report in "a-example-0000", but "${join(moved, 'a-example-0000', 'report.json')}" is missing`);
    expect(err.message.split('\n')).toHaveLength(1);
  });

  test('the counts come from the report, not from the index', async () => {
    const d = dirWith({ 'index.json': { ...index, targets: [{ ...entry, verdict: 'conformant', exitCode: 0, fail: 0 }] }, 'a-example-0000/report.json': failing });
    const { index: merged } = await mergeIndexes([d], join(base, `out-${++n}`));
    expect(merged.targets[0]).toMatchObject({ verdict: 'non-conformant', fail: 2 });
    expect(merged.summary.nonConformant).toBe(1);
  });

  test('a target that could not run needs no report, and becomes a testsuite with one error in junit.xml', async () => {
    const cnr = { ...entry, reportDir: 'gone-1111', exitCode: 3, verdict: 'could-not-run', pass: 0, fail: 0, error: 'error: connection refused <&>' };
    const out = join(base, `out-${++n}`);
    const { index: merged } = await mergeIndexes([dirWith({ 'index.json': { ...index, targets: [cnr] } })], out);
    expect(merged.summary.couldNotRun).toBe(1);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit).toContain('<error message="error: connection refused &lt;&amp;&gt;" type="could-not-run">');
    expect(junit.match(/<testsuite /g)).toHaveLength(1);
  });

  test.each([
    ['a count that is a string', { ...report, summary: { ...report.summary, pass: '2' } }, 'at summary.pass'],
    ['an unknown verdict', { ...report, summary: { ...report.summary, verdict: 'fine' } }, 'at summary.verdict'],
    ['no profile hash', { ...report, profile: { name: 'x', source: 'y' } }, 'at profile.sha256'],
    ['another schema version', { ...report, schemaVersion: 2 }, 'at schemaVersion'],
  ])('report.json with %s is refused by the report schema, naming the file', async (_what, bad, where) => {
    const d = dirWith({ 'report.json': bad });
    const err = await refusal([d]);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(`report merge: "${join(d, 'report.json')}" is not a report: it does not match its schema ${where}`);
    expect(err.message.split('\n')).toHaveLength(1);
  });

  test('index.json with a target missing its counts is refused, naming the file and the target', async () => {
    const { fail: _fail, ...noFail } = entry;
    const d = dirWith({ 'index.json': { ...index, targets: [entry, noFail] } });
    expect((await refusal([d])).message).toContain(`"${join(d, 'index.json')}" is not an index: it does not match its schema at targets.1.fail`);
  });

  test('not JSON, and a directory with neither file', async () => {
    const d = dirWith({ 'report.json': '{ nope' });
    expect((await refusal([d])).message).toContain(`"${join(d, 'report.json')}" is not JSON`);
    const empty = dirWith({});
    expect((await refusal([empty])).message).toContain('holds neither index.json nor report.json');
  });
});
