import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';

const certs = join(mkdtempSync(join(tmpdir(), 'mtls-many-')), 'certs');
mkdirSync(certs, { recursive: true });
beforeAll(async () => {
  expect((await runCli(['certs', 'init', certs])).code).toBe(0);
});

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

describe('--targets-file', () => {
  test('20 targets in one run: bounded parallelism, one report dir each, an index; ports and processes released', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtls-many-run-'));
    const file = join(dir, 'targets.txt');
    const lines = Array.from({ length: 20 }, (_, i) => (i % 4 === 3 ? 'builtin:lenient' : 'builtin:strict'));
    writeFileSync(file, `# twenty targets\n${lines.join('\n')}\n`);
    const out = join(dir, 'reports');
    const run = await runCli(['run', '--targets-file', file, '--certs', certs, '--report-dir', out, '--parallel', '4', '--only', 'server/client-auth/*'], { timeoutMs: 240_000 });
    expect(run.code, run.stderr).toBe(1);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
    expect(index.summary).toEqual({ targets: 20, conformant: 15, nonConformant: 5, couldNotRun: 0 });
    expect(new Set(index.targets.map((t: { reportDir: string }) => t.reportDir)).size).toBe(20);
    for (const t of index.targets) {
      // Relative to index.json: the directory can be moved (a CI artifact) and still read.
      expect(t.reportDir).toMatch(/^builtin-(strict|lenient)-[0-9a-f]{8}(-\d+)?$/);
      const report = JSON.parse(readFileSync(join(out, t.reportDir, 'report.json'), 'utf8'));
      expect(report.summary.verdict).toBe(t.target === 'builtin:lenient' ? 'non-conformant' : 'conformant');
      // The embedded server of that run is gone: its port no longer accepts connections.
      expect(await refused(Number(new URL(report.target.url).port))).toBe(true);
    }
    expect(readFileSync(join(out, 'index.md'), 'utf8')).toContain('15 conformant, 5 non-conformant, 0 could not run.');
    const left = execSync(`pgrep -f "[r]eport-dir ${out}" || true`).toString().trim();
    expect(left).toBe('');
  });

  test('a YAML list with per-target profiles, a target that cannot run, --shard, and report merge', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtls-many-yaml-'));
    const file = join(dir, 'targets.yaml');
    writeFileSync(file, ['- target: builtin:strict', '  profile: modern', '- target: https://127.0.0.1:1', '- builtin:lenient', '- target: builtin:strict'].join('\n') + '\n');
    const a = await runCli(['run', '--targets-file', file, '--certs', certs, '--report-dir', join(dir, 'a'), '--shard', '1/2', '--only', 'server/protocol/*']);
    const b = await runCli(['run', '--targets-file', file, '--certs', certs, '--report-dir', join(dir, 'b'), '--shard', '2/2', '--only', 'server/protocol/*']);
    const ia = JSON.parse(readFileSync(join(dir, 'a', 'index.json'), 'utf8'));
    const ib = JSON.parse(readFileSync(join(dir, 'b', 'index.json'), 'utf8'));
    expect(ia.targets.map((t: { target: string; profile: string }) => [t.target, t.profile])).toEqual([
      ['builtin:strict', 'modern'],
      ['builtin:lenient', 'intermediate'],
    ]);
    expect(ib.targets.map((t: { target: string }) => t.target)).toEqual(['https://127.0.0.1:1', 'builtin:strict']);
    expect(ib.targets[0]).toMatchObject({ exitCode: 3, verdict: 'could-not-run' });
    expect(ib.targets[0].error).toContain('connection refused');
    expect([a.code, b.code]).toEqual([1, 3]);
    const merged = await runCli(['report', 'merge', join(dir, 'a'), join(dir, 'b'), '--out', join(dir, 'all')]);
    expect(merged.code).toBe(3);
    expect(JSON.parse(readFileSync(join(dir, 'all', 'index.json'), 'utf8')).summary).toEqual({ targets: 4, conformant: 2, nonConformant: 1, couldNotRun: 1 });
  });

  test('two shards written to the same report path, moved elsewhere, merged: exit 1, a testsuite per target, no stale path; a missing report is exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtls-many-shards-'));
    const workspace = join(dir, 'workspace');
    mkdirSync(workspace);
    writeFileSync(join(workspace, 'targets.txt'), 'builtin:strict\nbuiltin:lenient\n');
    // The merge job's machine: the artifacts land somewhere else entirely.
    const downloads = mkdtempSync(join(tmpdir(), 'mtls-many-downloads-'));
    const summaries: string[] = [];
    const outputs: string[] = [];
    for (const node of ['1', '2']) {
      const summary = join(dir, `summary-${node}.md`);
      writeFileSync(summary, '');
      // GitLab "parallel: 2": CI_NODE_INDEX 1..2. Both jobs use the same relative report path.
      const env = { CI_NODE_INDEX: node, CI_NODE_TOTAL: '2', GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary };
      const r = await runCli(['run', '--targets-file', 'targets.txt', '--shard', 'auto', '--certs', certs, '--report-dir', 'conformance-report', '--only', 'server/client-auth/*', ...(node === '1' ? ['--json'] : [])], { cwd: workspace, env });
      expect(r.code, r.stdout + r.stderr).toBe(node === '1' ? 0 : 1);
      outputs.push(r.stdout + r.stderr);
      summaries.push(readFileSync(summary, 'utf8'));
      if (node === '1') {
        // --json: stdout is the index, nothing else.
        expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync(join(workspace, 'conformance-report', 'index.json'), 'utf8')));
        expect(r.stderr).toContain('(shard 1/2 from CI_NODE_INDEX=1 CI_NODE_TOTAL=2)');
      }
      renameSync(join(workspace, 'conformance-report'), join(downloads, `conformance-report-${node}`));
    }
    // The job summary: the index table first (and no child appended its own report.md before it).
    expect(summaries[1]!.startsWith('# mTLS conformance: 1 target\n')).toBe(true);
    expect(summaries[1]).toMatch(/\| builtin:lenient \| intermediate \| non-conformant \| \d+ \| \d+ \| 0 \| builtin-lenient-[0-9a-f]{8} \|/);
    expect(summaries[1]).toContain('NON-CONFORMANT');
    // Annotations: the failing target has ::error lines titled by case id; the conformant one none.
    expect(outputs[1]).toMatch(/^::error title=server\/client-auth\/[a-z0-9.-]+::builtin:lenient: fail: /m);
    expect(outputs[0]).not.toContain('::error');

    const all = join(downloads, 'merged');
    const merged = await runCli(['report', 'merge', 'conformance-report-1', 'conformance-report-2', '--out', 'merged'], { cwd: downloads });
    expect(merged.code, merged.stdout + merged.stderr).toBe(1);
    const index = JSON.parse(readFileSync(join(all, 'index.json'), 'utf8'));
    expect(index.summary).toEqual({ targets: 2, conformant: 1, nonConformant: 1, couldNotRun: 0 });
    expect(index.targets.map((t: { target: string }) => t.target)).toEqual(['builtin:strict', 'builtin:lenient']);
    for (const t of index.targets) expect(existsSync(join(all, t.reportDir, 'report.json')), t.reportDir).toBe(true);
    const junit = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' }).parse(readFileSync(join(all, 'junit.xml'), 'utf8'));
    expect(junit.testsuites.testsuite.map((s: Record<string, string>) => s['@_name'])).toEqual(['mtls-conformance builtin:strict', 'mtls-conformance builtin:lenient']);
    expect(Number(junit.testsuites['@_failures'])).toBeGreaterThan(0);
    expect(Number(junit.testsuites.testsuite[0]['@_failures'])).toBe(0);
    // No path of the jobs' workspace anywhere in what the merge job reads or writes.
    for (const f of ['merged/index.json', 'merged/index.md', 'merged/index.html', 'merged/junit.xml', 'conformance-report-1/index.json', 'conformance-report-2/index.json', 'conformance-report-2/index.md']) {
      const text = readFileSync(join(downloads, f), 'utf8');
      expect(text, f).not.toContain(workspace);
      expect(text, f).not.toContain(dir);
    }
    expect(readFileSync(join(all, 'index.html'), 'utf8')).toMatch(/href="\.\.\/conformance-report-2\/builtin-lenient-[0-9a-f]{8}\/report\.html"/);

    // A target report left out of the download: exit 2, one line naming it; nothing counted from the index's word.
    const lenientDir = index.targets[1].reportDir as string;
    rmSync(join(all, lenientDir, 'report.json'));
    const missing = await runCli(['report', 'merge', 'conformance-report-1', 'conformance-report-2', '--out', 'merged-again'], { cwd: downloads });
    expect(missing.code, missing.stderr).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain(`names target "builtin:lenient" with its report in "${lenientDir.split('/').pop()}"`);
    expect(missing.stderr).toContain('is missing');
  });

  test('--shard auto without CI_NODE_INDEX/CI_NODE_TOTAL, or with garbage: one line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtls-many-auto-'));
    const file = join(dir, 't.txt');
    writeFileSync(file, 'builtin:strict\n');
    for (const [env, fragment] of [
      [{ CI_NODE_INDEX: '', CI_NODE_TOTAL: '', JOB_COMPLETION_INDEX: '' }, '--shard auto: CI_NODE_TOTAL is not set'],
      [{ CI_NODE_INDEX: '1/2', CI_NODE_TOTAL: '2', JOB_COMPLETION_INDEX: '' }, '--shard auto: CI_NODE_INDEX="1/2" is not a whole number'],
      [{ CI_NODE_INDEX: '0', CI_NODE_TOTAL: '2', JOB_COMPLETION_INDEX: '' }, 'it counts from 1'],
    ] as [Record<string, string>, string][]) {
      const r = await runCli(['run', '--targets-file', file, '--shard', 'auto', '--report-dir', join(dir, 'out')], { env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(fragment);
      expect(existsSync(join(dir, 'out'))).toBe(false);
    }
  });

  test('bad targets files and shards: one line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtls-many-bad-'));
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '# nothing\n');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, '- profile: modern\n');
    for (const [args, fragment] of [
      [['--targets-file', join(dir, 'missing.txt')], 'cannot be read (ENOENT)'],
      [['--targets-file', empty], 'lists no target'],
      [['--targets-file', bad], 'line 1 (entry 1): has no "target:"'],
      [['--targets-file', empty, '--shard', '3/2'], '--shard "3/2" must be i/n'],
    ] as [string[], string][]) {
      const r = await runCli(['run', ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(fragment);
    }
  });

  test('an entry profile path is found next to the targets file; INCONCLUSIVE counts as could not run in run and merge alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtls-many-rel-'));
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    writeFileSync(join(sub, 'child.yaml'), 'name: child\nextends: intermediate\n');
    // builtin:strict judges client certificates by the run's profile: it refuses the valid one, so the positive control fails.
    writeFileSync(join(sub, 'control-refused.yaml'), 'name: control-refused\nextends: intermediate\ncertificates:\n  client:\n    minRsaBits: 4096\n    minEcBits: 384\n');
    const file = join(sub, 'targets.yaml');
    writeFileSync(file, ['- target: builtin:strict', '  profile: ./control-refused.yaml', '- target: builtin:strict', '  profile: ./child.yaml'].join('\n') + '\n');
    const out = join(dir, 'reports');
    // Run from dir: "./child.yaml" is not in the current directory, only next to the targets file.
    const run = await runCli(['run', '--targets-file', 'sub/targets.yaml', '--certs', certs, '--report-dir', out, '--only', 'server/protocol/*'], { cwd: dir });
    expect(run.code, run.stdout + run.stderr).toBe(3);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
    expect(index.targets.map((t: { verdict: string; exitCode: number }) => [t.verdict, t.exitCode])).toEqual([
      ['inconclusive', 3],
      ['conformant', 0],
    ]);
    // Recorded as the targets file writes it, in the index and in the recorded argv: no path of this machine.
    expect(index.targets.map((t: { profile: string }) => t.profile)).toEqual(['./control-refused.yaml', './child.yaml']);
    expect(index.targets[0].argv).toContain('./control-refused.yaml');
    expect(readFileSync(join(out, 'index.json'), 'utf8')).not.toContain(dir);
    expect(JSON.parse(readFileSync(join(out, index.targets[1].reportDir, 'report.json'), 'utf8')).profile.name).toBe('child');
    expect(index.summary).toEqual({ targets: 2, conformant: 1, nonConformant: 0, couldNotRun: 1 });

    // The same two report directories merged (the inconclusive one named twice, once with a trailing slash).
    const [inconclusiveDir, conformantDir] = index.targets.map((t: { reportDir: string }) => join(out, t.reportDir));
    const merged = await runCli(['report', 'merge', inconclusiveDir, conformantDir, `${inconclusiveDir}/`, '--out', join(dir, 'all')]);
    expect(merged.code, merged.stdout + merged.stderr).toBe(3);
    const all = JSON.parse(readFileSync(join(dir, 'all', 'index.json'), 'utf8'));
    expect(all.summary).toEqual({ targets: 2, conformant: 1, nonConformant: 0, couldNotRun: 1 });
    expect(all.targets.map((t: { target: string; verdict: string; exitCode: number }) => [t.target, t.verdict, t.exitCode])).toEqual([
      ['builtin:strict', 'inconclusive', 3],
      ['builtin:strict', 'conformant', 0],
    ]);
    expect(readFileSync(join(dir, 'all', 'index.md'), 'utf8')).toContain('# mTLS conformance: 2 targets\n');

    const one = await runCli(['report', 'merge', conformantDir, conformantDir, '--out', join(dir, 'one')]);
    expect(one.code, one.stderr).toBe(0);
    expect(readFileSync(join(dir, 'one', 'index.md'), 'utf8')).toContain('# mTLS conformance: 1 target\n');
    expect(JSON.parse(readFileSync(join(dir, 'one', 'index.json'), 'utf8')).summary).toEqual({ targets: 1, conformant: 1, nonConformant: 0, couldNotRun: 0 });
  });

  test("an entry's args are checked before any target runs: a bad flag or value is a usage error naming its line", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtls-many-args-'));
    const cases: [string, string][] = [
      ['  args: ["--onyl", "server/*"]', '"args": "--onyl" is not a flag of "conformance run"'],
      ['  args: ["--timeout", "soon"]', '"args": --timeout "soon" must be a positive duration up to 600s'],
      ['  args: ["--only"]', "\"args\": option '--only <glob>' argument missing"],
      ['  args: ["--slow", "yes"]', '"args": "yes" is not a flag or the value of one'],
    ];
    for (const [i, [args, fragment]] of cases.entries()) {
      const file = join(dir, `targets-${i}.yaml`);
      writeFileSync(file, ['- target: builtin:strict', '  args: ["--only", "server/protocol/*", "--timeout=2s"]', '- target: builtin:lenient', args].join('\n') + '\n');
      const out = join(dir, `reports-${i}`);
      const r = await runCli(['run', '--targets-file', file, '--certs', certs, '--report-dir', out]);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`--targets-file "${file}" line 3 (entry 2): ${fragment}`);
      // Nothing ran: no report directory was made.
      expect(existsSync(out)).toBe(false);
    }
  });
});
