import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { runCli, verdictsOf } from '../helpers/cli.js';

// Real clients as targets, through the CLI, verdicts asserted id by id.
const certs = join(mkdtempSync(join(tmpdir(), 'mtls-client-')), 'certs');
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const NODE = process.execPath;
const have = (cmd: string) => {
  try {
    execSync(`command -v ${cmd}`, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
if (process.env.CI && !have('curl')) throw new Error('curl is missing: run scripts/install-peers.sh');

beforeAll(async () => {
  expect((await runCli(['certs', 'init', certs])).code).toBe(0);
});

const SERVER_AUTH_REJECTS = ['expired', 'not-yet-valid', 'self-signed', 'untrusted-ca', 'wrong-hostname', 'eku-client-only', 'rsa-1024', 'sha1-signature', 'issuer-not-ca', 'intermediate-not-sent'].map(
  (n) => `client/server-auth/${n}`,
);
const ALL_PASS = {
  'client/server-auth/valid': 'pass',
  ...Object.fromEntries(SERVER_AUTH_REJECTS.map((id) => [id, 'pass'])),
  'client/protocol/tls1.0-only-server': 'pass',
  'client/protocol/tls1.1-only-server': 'pass',
  'client/protocol/tls1.2-only-server': 'pass',
  'client/certificate/presented': 'pass',
  'client/certificate/eku': 'pass',
  'client/certificate/key-strength': 'pass',
  'client/certificate/validity-period': 'pass',
  'client/certificate/not-expired': 'pass',
  'client/certificate/renewal-window': 'pass',
  'client/certificate/identity': 'skip',
};
const INSECURE = { ...ALL_PASS, ...Object.fromEntries(SERVER_AUTH_REJECTS.map((id) => [id, 'fail'])) };

async function runClient(command: string, extra: string[] = []) {
  const out = mkdtempSync(join(tmpdir(), 'mtls-client-report-'));
  const run = await runCli(['run', '--target-client', command, '--certs', certs, '--report-dir', out, ...extra]);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  return { run, report, verdicts: verdictsOf(report), byId: (id: string) => report.results.find((r: { id: string }) => r.id === id) };
}

describe.skipIf(!have('curl'))('curl', () => {
  test('curl --cacert with the issued client certificate passes every case', async () => {
    const { run, verdicts, report, byId } = await runClient('curl -sS --max-time 3 --cacert {ca} --cert {cert} --key {key} {url}');
    expect(verdicts).toEqual(ALL_PASS);
    expect(run.code).toBe(0);
    expect(report.target).toEqual({ kind: 'client-command', command: 'curl -sS --max-time 3 --cacert {ca} --cert {cert} --key {key} {url}' });
    expect(byId('client/server-auth/expired').observed).toMatchObject({ outcome: 'handshake-alert', alert: { code: 45, name: 'certificate_expired' } });
    expect(byId('client/server-auth/valid').observed.client).toMatchObject({ request: 'GET / HTTP/1.1', exitCode: 0, connected: true });
  });

  test('curl -k fails every server-auth case except valid, exit 1, with its output kept for the failures', async () => {
    const { run, verdicts, byId } = await runClient('curl -sSk --max-time 3 --cert {cert} --key {key} {url}');
    expect(verdicts).toEqual(INSECURE);
    expect(run.code).toBe(1);
    expect(byId('client/server-auth/expired').observed.client.stdoutTail).toBe('ok');
    expect(byId('client/server-auth/expired').reason).toMatch(/^accepted \(request sent \(GET \/ HTTP\/1.1\)\) but must be refused/);
  });

  test('a curl that presents no client certificate fails client/certificate/presented (not "rejected the server")', async () => {
    const { run, verdicts, byId } = await runClient('curl -sS --max-time 3 --cacert {ca} {url}');
    expect(verdicts['client/certificate/presented']).toBe('fail');
    expect(byId('client/certificate/presented').reason).toBe('the client presented no certificate when the server requested one');
    expect(verdicts['client/server-auth/valid']).toBe('pass');
    expect(verdicts['client/server-auth/expired']).toBe('pass');
    expect(run.code).toBe(1);
  });
});

describe('Node https clients', () => {
  test('rejectUnauthorized: true passes every case', async () => {
    const { run, verdicts, byId } = await runClient(`${NODE} ${fixture('node-client.mjs')} {url}`);
    expect(verdicts).toEqual(ALL_PASS);
    expect(run.code).toBe(0);
    // Node checks the host name after the handshake and closes without an alert.
    expect(byId('client/server-auth/wrong-hostname').observed.outcome).toBe('closed-no-data');
  });

  test('rejectUnauthorized: false fails every server-auth case except valid', async () => {
    const { run, verdicts } = await runClient(`${NODE} ${fixture('node-client.mjs')} {url} --insecure`);
    expect(verdicts).toEqual(INSECURE);
    expect(run.code).toBe(1);
  });
});

describe.skipIf(!have('openssl'))('openssl s_client -verify_return_error, judged by the HTTP status line', () => {
  test('passes every case', async () => {
    const { run, verdicts } = await runClient(`sh ${fixture('s-client.sh')} {host} {port} {ca} {cert} {key}`);
    expect(verdicts).toEqual(ALL_PASS);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('warning');
  });
});

describe('the contract', () => {
  test('no {url} placeholder: a warning, and the values still arrive by environment', async () => {
    const { run, verdicts } = await runClient('curl -sS --max-time 3 --cacert "$CONFORMANCE_CA_FILE" --cert "$CONFORMANCE_CLIENT_CERT" --key "$CONFORMANCE_CLIENT_KEY" "$CONFORMANCE_URL"', [
      '--only',
      'client/server-auth/*',
    ]);
    expect(run.stderr).toMatch(/^warning: --target-client .* has no \{url\} placeholder/);
    expect(Object.values(verdicts).every((v) => v === 'pass')).toBe(true);
    expect(run.code).toBe(0);
  });

  test('exit code 89 means not implemented: skip with the client stderr as the reason', async () => {
    const cmd = `case "$CONFORMANCE_URL" in *) curl -sS --max-time 3 --cacert {ca} --cert {cert} --key {key} {url} >/dev/null || { echo "TLS 1.0 is not supported by this client build" >&2; exit 89; } ;; esac`;
    const { verdicts, byId } = await runClient(cmd, ['--only', 'client/server-auth/expired']);
    expect(verdicts['client/server-auth/expired']).toBe('skip');
    expect(byId('client/server-auth/expired').reason).toContain('not supported by this client build');
  });

  test('a client that exits 0 without connecting is caught: the control fails, exit 3', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mtls-client-report-'));
    const run = await runCli(['run', '--target-client', 'true {url}', '--certs', certs, '--report-dir', out]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('positive control client/server-auth/valid was not accepted (no connection (exit 0))');
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(verdictsOf(report)['client/server-auth/valid']).toBe('fail');
    expect(verdictsOf(report)['client/server-auth/expired']).toBe('inconclusive');
  });

  test('a command that does not exist: one line, exit 2', async () => {
    const run = await runCli(['run', '--target-client', 'no-such-client-program {url}', '--certs', certs, '--report-dir', mkdtempSync(join(tmpdir(), 'r-'))]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^error: --target-client "no-such-client-program \{url\}" could not be started \(exit 127: .*not found\)/);
  });

  test('a command that hangs is killed at the timeout with its process group', async () => {
    const marker = `mtls-hang-${process.pid}-${Date.now()}`;
    const t0 = Date.now();
    const run = await runCli(['run', '--target-client', `sh -c 'sleep 30; echo ${marker}' & sleep 31 # {url}`, '--certs', certs, '--timeout', '1s', '--only', 'client/server-auth/expired', '--report-dir', mkdtempSync(join(tmpdir(), 'r-'))]);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('(timeout)');
    let left = '';
    try {
      // "[m]tls-hang" matches the marker but not this pgrep's own command line.
      left = execSync(`pgrep -f "[${marker[0]}]${marker.slice(1)}" || true`).toString().trim();
    } catch {
      left = '';
    }
    expect(left).toBe('');
  });

  test('--target and --target-client together: exit 2', async () => {
    const run = await runCli(['run', '--target', 'builtin:strict', '--target-client', 'curl {url}']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('both given');
  });
});
