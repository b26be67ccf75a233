import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';

// Profiles whose fields are each valid but together would mislead a run: `profile check` refuses
// them with one line at the field (file:line:col), the value quoted and what to do.
const dir = mkdtempSync(join(tmpdir(), 'mtls-profile-consistency-'));
function write(name: string, body: string): string {
  const p = join(dir, `${name}.yaml`);
  writeFileSync(p, body);
  return p;
}

async function refused(file: string): Promise<string> {
  const r = await runCli(['profile', 'check', file]);
  expect(r.code, r.stdout + r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('profile check refuses a profile that would mislead a run', () => {
  test('cases.waive naming no case: a typo is an error with a suggestion, at the key', async () => {
    const p = write('waive-typo', 'name: waive-typo\nextends: intermediate\ncases:\n  waive:\n    server/client-auth/expird: legacy partner until 2027\n');
    const line = await refused(p);
    expect(line).toContain(`${p}:5:5: field "cases.waive": "server/client-auth/expird" is not a case id (did you mean "server/client-auth/expired"?)`);
    expect(line).toContain('conformance cases');
  });

  test('cases.severity naming no case, set in a base profile: the error points into the base', async () => {
    const base = write('sev-base', 'name: sev-base\ncases:\n  severity:\n    server/client-auth/valid: required\n    client/nothing/here: info\n');
    const child = write('sev-child', `name: sev-child\nextends: ${base}\n`);
    const line = await refused(child);
    expect(line).toContain(`${base}:5:5: field "cases.severity": "client/nothing/here" is not a case id.`);
  });

  test('a real case id in both maps passes', async () => {
    const p = write('ok-ids', 'name: ok-ids\ncases:\n  severity:\n    server/client-auth/eku-absent: required\n  waive:\n    server/client-auth/expired: reason\n');
    const r = await runCli(['profile', 'check', p]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok: /);
  });

  test('tls.requiredVersions listing a version tls.versions does not allow', async () => {
    const p = write('req-not-allowed', 'name: req-not-allowed\ntls:\n  versions: [TLSv1.3]\n  requiredVersions: [TLSv1.3, TLSv1.2]\n');
    const line = await refused(p);
    expect(line).toContain(`${p}:4:31: field "tls.requiredVersions": "TLSv1.2" is required but not in tls.versions ("TLSv1.3")`);
  });

  test('a child narrowing tls.versions below its base requiredVersions: the error is at the child tls.versions', async () => {
    const child = write('narrowing', 'name: narrowing\nextends: intermediate\ntls:\n  requiredVersions: [TLSv1.2]\n');
    expect((await runCli(['profile', 'check', child])).code).toBe(0);
    const grandchild = write('narrower', `name: narrower\nextends: ${child}\ntls:\n  versions: [TLSv1.3]\n`);
    const line = await refused(grandchild);
    expect(line).toContain(`${grandchild}:4:3: field "tls.versions": leaves out "TLSv1.2", which tls.requiredVersions requires`);
  });

  test('rejection.httpStatuses holding a 2xx status', async () => {
    const p = write('status-200', 'name: status-200\nrejection:\n  httpStatuses: [403, 200]\n');
    const line = await refused(p);
    expect(line).toContain(`${p}:3:23: field "rejection.httpStatuses": "200" is a success status`);
    expect((await runCli(['profile', 'check', write('status-299', 'name: status-299\nrejection:\n  httpStatuses: [299]\n')])).code).toBe(2);
    expect((await runCli(['profile', 'check', write('status-300', 'name: status-300\nrejection:\n  httpStatuses: [300, 400]\n')])).code).toBe(0);
  });

  test('run refuses the same profile before any case runs (exit 2)', async () => {
    const p = write('run-typo', 'name: run-typo\ncases:\n  waive:\n    server/client-auth/expird: legacy\n');
    const r = await runCli(['run', '--target', 'builtin:strict', '--profile', p, '--report-dir', join(dir, 'never')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"server/client-auth/expird" is not a case id');
  });
});
