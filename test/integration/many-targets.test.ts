import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';

const certs = join(mkdtempSync(join(tmpdir(), 'mtls-many-')), 'certs');
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
});
