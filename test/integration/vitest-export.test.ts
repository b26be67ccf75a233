import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { findNginx, startNginx, type StartedPeer } from '../helpers/peers.js';
import { DEVIATIONS } from './deep-corpus-verdicts.js';

// mtls-conformance/vitest in a user's own vitest project: the suite runs as their tests.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const certs = join(mkdtempSync(join(tmpdir(), 'mtls-vitest-export-')), 'certs');
mkdirSync(certs, { recursive: true });

function userProject(target: string, extra = '', on: { certsDir?: string; only?: string[] } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mtls-user-project-'));
  // The user's project has vitest installed; here it borrows ours.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(
    join(dir, 'vitest.config.mjs'),
    [
      "import { defineConfig } from 'vitest/config';",
      `import { serverSuite } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'suites', 'index.js')).href)};`,
      `export default defineConfig({ test: serverSuite({ target: ${JSON.stringify(target)}, certsDir: ${JSON.stringify(on.certsDir ?? certs)}, only: ${JSON.stringify(on.only ?? ['server/client-auth/*'])}${extra} }) });`,
      '',
    ].join('\n'),
  );
  return dir;
}

function vitest(dir: string, extra: string[] = []) {
  return spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', dir, ...extra], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 90_000,
    env: { ...process.env, NO_COLOR: '1', CI: '' },
  });
}

/** vitest in a child process without blocking this one: the flaky server below answers from this process's event loop. */
function vitestAsync(dir: string, extra: string[] = [], timeoutMs = 90_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', dir, ...extra], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', CI: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vitest in ${dir} did not finish within ${timeoutMs / 1000} s\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('mtls-conformance/vitest', () => {
  test('builtin:strict: every case is a passing vitest test; the process exits when done', () => {
    const r = vitest(userProject('builtin:strict'));
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Tests\s+27 passed \| 1 skipped \(28\)/);
  });

  test('builtin:lenient: the required cases it gets wrong fail as vitest tests, titled with their ids', () => {
    const r = vitest(userProject('builtin:lenient'));
    expect(r.status).toBe(1);
    for (const id of ['no-cert', 'expired', 'self-signed', 'intermediate-not-sent']) expect(r.stdout + r.stderr).toContain(`server/client-auth/${id}`);
    expect(r.stdout).toMatch(/Tests\s+17 failed \| 10 passed \| 1 skipped \(28\)/);
    // A recommended finding passes, but says so.
    expect(r.stdout + r.stderr).toMatch(/RECOMMENDED FINDING server\/client-auth\/eku-absent \(fail; does not fail the run\)/);
    // Each finding's warning sits under its own test's header, never another test's.
    const findings = [...(r.stdout + r.stderr).matchAll(/^stderr \| (.*) > (\S+)\n(?:[A-Z]+ FINDING (\S+))?/gm)];
    expect(findings.length).toBeGreaterThanOrEqual(2);
    for (const [, , header, finding] of findings) expect(finding, `warning under ${header}`).toBe(header);
    expect(findings.map((f) => f[2])).toContain('server/client-auth/eku-absent');
    // The suite by a readable name, not by its path inside the package.
    expect(findings[0]![1]).toMatch(/^mtls-conformance server suite · https:\/\/127\.0\.0\.1:\d+ · profile intermediate$/);
    expect(r.stdout + r.stderr).not.toContain('server.suite.js');
  });

  test.each([
    [", profle: 'modern'", 'has no option "profle"'],
    [', timeoutMs: -5', 'timeoutMs -5 must be a number of milliseconds'],
    [', repeat: 0', 'repeat 0 must be a whole number from 1 to 100'],
    [', repeat: 101', 'repeat 101 must be a whole number from 1 to 100'],
    [", repeat: '6'", 'repeat "6" must be a whole number from 1 to 100'],
    [", concurrency: 0", 'concurrency 0 must be a whole number ≥ 1'],
    // As `--suite deeep`: one line naming the suites there are.
    [", suite: 'deeep'", 'suite "deeep" is not a suite: use "core", "deep", "exhaustive"'],
  ])('a misspelt or invalid option (%s) stops the run with one clear message, instead of running something else', (extra, message) => {
    const r = vitest(userProject('builtin:strict', extra));
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(`mtls-conformance/vitest: serverSuite() ${message}`);
    expect(r.stdout + r.stderr).not.toMatch(/Tests\s+\d+ passed/);
  });

  test('a --reporter override does not keep the embedded target alive: the run ends promptly', () => {
    const t0 = Date.now();
    const r = vitest(userProject('builtin:strict'), ['--reporter=dot']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/close timed out/);
    expect(Date.now() - t0).toBeLessThan(8000);
  });
});

describe('serverSuite({ repeat })', () => {
  // Certificates made before the server starts: it presents the store's server certificate and trusts its client CA.
  const store = join(mkdtempSync(join(tmpdir(), 'mtls-vitest-repeat-')), 'certs');
  const UNTRUSTED = 'server/client-auth/untrusted-ca';

  beforeAll(async () => {
    const init = await runCli(['certs', 'init', store]);
    expect(init.code, init.stdout + init.stderr).toBe(0);
  }, 60_000);

  /**
   * A node:tls server that lets a client whose certificate does not verify in when `admit(n)` says so
   * for the n-th of them (a runtime that admits a bad certificate only sometimes); it counts both.
   */
  async function startServer(admit: (n: number) => boolean): Promise<{ url: string; unauthorized: () => number; admitted: () => number; close: () => Promise<void> }> {
    const read = (p: string) => readFileSync(join(store, p), 'utf8');
    let unauthorized = 0;
    let admitted = 0;
    const server: Server = createServer(
      { key: read('target/server-key.pem'), cert: read('target/server-cert.pem'), ca: read('trust/client-ca.pem'), requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        const socket = req.socket as TLSSocket;
        if (socket.authorized) return void res.writeHead(200).end('ok\n');
        if (admit(++unauthorized)) {
          admitted++;
          return void res.writeHead(200).end('ok\n');
        }
        res.writeHead(403).end('refused\n');
      },
    );
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `https://127.0.0.1:${port}`,
      unauthorized: () => unauthorized,
      admitted: () => admitted,
      close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
    };
  }
  const everyThird = (n: number) => n % 3 === 0;

  test('repeat: 6 fails a reject case the target lets in every third time ("accepted 2 of 6"), as --repeat does', async () => {
    const server = await startServer(everyThird);
    try {
      const r = await vitestAsync(userProject(server.url, ', repeat: 6, concurrency: 4', { certsDir: store, only: [UNTRUSTED] }));
      const out = r.stdout + r.stderr;
      expect(r.status, out).toBe(1);
      // The control passes; the repeated case fails with the CLI's words and the accepting observation.
      expect(out).toMatch(/Tests\s+1 failed \| 1 passed \(2\)/);
      expect(out).toMatch(new RegExp(`FAIL .*${UNTRUSTED}`));
      expect(out).toMatch(/Error: fail: accepted 2 of 6: accepted \(HTTP 200/);
      // Six runs of the one reject case reached the server's judgement; two of them got in.
      expect(server.unauthorized()).toBe(6);
      expect(server.admitted()).toBe(2);
    } finally {
      await server.close();
    }
  });

  test('without repeat the same target passes the case: one try is refused', async () => {
    const server = await startServer(everyThird);
    try {
      const r = await vitestAsync(userProject(server.url, '', { certsDir: store, only: [UNTRUSTED] }));
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Tests\s+2 passed \(2\)/);
      expect(server.unauthorized()).toBe(1);
      expect(server.admitted()).toBe(0);
    } finally {
      await server.close();
    }
  });

  test('repeat: 3 against a target that always refuses passes, after three refused runs', async () => {
    const server = await startServer(() => false);
    try {
      const r = await vitestAsync(userProject(server.url, ', repeat: 3', { certsDir: store, only: [UNTRUSTED] }));
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Tests\s+2 passed \(2\)/);
      expect(server.unauthorized()).toBe(3);
    } finally {
      await server.close();
    }
  });
});

/** What vitest's json reporter writes of a test: its describe path, status, and the case result the suite put in its meta. */
interface JsonTest {
  ancestorTitles: string[];
  title: string;
  status: string;
  meta: { conformance?: { verdict: { verdict: string; reason: string }; case: { severity: string; expect: string } } };
}

function jsonTests(file: string): JsonTest[] {
  const report = JSON.parse(readFileSync(file, 'utf8')) as { testResults: { assertionResults: JsonTest[] }[] };
  return report.testResults.flatMap((f) => f.assertionResults);
}

describe.skipIf(!findNginx())('serverSuite({ suite }) against real nginx (ssl_verify_client on, ssl_verify_depth 40)', () => {
  const root = mkdtempSync(join(tmpdir(), 'mtls-vitest-suite-'));
  const store = join(root, 'certs');
  let nginx: StartedPeer | undefined;
  const T = 180_000;

  beforeAll(async () => {
    const init = await runCli(['certs', 'init', store]);
    expect(init.code, init.stdout + init.stderr).toBe(0);
    // The deep chains are issued under the store's client CA (prepareSuiteCerts): nginx trusts them
    // before they exist, and the user's vitest generates them itself below.
    nginx = await startNginx({ certsDir: store, verifyClient: 'on', verifyDepth: 40 });
  }, 60_000);

  afterAll(async () => {
    await nginx?.stop();
  });

  /** The user's vitest run with the default reporter (what a user reads) and the json one (what this test checks). */
  async function runSuite(extra: string, only: string[]): Promise<{ status: number | null; out: string; tests: JsonTest[] }> {
    const dir = userProject(nginx!.url, extra, { certsDir: store, only });
    const json = join(dir, 'vitest-report.json');
    const r = await vitestAsync(dir, ['--reporter=default', '--reporter=json', `--outputFile.json=${json}`], T - 10_000);
    const out = r.stdout + r.stderr + (nginx ? `\n${await nginx.logs()}` : '');
    expect(existsSync(json), out).toBe(true);
    return { status: r.status, out, tests: jsonTests(json) };
  }

  test("suite: 'deep' runs the corpus families picked by only, one test per case grouped by family, with nginx's verdicts", { timeout: T }, async () => {
    const families = ['path-length', 'encoding'];
    const { status, out, tests } = await runSuite(", suite: 'deep'", families.map((f) => `server/${f}/*`));
    // Every info finding of nginx here passes with a warning; nothing required fails.
    expect(status, out).toBe(0);

    // Every deep case of the two families ran, as `conformance cases --suite deep` lists them.
    const listed = await runCli(['cases', '--suite', 'deep', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const ids = (JSON.parse(listed.stdout) as { id: string }[]).map((c) => c.id).filter((id) => families.some((f) => id.startsWith(`server/${f}/`)));
    expect(ids.length).toBeGreaterThanOrEqual(15);
    const byId = new Map(tests.map((t) => [t.title, t]));
    expect(new Set(tests.map((t) => t.title))).toEqual(new Set(['server/client-auth/valid', ...ids]));

    // Grouped by family, a describe block each (the json reporter lists the blocks, not the file).
    for (const t of tests) expect(t.ancestorTitles, t.title).toEqual([t.title === 'server/client-auth/valid' ? 'server/client-auth' : t.title.split('/')[1]]);
    // In the text a user reads: `<suite> > path-length > server/path-length/...`, the suite by its name.
    expect(out).toMatch(/^ ✓ mtls-conformance server suite · https:\/\/127\.0\.0\.1:\d+ · profile intermediate · suite deep \(\d+ tests\)/m);

    // The verdicts are the CLI's against nginx (test/integration/deep-corpus-verdicts.ts): pass
    // unless the table lists nginx's deviation; each in the test's meta, as reporters read it.
    const deviations = DEVIATIONS.nginx;
    for (const id of ids) {
      const c = byId.get(id)!.meta.conformance;
      expect(c, `${id} has no conformance result`).toBeDefined();
      expect({ id, verdict: c!.verdict.verdict }, c!.verdict.reason).toEqual({ id, verdict: deviations[id]?.[0] ?? 'pass' });
    }
    const findings = ids.filter((id) => deviations[id]);
    expect(findings.length).toBeGreaterThanOrEqual(3);
    for (const id of findings) {
      // An info finding: the test passes, and says so under its own header in vitest's output.
      expect(byId.get(id)!.status).toBe('passed');
      expect(byId.get(id)!.meta.conformance!.case.severity).toBe('info');
      expect(out).toMatch(new RegExp(`^stderr \\| mtls-conformance server suite [^\\n]* · suite deep > encoding > ${id}\\nINFO FINDING ${id} \\(fail; does not fail the run\\)`, 'm'));
    }
    // The deep chains were generated into the store's deep sub-directory, as `run --suite deep` does; no exhaustive ones.
    expect(existsSync(join(store, 'deep'))).toBe(true);
    expect(existsSync(join(store, 'exhaustive'))).toBe(false);
  });

  test("suite: 'exhaustive' with only: the picked cases run, and only their chains are generated", { timeout: T }, async () => {
    // Both verdicts as exhaustive-sample.test.ts sees nginx give them (RFC 5280 §4.2.1.10).
    const picked = { 'server/name-constraints-exhaustive/dns-namei-pi-xn-d1': 'accept', 'server/name-constraints-exhaustive/dns-namei-po-xn-d2': 'reject' };
    const { status, out, tests } = await runSuite(", suite: 'exhaustive'", Object.keys(picked));
    expect(status, out).toBe(0);
    expect(tests.map((t) => t.title).sort()).toEqual(['server/client-auth/valid', ...Object.keys(picked)].sort());
    for (const [id, expectation] of Object.entries(picked)) {
      const t = tests.find((x) => x.title === id)!;
      expect(t.ancestorTitles).toEqual(['name-constraints-product']);
      expect({ id, expect: t.meta.conformance?.case.expect, verdict: t.meta.conformance?.verdict.verdict }).toEqual({ id, expect: expectation, verdict: 'pass' });
    }
    // Not the ~20,000 certificates of the whole product: the two picked leaves.
    const leaves = readdirSync(join(store, 'exhaustive', 'client', 'name-constraints-exhaustive')).filter((f) => f.endsWith('.pem') && !/-(chain|key)\.pem$/.test(f));
    expect(leaves.length, leaves.join(' ')).toBeLessThanOrEqual(2);
  });
});
