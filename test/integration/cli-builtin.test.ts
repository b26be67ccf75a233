import { X509Certificate } from 'node:crypto';
import { readFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { runCli, verdictsOf } from '../helpers/cli.js';

// The CLI as a child process against the embedded reference targets.
const certs = mkdtempSync(join(tmpdir(), 'mtls-builtin-certs-'));

const ALL_PASS_INTERMEDIATE = {
  'server/client-auth/valid': 'pass',
  'server/client-auth/valid-chain': 'pass',
  'server/client-auth/no-cert': 'pass',
  'server/client-auth/self-signed': 'pass',
  'server/client-auth/untrusted-ca': 'pass',
  'server/client-auth/expired': 'pass',
  'server/client-auth/not-yet-valid': 'pass',
  'server/client-auth/eku-server-only': 'pass',
  'server/client-auth/eku-absent': 'pass',
  'server/client-auth/rsa-1024': 'pass',
  'server/client-auth/rsa-2048': 'pass',
  'server/client-auth/sha1-signature': 'pass',
  'server/client-auth/issuer-not-ca': 'pass',
  'server/client-auth/intermediate-not-sent': 'pass',
  'server/client-auth/expired-intermediate': 'pass',
  'server/client-auth/intermediate-no-basic-constraints': 'pass',
  'server/client-auth/path-length-exceeded': 'pass',
  'server/client-auth/name-constraints-violated': 'pass',
  'server/client-auth/unknown-critical-extension': 'pass',
  // builtin:strict loads trust/client-crl.pem.
  'server/client-auth/revoked': 'pass',
  // Issue 16: Node's default verify depth (100) takes two intermediates; its crl option checks every CA (CRL_CHECK_ALL).
  'server/client-auth/valid-two-intermediates': 'pass',
  'server/client-auth/issued-by-server-ca': 'pass',
  'server/client-auth/eku-intermediate-server-only': 'pass', // OpenSSL checks EKU on intermediates (purpose sslclient)
  'server/client-auth/dual-eku': 'pass', // accepted under intermediate (certificates.client.eku: any)
  'server/client-auth/revoked-intermediate': 'pass',
  'server/client-auth/revoked-under-intermediate': 'pass',
  'server/client-auth/certificate-verify-wrong-key': 'pass', // alert 51 decrypt_error on TLS 1.3 and 1.2
  'server/certificate/requests-client-ca': 'pass',
  'server/client-auth/unexpected-identity': 'skip',
  'server/protocol/tls1.0': 'pass',
  'server/protocol/tls1.1': 'pass',
  'server/protocol/tls1.2': 'pass',
  'server/protocol/tls1.3': 'pass',
  'server/protocol/ssl3': 'pass',
  'server/protocol/renegotiation': 'pass', // SSL_OP_NO_RENEGOTIATION: alert 100 no_renegotiation
  'server/protocol/fallback-scsv': 'pass', // alert 86 to a TLS 1.2 ClientHello with TLS_FALLBACK_SCSV
  'server/cipher/tls1.2-suites': 'pass',
  'server/cipher/tls1.3-suites': 'pass',
  'server/certificate/trusted': 'pass',
  'server/certificate/hostname': 'pass',
  'server/certificate/eku': 'pass',
  'server/certificate/key-strength': 'pass',
  'server/certificate/validity-period': 'pass',
  'server/certificate/not-expired': 'pass',
  'server/certificate/renewal-window': 'pass',
  'server/certificate/signature-algorithm': 'pass',
  'server/certificate/chain-complete': 'pass',
  'server/certificate/end-entity': 'pass', // basicConstraints cA FALSE on the harness-issued server certificate
  'server/session/ticket-lifetime': 'pass', // info under intermediate (no maximum): announces 300 s
};

describe('conformance run against builtin targets', () => {
  test('builtin:strict passes every case under intermediate, exit 0, report.json and junit.xml written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mtls-report-'));
    const run = await runCli(['run', '--target', 'builtin:strict', '--certs', certs, '--report-dir', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(verdictsOf(report)).toEqual(ALL_PASS_INTERMEDIATE);
    expect(report).toMatchObject({
      schemaVersion: 1,
      tool: { name: 'mtls-conformance' },
      target: { kind: 'url', builtin: 'strict' },
      profile: { name: 'intermediate' },
      summary: { pass: 48, fail: 0, inconclusive: 0, skip: 1, verdict: 'conformant' },
    });
    expect(report.profile.sha256).toMatch(/^[0-9a-f]{64}$/);
    const noCert = report.results.find((r: { id: string }) => r.id === 'server/client-auth/no-cert');
    expect(noCert.observed).toMatchObject({ outcome: 'post-handshake-alert', alert: { code: 116, name: 'certificate_required' }, tlsVersion: 'TLSv1.3' });
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit).toContain('name="server/client-auth/expired"');
    expect(junit).toMatch(/tests="49" failures="0"/);
    expect(readFileSync(join(out, 'report.json'), 'utf8')).not.toMatch(/PRIVATE KEY/);
    expect(run.stdout).toMatch(/49 cases: 48 pass, 0 fail, 0 inconclusive, 1 skip · CONFORMANT/);
  });

  test('builtin:strict under modern passes every case too (it follows the profile it is given)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mtls-report-'));
    const run = await runCli(['run', '--target', 'builtin:strict', '--profile', 'modern', '--certs', certs, '--report-dir', out]);
    expect(run.code).toBe(0);
    const verdicts = verdictsOf(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
    expect(Object.values(verdicts).filter((v) => v !== 'pass' && v !== 'skip')).toEqual([]);
  });

  test('builtin:strict under a profile stricter than its stored certificate (90 days, EC >= 384 bits) presents one that fits: every case passes', async () => {
    const profile = join(mkdtempSync(join(tmpdir(), 'mtls-own-cert-')), 'short-lived.yaml');
    writeFileSync(profile, 'name: short-lived\nextends: intermediate\ncertificates:\n  server:\n    maxValidityDays: 90\n    minEcBits: 384\n    minRemainingDays: 30\n');
    const out = mkdtempSync(join(tmpdir(), 'mtls-report-'));
    const run = await runCli(['run', '--target', 'builtin:strict', '--profile', profile, '--certs', certs, '--report-dir', out]);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const verdicts = verdictsOf(report);
    expect(Object.entries(verdicts).filter(([, v]) => v !== 'pass' && v !== 'skip'), run.stdout + run.stderr).toEqual([]);
    expect(run.code).toBe(0);
    const reason = (id: string) => report.results.find((r: { id: string }) => r.id === id).reason;
    expect([verdicts['server/certificate/validity-period'], verdicts['server/certificate/key-strength']]).toEqual(['pass', 'pass']);
    expect(reason('server/certificate/key-strength')).toMatch(/384/);
    // The store's target certificate (what users configure their servers with) is left as it was: EC P-256.
    expect(new X509Certificate(readFileSync(join(certs, 'target', 'server-cert.pem'))).publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  test('builtin:lenient fails exactly the cases a lenient server fails, exit 1', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mtls-report-'));
    const run = await runCli(['run', '--target', 'builtin:lenient', '--certs', certs, '--report-dir', out]);
    expect(run.code).toBe(1);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const failing = report.results.filter((r: { verdict: string }) => r.verdict === 'fail').map((r: { id: string }) => r.id);
    expect(failing).toEqual([
      'server/client-auth/no-cert',
      'server/client-auth/self-signed',
      'server/client-auth/untrusted-ca',
      'server/client-auth/expired',
      'server/client-auth/not-yet-valid',
      'server/client-auth/eku-server-only',
      'server/client-auth/eku-absent',
      'server/client-auth/rsa-1024',
      'server/client-auth/sha1-signature',
      'server/client-auth/issuer-not-ca',
      'server/client-auth/intermediate-not-sent',
      'server/client-auth/issued-by-server-ca',
      'server/client-auth/eku-intermediate-server-only',
      'server/client-auth/expired-intermediate',
      'server/client-auth/intermediate-no-basic-constraints',
      'server/client-auth/path-length-exceeded',
      'server/client-auth/name-constraints-violated',
      'server/client-auth/unknown-critical-extension',
      'server/client-auth/revoked',
      'server/client-auth/revoked-intermediate',
      'server/client-auth/revoked-under-intermediate',
      'server/protocol/tls1.0',
      'server/protocol/tls1.1',
      // Node's server renegotiates at a client's request unless told not to (recommended: not deciding).
      'server/protocol/renegotiation',
      'server/cipher/tls1.2-suites',
    ]);
    expect(report.summary.verdict).toBe('non-conformant');
    // eku-absent is recommended under intermediate: reported as a fail, but not deciding.
    expect(report.results.find((r: { id: string }) => r.id === 'server/client-auth/eku-absent').severity).toBe('recommended');
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/failures="20"/);
  });

  test('no --target: runs builtin:strict and says so first', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mtls-cwd-'));
    const run = await runCli(['run', '--certs', certs], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toContain('builtin:strict');
    expect(run.stdout.split('\n')[0]).toContain('conformance run --target https://host:port');
    expect(existsSync(join(cwd, 'conformance-report', 'report.json'))).toBe(true);
  });

  test('--only runs the matching ids (and the positive control still gates them)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mtls-report-'));
    const run = await runCli(['run', '--target', 'builtin:lenient', '--certs', certs, '--report-dir', out, '--only', 'server/protocol/*']);
    expect(run.code).toBe(1);
    const verdicts = verdictsOf(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
    expect(verdicts).toEqual({
      'server/client-auth/valid': 'pass',
      'server/protocol/tls1.0': 'fail',
      'server/protocol/tls1.1': 'fail',
      'server/protocol/tls1.2': 'pass',
      'server/protocol/tls1.3': 'pass',
      'server/protocol/ssl3': 'pass',
      'server/protocol/renegotiation': 'fail',
      'server/protocol/fallback-scsv': 'pass',
    });
  });

  test('verdicts are identical from run to run', async () => {
    const a = mkdtempSync(join(tmpdir(), 'mtls-report-'));
    const b = mkdtempSync(join(tmpdir(), 'mtls-report-'));
    await runCli(['run', '--target', 'builtin:lenient', '--certs', certs, '--report-dir', a, '--concurrency', '16']);
    await runCli(['run', '--target', 'builtin:lenient', '--certs', certs, '--report-dir', b, '--concurrency', '1']);
    const strip = (dir: string) =>
      JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).results.map((r: { id: string; verdict: string; observed: { outcome: string } }) => [r.id, r.verdict, r.observed?.outcome]);
    expect(strip(a)).toEqual(strip(b));
  });
});

describe('builtin:strict follows the profile it is given', () => {
  const write = (name: string, yaml: string) => {
    const p = join(mkdtempSync(join(tmpdir(), 'mtls-follow-')), `${name}.yaml`);
    writeFileSync(p, `name: ${name}\n${yaml}`);
    return p;
  };

  test('sessions of at most 10 s: CONFORMANT, every case passes, it announces 10 s', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mtls-report-'));
    const run = await runCli(['run', '--target', 'builtin:strict', '--profile', write('sessions-10s', 'extends: intermediate\ntls:\n  maxSessionLifetimeSeconds: 10\n'), '--certs', certs, '--report-dir', out]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.summary.verdict).toBe('conformant');
    expect(Object.entries(verdictsOf(report)).filter(([, v]) => v !== 'pass' && v !== 'skip')).toEqual([]);
    const lifetime = report.results.find((r: { id: string }) => r.id === 'server/session/ticket-lifetime');
    expect(lifetime).toMatchObject({ verdict: 'pass', severity: 'required' });
    expect(lifetime.reason).toMatch(/^announces at most 10 s, within the profile's 10 s/);
  });

  test('versions with a gap, other refusal statuses, a DN identity rule: strict is CONFORMANT; lenient stays wrong', async () => {
    const profile = write(
      'follow-gap',
      [
        'extends: intermediate',
        'tls:',
        '  versions: [TLSv1.1, TLSv1.3]',
        '  requiredVersions: [TLSv1.1, TLSv1.3]',
        // TLS 1.1 has no AEAD suites (RFC 5288 needs TLS 1.2): one CBC suite for it.
        '  ciphers12: [TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]',
        'rejection:',
        '  httpStatuses: [401]',
        '  grpcStatuses: [16]',
        'clientIdentity:',
        '  match: dn',
        '  pattern: "^CN=acme-[0-9]+, ?O=x$"',
        '  example: "CN=acme-7, O=x"',
        '',
      ].join('\n'),
    );
    const followCerts = mkdtempSync(join(tmpdir(), 'mtls-follow-certs-'));
    const out = mkdtempSync(join(tmpdir(), 'mtls-report-'));
    const run = await runCli(['run', '--target', 'builtin:strict', '--profile', profile, '--certs', followCerts, '--report-dir', out]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const verdicts = verdictsOf(report);
    expect(Object.entries(verdicts).filter(([, v]) => v === 'fail')).toEqual([]);
    // TLS 1.2 lies between the two versions allowed: refused; TLS 1.1 (security level 0) spoken.
    expect([verdicts['server/protocol/tls1.1'], verdicts['server/protocol/tls1.2']]).toEqual(['pass', 'pass']);
    // Refused in the application with the status the profile counts (401), not 403.
    const identity = report.results.find((r: { id: string }) => r.id === 'server/client-auth/unexpected-identity');
    expect([identity.verdict, identity.observed.httpStatus]).toEqual(['pass', 401]);
    const lenientOut = mkdtempSync(join(tmpdir(), 'mtls-report-'));
    await runCli(['run', '--target', 'builtin:lenient', '--profile', profile, '--certs', followCerts, '--report-dir', lenientOut, '--only', 'server/protocol/*', '--only', 'server/client-auth/unexpected-identity']);
    const lenient = verdictsOf(JSON.parse(readFileSync(join(lenientOut, 'report.json'), 'utf8')));
    expect([lenient['server/protocol/tls1.2'], lenient['server/client-auth/unexpected-identity']]).toEqual(['fail', 'fail']);
  });
});

describe('a profile with a client identity rule', () => {
  const profile = join(mkdtempSync(join(tmpdir(), 'mtls-identity-')), 'partner.yaml');
  writeFileSync(profile, "name: partner-identity\nextends: intermediate\nclientIdentity:\n  match: cn\n  pattern: '^partner-[0-9]+$'\n  example: partner-42\n");

  test('builtin:strict enforces it: unexpected-identity refused (pass), the valid certificate carries the example', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mtls-report-'));
    const run = await runCli(['run', '--target', 'builtin:strict', '--profile', profile, '--certs', certs, '--report-dir', out]);
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(verdictsOf(report)['server/client-auth/unexpected-identity']).toBe('pass');
    expect(report.results.find((r: { id: string }) => r.id === 'server/client-auth/unexpected-identity').observed.httpStatus).toBe(403);
    expect(report.profile.name).toBe('partner-identity');
    const { X509Certificate } = await import('node:crypto');
    expect(new X509Certificate(readFileSync(join(certs, 'client', 'valid.pem'))).subject).toContain('CN=partner-42');
  });

  test('builtin:lenient lets the wrong identity in: unexpected-identity fails', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mtls-report-'));
    const run = await runCli(['run', '--target', 'builtin:lenient', '--profile', profile, '--certs', certs, '--report-dir', out, '--only', 'server/client-auth/unexpected-identity']);
    expect(run.code).toBe(1);
    expect(verdictsOf(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')))).toEqual({
      'server/client-auth/valid': 'pass',
      'server/client-auth/unexpected-identity': 'fail',
    });
  });
});

describe('session tickets, renegotiation and fallback on the builtin targets', () => {
  const NEW_CASES = ['--only', 'server/session/*', '--only', 'server/protocol/renegotiation', '--only', 'server/protocol/fallback-scsv'];
  const report = (out: string) => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  const result = (r: { results: { id: string }[] }, id: string) => r.results.find((x) => x.id === id) as { verdict: string; severity: string; reason: string; observed: Record<string, unknown> };

  test('builtin:strict under the seed profile (TLS 1.3 only, sessions <= 300 s): announces 300 s, nothing to renegotiate or fall back to', async () => {
    const seed = fileURLToPath(new URL('../../examples/profiles/tls13-only-exclusive-eku-rsa3072.yaml', import.meta.url));
    const seedCerts = mkdtempSync(join(tmpdir(), 'mtls-seed-certs-'));
    const out = mkdtempSync(join(tmpdir(), 'mtls-report-'));
    const run = await runCli(['run', '--target', 'builtin:strict', '--profile', seed, '--certs', seedCerts, '--report-dir', out, ...NEW_CASES]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const r = report(out);
    expect(verdictsOf(r)).toEqual({
      'server/client-auth/valid': 'pass',
      'server/protocol/renegotiation': 'skip',
      'server/protocol/fallback-scsv': 'skip',
      'server/session/ticket-lifetime': 'pass',
    });
    const lifetime = result(r, 'server/session/ticket-lifetime');
    expect(lifetime.severity).toBe('required');
    // Node announces its sessionTimeout (300) as the TLS 1.3 ticket lifetime.
    expect(lifetime.reason).toBe(
      "announces at most 300 s, within the profile's 300 s (TLS 1.3 tickets announce 300 s; TLS 1.2 not spoken); resumption after 300 s not checked (run with --slow to offer a session again after 300 s)",
    );
    expect(lifetime.observed.session).toMatchObject({ versions: [{ version: 'TLSv1.3', status: 'negotiated', tickets: 2, lifetimes: [300, 300] }, { version: 'TLSv1.2', status: 'not-spoken' }] });
    expect(result(r, 'server/protocol/fallback-scsv').reason).toBe('the target speaks only TLSv1.3: there is no lower version to fall back to');
    expect(result(r, 'server/protocol/renegotiation').reason).toMatch(/^the target refused a TLS 1.2 handshake \(alert 70 protocol_version\)/);
    expect(readFileSync(join(out, 'report.json'), 'utf8')).not.toMatch(/PRIVATE KEY|nodejs:tls:session/);
  });

  test('a profile allowing 60 s: builtin:strict follows it (announces 60 s), builtin:lenient (300 s) fails it, naming both numbers', async () => {
    const short = join(mkdtempSync(join(tmpdir(), 'mtls-short-')), 'short.yaml');
    writeFileSync(short, 'name: short-sessions\nextends: intermediate\ntls:\n  maxSessionLifetimeSeconds: 60\n');
    for (const target of ['builtin:strict', 'builtin:lenient']) {
      const out = mkdtempSync(join(tmpdir(), 'mtls-report-'));
      const run = await runCli(['run', '--target', target, '--profile', short, '--certs', certs, '--report-dir', out, ...NEW_CASES]);
      expect(run.code, target).toBe(target === 'builtin:strict' ? 0 : 1);
      const r = report(out);
      expect(result(r, 'server/session/ticket-lifetime').reason).toMatch(
        target === 'builtin:strict'
          ? /^announces at most 60 s, within the profile's 60 s \(TLS 1.3 tickets announce 60 s; TLS 1.2 ticket announces 60 s\)/
          : /^announces 300 s; the profile allows at most 60 s \(TLS 1.3 tickets announce 300 s; TLS 1.2 ticket announces 300 s\)$/,
      );
      expect(result(r, 'server/protocol/renegotiation').verdict).toBe(target === 'builtin:strict' ? 'pass' : 'fail');
    }
  });

  test('renegotiation: strict refuses with alert 100 (lenient renegotiating is checked above)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mtls-report-'));
    await runCli(['run', '--target', 'builtin:strict', '--certs', certs, '--report-dir', out, '--only', 'server/protocol/renegotiation']);
    expect(result(report(out), 'server/protocol/renegotiation')).toMatchObject({
      verdict: 'pass',
      reason: 'refused the renegotiation (alert 100 no_renegotiation)',
      observed: { renegotiation: { result: 'refused', alert: { code: 100, name: 'no_renegotiation' } }, tlsVersion: 'TLSv1.2' },
    });
  });
});

describe('certs init and cases', () => {
  test('certs init writes the trust files, keys 0600, a README; a re-run keeps the CAs; --force replaces them', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mtls-init-')), 'conformance-certs');
    const first = await runCli(['certs', 'init', dir]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(join(dir, 'trust', 'client-ca.pem'));
    for (const f of ['trust/client-ca.pem', 'trust/server-ca.pem', 'target/server-cert.pem', 'target/server-key.pem', 'client/expired.pem', 'README.txt']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    const { statSync } = await import('node:fs');
    expect(statSync(join(dir, 'target', 'server-key.pem')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'README.txt'), 'utf8')).toContain('trust/client-ca.pem');
    const ca = readFileSync(join(dir, 'trust', 'client-ca.pem'), 'utf8');
    const again = await runCli(['certs', 'init', dir]);
    expect(again.stdout).toMatch(/^Generated nothing/);
    expect(readFileSync(join(dir, 'trust', 'client-ca.pem'), 'utf8')).toBe(ca);
    await runCli(['certs', 'init', dir, '--force']);
    expect(readFileSync(join(dir, 'trust', 'client-ca.pem'), 'utf8')).not.toBe(ca);
  });

  test('certs init --issuer-cert/--issuer-key issues the client matrix under the given CA', async () => {
    const { X509Certificate } = await import('node:crypto');
    const own = join(mkdtempSync(join(tmpdir(), 'mtls-own-')), 'c');
    await runCli(['certs', 'init', own]);
    const dir = join(mkdtempSync(join(tmpdir(), 'mtls-issued-')), 'c');
    const run = await runCli(['certs', 'init', dir, '--issuer-cert', join(own, 'trust', 'server-ca.pem'), '--issuer-key', join(own, 'private', 'server-ca-key.pem')]);
    expect(run.code).toBe(0);
    const issuer = new X509Certificate(readFileSync(join(own, 'trust', 'server-ca.pem')));
    expect(new X509Certificate(readFileSync(join(dir, 'client', 'valid.pem'))).verify(issuer.publicKey)).toBe(true);
    expect(readFileSync(join(dir, 'trust', 'client-ca.pem'), 'utf8')).toBe(readFileSync(join(own, 'trust', 'server-ca.pem'), 'utf8'));
  });

  test('cases lists every id with expectation and severity under the profile', async () => {
    const run = await runCli(['cases', '--profile', 'modern', '--json']);
    expect(run.code).toBe(0);
    const cases = JSON.parse(run.stdout) as { id: string; expect: string; severity: string }[];
    expect(cases.find((c) => c.id === 'server/protocol/tls1.2')).toMatchObject({ expect: 'reject', severity: 'required' });
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    const text = await runCli(['cases']);
    expect(text.stdout).toContain('server/client-auth/intermediate-not-sent');
  });
});
