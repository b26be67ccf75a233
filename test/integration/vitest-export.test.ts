import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';

// mtls-conformance/vitest in a user's own vitest project: the suite runs as their tests.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const certs = join(mkdtempSync(join(tmpdir(), 'mtls-vitest-export-')), 'certs');
mkdirSync(certs, { recursive: true });

function userProject(target: string, extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'mtls-user-project-'));
  // The user's project has vitest installed; here it borrows ours.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(
    join(dir, 'vitest.config.mjs'),
    [
      "import { defineConfig } from 'vitest/config';",
      `import { serverSuite } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'suites', 'index.js')).href)};`,
      `export default defineConfig({ test: serverSuite({ target: ${JSON.stringify(target)}, certsDir: ${JSON.stringify(certs)}, only: ['server/client-auth/*']${extra} }) });`,
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
