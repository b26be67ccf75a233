import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
      const report = JSON.parse(readFileSync(join(t.reportDir, 'report.json'), 'utf8'));
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
    expect(index.targets[0].profile).toBe(join(sub, 'control-refused.yaml'));
    expect(JSON.parse(readFileSync(join(index.targets[1].reportDir, 'report.json'), 'utf8')).profile.name).toBe('child');
    expect(index.summary).toEqual({ targets: 2, conformant: 1, nonConformant: 0, couldNotRun: 1 });

    // The same two report directories merged (the inconclusive one named twice, once with a trailing slash).
    const [inconclusiveDir, conformantDir] = index.targets.map((t: { reportDir: string }) => t.reportDir);
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
      ['  args: ["--timeout", "soon"]', "\"args\": option '--timeout <duration>' argument 'soon' is invalid"],
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
