import { have } from '../helpers/peers.js';
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { runCli, verdictsOf } from '../helpers/cli.js';

// Real clients as targets, through the CLI, verdicts asserted id by id.
const certs = join(mkdtempSync(join(tmpdir(), 'mtls-client-')), 'certs');
mkdirSync(certs, { recursive: true });
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const NODE = process.execPath;
if (process.env.CI && !have('curl')) throw new Error('curl is missing: run scripts/install-peers.sh');

beforeAll(async () => {
  expect((await runCli(['certs', 'init', certs])).code).toBe(0);
});

const SERVER_AUTH_REJECTS = [
  'expired',
  'not-yet-valid',
  'self-signed',
  'untrusted-ca',
  'wrong-hostname',
  'eku-client-only',
  'rsa-1024',
  'sha1-signature',
  'issuer-not-ca',
  'intermediate-not-sent',
  'expired-intermediate',
  'intermediate-no-basic-constraints',
  'path-length-exceeded',
  'name-constraints-violated',
  'unknown-critical-extension',
  'ip-as-dns',
  'no-san',
].map((n) => `client/server-auth/${n}`);
/**
 * None of these commands is given {crl}: each sends its request to the revoked server (a
 * recommended finding under intermediate, not deciding). test/integration/revocation.test.ts runs
 * them with --crlfile / -crl_check.
 */
const NO_REVOCATION_CHECK = {
  'client/server-auth/revoked': 'fail',
  'client/server-auth/revoked-intermediate': 'fail',
  // client/revocation/*: a client that checks nothing goes on in every variant (recommended; test/integration/client-revocation.test.ts runs checking clients).
  ...Object.fromEntries(['crl-stale', 'ocsp-unknown', 'ocsp-bad-signature', 'ocsp-no-answer', 'crl-no-answer', 'must-staple-missing'].map((n) => [`client/revocation/${n}`, 'fail'])),
};
/** curl 7.88 falls back to the CN for an address: a CN=127.0.0.1 certificate without SAN gets a request (recommended). */
const CURL_CN_FALLBACK = { 'client/server-auth/no-san': 'fail' };
const ALL_PASS = {
  'client/server-auth/valid': 'pass',
  'client/server-auth/valid-two-intermediates': 'pass',
  ...Object.fromEntries(SERVER_AUTH_REJECTS.map((id) => [id, 'pass'])),
  ...NO_REVOCATION_CHECK,
  'client/protocol/tls1.0-only-server': 'pass',
  'client/protocol/tls1.1-only-server': 'pass',
  'client/protocol/tls1.2-only-server': 'pass',
  'client/protocol/offered-versions': 'pass',
  'client/cipher/offered-suites': 'pass',
  'client/certificate/presented': 'pass',
  'client/certificate/eku': 'pass',
  'client/certificate/key-strength': 'pass',
  'client/certificate/validity-period': 'pass',
  'client/certificate/not-expired': 'pass',
  'client/certificate/renewal-window': 'pass',
  'client/certificate/end-entity': 'pass',
  // The generated {cert} is issued by the client CA itself: no intermediate to send (named-cases.test.ts checks one that has).
  'client/certificate/sends-intermediates': 'skip',
  'client/certificate/identity': 'skip',
  'client/certificate/key-not-printed': 'pass',
};
/**
 * What an OpenSSL client with Debian's default configuration offers (curl, s_client): TLS 1.3 down
 * to TLS 1.0 in supported_versions, although at security level 2 it aborts a TLS 1.0 or 1.1
 * handshake (client/protocol/tls1.0-only-server passes), and DHE, CBC and static-RSA suites.
 */
const OPENSSL_DEFAULT_OFFER = { 'client/protocol/offered-versions': 'fail', 'client/cipher/offered-suites': 'fail' };
/** Node's default client offers TLS 1.3 and 1.2 only, but DHE and CBC suites besides the AEAD ones. */
const NODE_DEFAULT_OFFER = { 'client/cipher/offered-suites': 'fail' };
const INSECURE = { ...ALL_PASS, ...Object.fromEntries(SERVER_AUTH_REJECTS.map((id) => [id, 'fail'])) };
/** curl as configured in most tests: the CN fallback and no revocation check, both recommended findings. */
const CURL_DEFAULT = { ...ALL_PASS, ...CURL_CN_FALLBACK };
/** curl restricted to the intermediate profile: TLS 1.2 at least, ECDHE AEAD suites (TLS 1.3's defaults are all allowed). */
const CURL_PROFILE_FLAGS = '--tlsv1.2 --ciphers ECDHE+AESGCM:ECDHE+CHACHA20';

async function runClient(command: string, extra: string[] = []) {
  const out = mkdtempSync(join(tmpdir(), 'mtls-client-report-'));
  const run = await runCli(['run', '--target-client', command, '--certs', certs, '--report-dir', out, ...extra]);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  return { run, report, verdicts: verdictsOf(report), byId: (id: string) => report.results.find((r: { id: string }) => r.id === id) };
}

describe.skipIf(!have('curl'))('curl', () => {
  test('curl --cacert with the issued client certificate passes every required case; it offers TLS 1.0/1.1 and CBC suites (recommended fails)', async () => {
    const { run, verdicts, report, byId } = await runClient('curl -sS --max-time 3 --cacert {ca} --cert {cert} --key {key} {url}');
    expect(verdicts).toEqual({ ...CURL_DEFAULT, ...OPENSSL_DEFAULT_OFFER });
    expect(run.code).toBe(0);
    expect(byId('client/protocol/offered-versions').severity).toBe('recommended');
    expect(byId('client/protocol/offered-versions').reason).toBe("offers TLSv1.1, TLSv1 outside the profile's TLSv1.2, TLSv1.3 (offered: TLSv1.3, TLSv1.2, TLSv1.1, TLSv1)");
    expect(byId('client/cipher/offered-suites').severity).toBe('recommended');
    expect(byId('client/cipher/offered-suites').reason).toMatch(/^offers \d+ of \d+ suites outside the profile's allowlists: .*TLS_RSA_WITH_AES_128_CBC_SHA/);
    expect(report.target).toEqual({ kind: 'client-command', command: 'curl -sS --max-time 3 --cacert {ca} --cert {cert} --key {key} {url}' });
    expect(byId('client/server-auth/expired').observed).toMatchObject({ outcome: 'handshake-alert', alert: { code: 45, name: 'certificate_expired' } });
    // curl offers h2 first by ALPN, and the reference server speaks HTTP/2.
    expect(byId('client/server-auth/valid').observed.client).toMatchObject({ request: 'GET / HTTP/2.0', exitCode: 0, connected: true });
  });

  test(`curl ${CURL_PROFILE_FLAGS} offers only what the profile allows: every required case passes, exit 0`, async () => {
    const { run, verdicts, byId } = await runClient(`curl -sS --max-time 3 ${CURL_PROFILE_FLAGS} --cacert {ca} --cert {cert} --key {key} {url}`);
    expect(verdicts).toEqual(CURL_DEFAULT);
    expect(run.code).toBe(0);
    expect(byId('client/protocol/offered-versions').reason).toBe('offers TLSv1.3, TLSv1.2');
    expect(byId('client/server-auth/valid').observed.offered).toEqual({
      versions: ['TLSv1.3', 'TLSv1.2'],
      suites: [
        'TLS_AES_256_GCM_SHA384',
        'TLS_CHACHA20_POLY1305_SHA256',
        'TLS_AES_128_GCM_SHA256',
        'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
        'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
        'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
        'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
        'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
        'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
      ],
    });
  });

  test('curl --tls-max 1.2 names only TLS 1.2 (no supported_versions: its lowest version is not on the wire)', async () => {
    const { verdicts, byId } = await runClient('curl -sS --max-time 3 --tls-max 1.2 --cacert {ca} --cert {cert} --key {key} {url}', ['--only', 'client/protocol/*', '--only', 'client/cipher/*']);
    expect(verdicts).toEqual({
      'client/server-auth/valid': 'pass',
      'client/protocol/tls1.0-only-server': 'pass',
      'client/protocol/tls1.1-only-server': 'pass',
      'client/protocol/tls1.2-only-server': 'pass',
      'client/protocol/offered-versions': 'pass',
      'client/cipher/offered-suites': 'fail',
    });
    expect(byId('client/protocol/offered-versions').reason).toBe('offers TLSv1.2');
    expect(byId('client/server-auth/valid').observed.offered.suites).not.toContain('TLS_AES_128_GCM_SHA256');
  });

  test('curl --tlsv1.0 at security level 0 offers and uses TLS 1.0 and 1.1: offered-versions and the TLS 1.0/1.1-only servers fail together', async () => {
    const { run, verdicts, byId } = await runClient('curl -sS --max-time 3 --tlsv1.0 --ciphers DEFAULT:@SECLEVEL=0 --cacert {ca} --cert {cert} --key {key} {url}', ['--only', 'client/protocol/*', '--only', 'client/cipher/*']);
    expect(verdicts).toEqual({
      'client/server-auth/valid': 'pass',
      'client/protocol/tls1.0-only-server': 'fail',
      'client/protocol/tls1.1-only-server': 'fail',
      'client/protocol/tls1.2-only-server': 'pass',
      'client/protocol/offered-versions': 'fail',
      'client/cipher/offered-suites': 'fail',
    });
    expect(byId('client/protocol/offered-versions').reason).toContain('offers TLSv1.1, TLSv1 outside');
    expect(run.code).toBe(1);
  });

  test('curl -k fails every server-auth case except valid, exit 1, with its output kept for the failures', async () => {
    const { run, verdicts, byId } = await runClient('curl -sSk --max-time 3 --cert {cert} --key {key} {url}');
    expect(verdicts).toEqual({ ...INSECURE, ...OPENSSL_DEFAULT_OFFER });
    expect(run.code).toBe(1);
    expect(byId('client/server-auth/expired').observed.client.stdoutTail).toBe('ok');
    expect(byId('client/server-auth/expired').reason).toMatch(/^accepted \(request sent \(GET \/ HTTP\/2.0\)\) but must be refused/);
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
  test('rejectUnauthorized: true passes every case but the suites it offers (recommended), exit 0', async () => {
    const { run, verdicts, byId } = await runClient(`${NODE} ${fixture('node-client.mjs')} {url}`);
    expect(verdicts).toEqual({ ...ALL_PASS, ...NODE_DEFAULT_OFFER });
    expect(run.code).toBe(0);
    expect(byId('client/server-auth/valid').observed.offered.versions).toEqual(['TLSv1.3', 'TLSv1.2']);
    expect(byId('client/cipher/offered-suites').reason).toContain('TLS_DHE_RSA_WITH_AES_128_GCM_SHA256');
    // Node checks the host name after the handshake and closes without an alert.
    expect(byId('client/server-auth/wrong-hostname').observed.outcome).toBe('closed-no-data');
  });

  test('rejectUnauthorized: false fails every server-auth case except valid', async () => {
    const { run, verdicts } = await runClient(`${NODE} ${fixture('node-client.mjs')} {url} --insecure`);
    expect(verdicts).toEqual({ ...INSECURE, ...NODE_DEFAULT_OFFER });
    expect(run.code).toBe(1);
  });
});

describe.skipIf(!have('openssl'))('openssl s_client -verify_return_error, judged by the HTTP status line', () => {
  test('passes every required case; like curl it offers TLS 1.0/1.1 and suites outside the allowlist (recommended fails)', async () => {
    const { run, verdicts } = await runClient(`sh ${fixture('s-client.sh')} {host} {port} {ca} {cert} {key}`);
    expect(verdicts).toEqual({ ...ALL_PASS, ...OPENSSL_DEFAULT_OFFER });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('warning');
  });
});

describe.skipIf(!have('curl'))('--client-cert-ca: the client brings its own certificate', () => {
  test('a certificate from the named CA passes client/certificate/presented; the harness hands out no certificate of its own', async () => {
    const own = `--cert ${join(certs, 'client', 'untrusted-ca.pem')} --key ${join(certs, 'private', 'client', 'untrusted-ca-key.pem')}`;
    // The command fails loudly if the harness still passed its own certificate.
    const cmd = `test -z "$CONFORMANCE_CLIENT_CERT" && curl -sS --max-time 3 --cacert {ca} ${own} {url}`;
    const mine = await runClient(cmd, ['--client-cert-ca', join(certs, 'ca', 'untrusted-ca.pem'), '--only', 'client/certificate/presented']);
    expect(mine.verdicts).toEqual({ 'client/server-auth/valid': 'pass', 'client/certificate/presented': 'pass' });
    const wrongCa = await runClient(cmd, ['--client-cert-ca', join(certs, 'trust', 'client-ca.pem'), '--only', 'client/certificate/presented']);
    expect(wrongCa.verdicts['client/certificate/presented']).toBe('fail');
    expect(wrongCa.byId('client/certificate/presented').reason).toMatch(/^a certificate was presented but does not verify against the expected client CA/);
  });
});

describe('the contract', () => {
  test('no {url} placeholder: a warning, and the values still arrive by environment', async () => {
    const { run, verdicts } = await runClient('curl -sS --max-time 3 --cacert "$CONFORMANCE_CA_FILE" --cert "$CONFORMANCE_CLIENT_CERT" --key "$CONFORMANCE_CLIENT_KEY" "$CONFORMANCE_URL"', [
      '--only',
      'client/server-auth/*',
    ]);
    expect(run.stderr).toMatch(/^warning: --target-client .* has no \{url\} placeholder/);
    expect(verdicts).toEqual(Object.fromEntries(Object.keys(CURL_DEFAULT).filter((id) => id.startsWith('client/server-auth/')).map((id) => [id, CURL_DEFAULT[id as keyof typeof CURL_DEFAULT]])));
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
    expect(run.stderr).toMatch(/--target "builtin:strict" and --target-client "[^"]+" given together: a run tests one target/);
  });
});
