import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';

/**
 * What a user does: the package packed with `npm pack`, installed from the tarball into a fresh
 * CommonJS project (vitest 4) and a fresh ESM project (vitest 5), run by its name with a relative
 * report directory, the README's vitest snippet pasted into the project's own vitest, and a user
 * file type-checked against the exported API. Needs the npm registry (or npm's cache) for the
 * dependencies, as a user's install does.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NODE_BIN = dirname(process.execPath);
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');
const work = mkdtempSync(join(tmpdir(), 'mtls-packed-'));
const env = { ...process.env, PATH: `${NODE_BIN}:${process.env.PATH}`, NO_COLOR: '1', CI: '', GITHUB_STEP_SUMMARY: '', npm_config_update_notifier: 'false' };
let tarball = '';

function sh(cmd: string, args: string[], cwd: string, timeoutMs = 240_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
}

function npmInstall(dir: string, ...pkgs: string[]): void {
  const r = sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...pkgs], dir);
  if (r.status !== 0) throw new Error(`npm install ${pkgs.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
}

function project(name: string, type: 'commonjs' | 'module'): string {
  const dir = join(work, name);
  mkdirSync(dir);
  // What `npm init -y` writes, plus the module type under test (npm init -y itself says commonjs).
  const r = sh('npm', ['init', '-y'], dir, 30_000);
  if (r.status !== 0) throw new Error(`npm init -y failed: ${r.stderr}`);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  pkg.type = type;
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  return dir;
}

function duBytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    if (entry.isSymbolicLink()) continue;
    total += entry.isDirectory() ? duBytes(p) : statSync(p).size;
  }
  return total;
}

/** The README's vitest snippet, verbatim but for the target. */
function readmeVitestSnippet(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### The suites in your own vitest'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README has no ts block under "The suites in your own vitest"');
  const swapped = block[1]!.replace(/target: '[^']*'/, "target: 'builtin:strict'");
  if (swapped === block[1]) throw new Error('the README snippet names no target to swap');
  return swapped;
}

/** The README's vitest snippet as a project's vitest config (a .mts file in a CommonJS project, as the README advises). */
function writeReadmeConfig(dir: string, file: string): void {
  writeFileSync(join(dir, file), readmeVitestSnippet());
}

const REPORT_FILES = ['report.json', 'junit.xml', 'report.md', 'report.html', 'manifest.json'];
let cjs = '';
let esm = '';
let footprint = 0;

beforeAll(() => {
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, env, encoding: 'utf8' }));
  tarball = join(work, packed[0].filename);
  cjs = project('cjs-project', 'commonjs');
  esm = project('esm-project', 'module');
  npmInstall(cjs, tarball);
  footprint = duBytes(join(cjs, 'node_modules'));
  npmInstall(cjs, 'vitest@4');
  npmInstall(esm, tarball, 'vitest@5');
}, 600_000);

describe('the packed package, installed as a user installs it', () => {
  test('ships LICENSE, README, docs, example profiles and JSON Schemas, and no tests', () => {
    const listed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    for (const f of ['LICENSE', 'README.md', 'package.json', 'docs/cases.md', 'docs/profiles.md', 'docs/ci.md', 'schemas/report.schema.json', 'schemas/profile.schema.json', 'schemas/index.schema.json', 'examples/ci/github-actions-targets.yml', 'examples/ci/gitlab-ci-targets.yml', 'examples/profiles/tls12-minimum.yaml', 'profiles/intermediate.yaml', 'dist/cli/conformance.js', 'dist/cli/THIRD-PARTY-LICENSES.md']) {
      expect(listed, f).toContain(`package/${f}`);
    }
    expect(listed.filter((f) => /\.test\.|^package\/test\//.test(f))).toEqual([]);
  });

  test('runs no script when installed (npm 11 warns on every install of a package with one)', () => {
    const installed = JSON.parse(readFileSync(join(cjs, 'node_modules', 'mtls-conformance', 'package.json'), 'utf8'));
    const lifecycle = ['preinstall', 'install', 'postinstall', 'prepare'].filter((s) => installed.scripts?.[s] !== undefined);
    expect(lifecycle).toEqual([]);
  });

  test('its install (production dependencies only) is under 20 MB and holds neither testcontainers nor vitest', () => {
    expect(footprint).toBeLessThan(20 * 1024 * 1024);
    const pkgs = JSON.parse(readFileSync(join(cjs, 'package-lock.json'), 'utf8')).packages as Record<string, unknown>;
    const names = Object.keys(pkgs);
    expect(names.some((n) => n.endsWith('node_modules/testcontainers'))).toBe(false);
    // vitest came in only with the user's own `npm install vitest@4`, as a top-level package.
    expect(names.filter((n) => /node_modules\/vitest$/.test(n))).toEqual(['node_modules/vitest']);
  });

  test.each([
    ['CommonJS', () => cjs],
    ['ESM', () => esm],
  ])('%s project: `npx mtls-conformance run` with a relative --report-dir writes every report file there', (_kind, dir) => {
    const cwd = dir();
    // An explicit --certs must exist: `certs init DIR` (or mkdir) makes it.
    mkdirSync(join(cwd, 'certs'), { recursive: true });
    const r = sh('npx', ['--no-install', 'mtls-conformance', 'run', '--report-dir', 'reports/run1', '--certs', 'certs', '--only', 'server/client-auth/*'], cwd, 120_000);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    for (const f of REPORT_FILES) expect(existsSync(join(cwd, 'reports', 'run1', f)), f).toBe(true);
    // Nothing lands inside the installed package.
    expect(existsSync(join(cwd, 'node_modules', 'mtls-conformance', 'reports'))).toBe(false);
    const junit = readFileSync(join(cwd, 'reports', 'run1', 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testcase classname="server.client-auth" name="server\/client-auth\/expired"/);
    const manifest = JSON.parse(readFileSync(join(cwd, 'reports', 'run1', 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.files)).toContain('junit.xml');
    const v = sh('npx', ['--no-install', 'conformance', 'verify', 'reports/run1'], cwd, 60_000);
    expect(v.status, v.stdout + v.stderr).toBe(0);
  });

  test('the matrix-and-merge flow: two shards (--shard auto) into the same report path, moved as artifacts, merged into one junit.xml', () => {
    const cwd = cjs;
    writeFileSync(join(cwd, 'targets.txt'), 'builtin:strict\nbuiltin:lenient\n');
    mkdirSync(join(cwd, 'certs'), { recursive: true });
    const artifacts = join(work, 'artifacts');
    mkdirSync(artifacts);
    for (const node of ['1', '2']) {
      const r = spawnSync('npx', ['--no-install', 'conformance', 'run', '--targets-file', 'targets.txt', '--shard', 'auto', '--certs', 'certs', '--report-dir', 'shard-report', '--only', 'server/client-auth/*'], {
        cwd,
        env: { ...env, CI_NODE_INDEX: node, CI_NODE_TOTAL: '2' },
        encoding: 'utf8',
        timeout: 120_000,
        killSignal: 'SIGKILL',
      });
      expect(r.status, r.stdout + r.stderr).toBe(node === '1' ? 0 : 1);
      renameSync(join(cwd, 'shard-report'), join(artifacts, `shard-${node}`));
    }
    const m = sh('npx', ['--no-install', 'conformance', 'report', 'merge', join(artifacts, 'shard-1'), join(artifacts, 'shard-2'), '--out', join(artifacts, 'merged'), '--json'], cwd, 60_000);
    expect(m.status, m.stdout + m.stderr).toBe(1);
    expect(JSON.parse(m.stdout).summary).toEqual({ targets: 2, conformant: 1, nonConformant: 1, couldNotRun: 0 });
    const junit = readFileSync(join(artifacts, 'merged', 'junit.xml'), 'utf8');
    expect(junit.match(/<testsuite /g)).toHaveLength(2);
    for (const f of ['index.json', 'index.md', 'index.html', 'junit.xml']) expect(readFileSync(join(artifacts, 'merged', f), 'utf8'), f).not.toContain(cwd);
  });

  test('an example profile is usable by its path inside the package and by its name', () => {
    for (const profile of ['node_modules/mtls-conformance/examples/profiles/tls12-minimum.yaml', 'tls12-minimum']) {
      const r = sh('npx', ['--no-install', 'conformance', 'profile', 'check', profile], cjs, 60_000);
      expect(r.status, `${profile}: ${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  test('--target-image without testcontainers installed: one line saying what to install, exit 2', () => {
    mkdirSync(join(cjs, 'certs'), { recursive: true });
    const r = sh('npx', ['--no-install', 'conformance', 'run', '--target-image', 'vendor/webhook:1', '--target-port', '8443', '--certs', 'certs', '--report-dir', 'reports/img'], cjs, 60_000);
    expect(r.status, r.stdout + r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/optional package "testcontainers".*npm install --save-dev testcontainers \(with npx/);
    // The command pastes into a shell as it is.
    expect(r.stderr).not.toContain('||');
  });

  test.each([
    ['CommonJS', 'vitest 4', () => cjs, 'vitest.config.mts'],
    ['ESM', 'vitest 5', () => esm, 'vitest.config.ts'],
  ])("%s project with %s: the README's vitest snippet runs the suite as the project's own tests", (_kind, _vitest, dir, file) => {
    const cwd = dir();
    writeReadmeConfig(cwd, file);
    for (const reporter of ['default', 'dot']) {
      const t0 = Date.now();
      const r = sh('npx', ['--no-install', 'vitest', 'run', `--reporter=${reporter}`], cwd, 180_000);
      const out = r.stdout + r.stderr;
      expect(r.status, out).toBe(0);
      expect(out).toMatch(/Tests\s+\d{2} passed \| 1 skipped/);
      expect(out).not.toMatch(/\d+ failed/);
      // The target stops in globalSetup's teardown: no 10 s close timeout, whatever the reporter.
      expect(out).not.toMatch(/close timed out|Error:|ESM syntax/);
      expect(Date.now() - t0).toBeLessThan(30_000);
    }
    const listed = sh('npx', ['--no-install', 'vitest', 'run', '--reporter=verbose', '-t', 'server/client-auth/expired'], cwd, 180_000);
    expect(listed.stdout, listed.stderr).toMatch(/server\/client-auth\/expired/);
  });

  test('a user file using the exported API and report type type-checks (ESM and the vitest config in CommonJS)', () => {
    // Its own files, whatever ran before it: the README's config in each project, and a tsconfig
    // under a name of its own (a tsconfig.json would be read by the vitest runs of the other tests).
    writeReadmeConfig(esm, 'vitest.config.ts');
    writeReadmeConfig(cjs, 'vitest.config.mts');
    writeFileSync(
      join(esm, 'use-api.ts'),
      [
        "import { runServer, reportSchema, type Report, type CaseResult } from 'mtls-conformance';",
        "import { serverSuite } from 'mtls-conformance/vitest';",
        "import { defineConfig } from 'vitest/config';",
        '',
        "export const config = defineConfig({ test: serverSuite({ target: 'builtin:strict', only: ['server/protocol/*'], repeat: 2, suite: 'deep' }) });",
        'export async function verdict(): Promise<Report["summary"]["verdict"]> {',
        "  const out = await runServer({ target: 'builtin:strict', profile: 'intermediate', only: [], timeoutMs: 5000, concurrency: 8, httpPath: '/', httpMethod: 'GET' });",
        '  const first: CaseResult | undefined = out.results[0];',
        '  void first;',
        '  return reportSchema.parse(out.report).summary.verdict;',
        '}',
        '',
      ].join('\n'),
    );
    const tsconfig = { compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2023', strict: true, noEmit: true, skipLibCheck: true, types: [] } };
    for (const [dir, files] of [
      [esm, ['use-api.ts', 'vitest.config.ts']],
      [cjs, ['vitest.config.mts']],
    ] as const) {
      writeFileSync(join(dir, 'tsconfig.api-check.json'), JSON.stringify({ ...tsconfig, files }));
      const r = sh(TSC, ['-p', 'tsconfig.api-check.json'], dir, 120_000);
      expect(r.status, `${dir}: ${r.stdout}${r.stderr}`).toBe(0);
    }
  });
});
