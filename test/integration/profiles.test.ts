import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { runCli, verdictsOf } from '../helpers/cli.js';
import { startOpensslServer } from '../helpers/peers.js';

// Profiles as policy files: the example profiles from the four seed policies run end to end, and
// profile fields change verdicts.
const certs = join(mkdtempSync(join(tmpdir(), 'mtls-profiles-')), 'certs');
mkdirSync(certs, { recursive: true });
const examples = fileURLToPath(new URL('../../examples/profiles/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'mtls-profile-files-'));
function profile(name: string, yaml: string): string {
  const p = join(scratch, `${name}.yaml`);
  writeFileSync(p, `name: ${name}\n${yaml}`);
  return p;
}
async function run(target: string, profilePath: string, extra: string[] = [], certsDir = certs) {
  const out = mkdtempSync(join(tmpdir(), 'mtls-r-'));
  const res = await runCli(['run', '--target', target, '--profile', profilePath, '--certs', certsDir, '--report-dir', out, ...extra]);
  expect(res.code, res.stderr).toBeLessThan(2);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  return { res, report, verdicts: verdictsOf(report), byId: (id: string) => report.results.find((r: { id: string }) => r.id === id) };
}

describe('example profiles from the seed policies', () => {
  const files = readdirSync(examples).filter((f) => f.endsWith('.yaml'));
  test('there is one per seed policy', () => {
    expect(files.sort()).toEqual(['mutual-auth-both-ways.yaml', 'rsa2048-csr-subject-renewal-30d.yaml', 'tls12-minimum.yaml', 'tls13-only-exclusive-eku-rsa3072.yaml']);
  });
  test.each(files)('%s validates and builtin:strict passes it end to end', async (file) => {
    const check = await runCli(['profile', 'check', join(examples, file)]);
    expect(check.code, check.stderr).toBe(0);
    const { res, verdicts } = await run('builtin:strict', join(examples, file));
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(Object.entries(verdicts).filter(([, v]) => v !== 'pass' && v !== 'skip')).toEqual([]);
  });
  test('the TLS 1.3-only policy refuses what the TLS 1.2-minimum policy accepts from builtin:lenient', async () => {
    const strict13 = await run('builtin:lenient', join(examples, 'tls13-only-exclusive-eku-rsa3072.yaml'), ['--only', 'server/protocol/*']);
    const min12 = await run('builtin:lenient', join(examples, 'tls12-minimum.yaml'), ['--only', 'server/protocol/*']);
    expect(strict13.verdicts['server/protocol/tls1.2']).toBe('fail');
    expect(min12.verdicts['server/protocol/tls1.2']).toBe('pass');
    expect(strict13.verdicts['server/client-auth/valid']).toBe('pass');
  });
});

describe('profile fields change verdicts', () => {
  test('rejection.httpStatuses: builtin:strict refuses with a status the profile counts (403 listed: 403; only 400: 400)', async () => {
    // A 403 that is not listed would count as acceptance (judge.test.ts): the embedded server follows the list.
    const base = await run('builtin:strict', profile('eku-403-default', 'extends: intermediate\n'), ['--only', 'server/client-auth/eku-absent']);
    const only400 = await run('builtin:strict', profile('eku-400-only', 'extends: intermediate\nrejection:\n  httpStatuses: [400]\n'), ['--only', 'server/client-auth/eku-absent']);
    expect([base.verdicts['server/client-auth/eku-absent'], base.byId('server/client-auth/eku-absent').observed.httpStatus]).toEqual(['pass', 403]);
    expect([only400.verdicts['server/client-auth/eku-absent'], only400.byId('server/client-auth/eku-absent').observed.httpStatus]).toEqual(['pass', 400]);
  });

  test('cases.severity makes a recommended case decide the run', async () => {
    const rec = await run('builtin:lenient', profile('sev-default', 'extends: intermediate\n'), ['--only', 'server/client-auth/eku-absent']);
    const req = await run('builtin:lenient', profile('sev-required', "extends: intermediate\ncases:\n  severity:\n    server/client-auth/eku-absent: required\n"), ['--only', 'server/client-auth/eku-absent']);
    expect([rec.verdicts['server/client-auth/eku-absent'], rec.res.code]).toEqual(['fail', 0]);
    expect([req.verdicts['server/client-auth/eku-absent'], req.res.code]).toEqual(['fail', 1]);
  });

  test('cases.waive: a waived failure is reported and does not decide the run; a waived pass says the waiver can go', async () => {
    const waiver = profile('waive-no-cert', "extends: intermediate\ncases:\n  waive:\n    server/client-auth/no-cert: legacy partner without certificates until 2027-06\n");
    const lenient = await run('builtin:lenient', waiver, ['--only', 'server/client-auth/no-cert']);
    expect(lenient.verdicts['server/client-auth/no-cert']).toBe('fail');
    expect(lenient.byId('server/client-auth/no-cert')).toMatchObject({ waived: 'legacy partner without certificates until 2027-06', waiverUnneeded: false });
    expect(lenient.res.code).toBe(0);
    expect(lenient.res.stdout).toContain('[waived: legacy partner without certificates until 2027-06]');
    const strict = await run('builtin:strict', waiver, ['--only', 'server/client-auth/no-cert']);
    expect(strict.byId('server/client-auth/no-cert')).toMatchObject({ verdict: 'pass', waiverUnneeded: true });
    expect(strict.res.stdout).toContain('now passes: remove the waiver');
  });

  test('certificates.client.eku exclusive makes eku-absent required', async () => {
    const r = await run('builtin:lenient', profile('eku-exclusive', 'extends: intermediate\ncertificates:\n  client:\n    eku: exclusive\n'), ['--only', 'server/client-auth/eku-absent']);
    expect(r.byId('server/client-auth/eku-absent')).toMatchObject({ verdict: 'fail', severity: 'required' });
    expect(r.res.code).toBe(1);
  });

  test('certificates.client.minRsaBits above 2048 turns rsa-2048 into a required refusal', async () => {
    const r = await run('builtin:lenient', profile('rsa3072', 'extends: intermediate\ncertificates:\n  client:\n    minRsaBits: 3072\n'), ['--only', 'server/client-auth/rsa-2048']);
    expect(r.byId('server/client-auth/rsa-2048')).toMatchObject({ expect: 'reject', verdict: 'fail', severity: 'required' });
  });

  // builtin targets present a certificate that fits the profile they run under, so the target
  // certificate's own rules are shown on a server with the store's certificate: P-256, ~364 days.
  const storeCerts = join(mkdtempSync(join(tmpdir(), 'mtls-profiles-s-server-')), 'certs');
  const againstStoreCert = async (profilePath: string, only: string) => {
    const init = await runCli(['certs', 'init', storeCerts]);
    expect([0, 2]).toContain(init.code);
    await using server = await startOpensslServer({ certsDir: storeCerts });
    return await run(server.url, profilePath, ['--only', only, '--target-ca', join(storeCerts, 'trust', 'server-ca.pem')], storeCerts);
  };

  test('certificates.server.maxValidityDays and minRemainingDays judge the target certificate', async () => {
    // The store's server certificate is valid for about 364 days.
    const r = await againstStoreCert(profile('server-validity', 'extends: intermediate\ncertificates:\n  server:\n    maxValidityDays: 90\n    minRemainingDays: 400\n'), 'server/certificate/*');
    expect(r.verdicts['server/certificate/validity-period']).toBe('fail');
    expect(r.byId('server/certificate/validity-period').reason).toMatch(/valid for 36\d days; the profile allows at most 90/);
    expect(r.verdicts['server/certificate/renewal-window']).toBe('fail');
    expect(r.verdicts['server/certificate/key-strength']).toBe('pass');
  });

  test('certificates.server.minEcBits above 256 fails the P-256 server certificate', async () => {
    const r = await againstStoreCert(profile('ec384', 'extends: intermediate\ncertificates:\n  server:\n    minEcBits: 384\n'), 'server/certificate/key-strength');
    expect(r.byId('server/certificate/key-strength').reason).toBe('EC 256 bits; the profile requires ≥ 384 [certificates.server.minEcBits]');
  });

  test('certificates.server.hostnameMatch false makes a name mismatch informational', async () => {
    const on = await run('builtin:strict', profile('host-on', 'extends: intermediate\n'), ['--only', 'server/certificate/hostname', '--servername', 'other.example']);
    const off = await run('builtin:strict', profile('host-off', 'extends: intermediate\ncertificates:\n  server:\n    hostnameMatch: false\n'), ['--only', 'server/certificate/hostname', '--servername', 'other.example']);
    expect(on.byId('server/certificate/hostname')).toMatchObject({ verdict: 'fail', severity: 'required' });
    expect(off.byId('server/certificate/hostname')).toMatchObject({ verdict: 'fail', severity: 'info' });
    expect([on.res.code, off.res.code]).toEqual([1, 0]);
  });

  test('tls.requiredVersions: an allowed but unrequired TLS 1.2/1.3 is a recommended interoperability note', async () => {
    const r = await run('builtin:strict', profile('tls13-required', 'extends: modern\n'), ['--only', 'server/protocol/*']);
    expect(r.byId('server/protocol/tls1.3')).toMatchObject({ expect: 'accept', severity: 'required', verdict: 'pass' });
    const opt = await run('builtin:strict', profile('tls13-optional', 'extends: intermediate\n'), ['--only', 'server/protocol/tls1.3']);
    expect(opt.byId('server/protocol/tls1.3').severity).toBe('recommended');
  });

  test('profile show prints the resolved profile after extends', async () => {
    const p = profile('shown', 'extends: modern\ncertificates:\n  client:\n    minRsaBits: 4096\n');
    const r = await runCli(['profile', 'show', p]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/minRsaBits: 4096/);
    expect(r.stdout).toMatch(/versions:\n\s+- TLSv1\.3/);
    expect(r.stdout).toMatch(/# resolved from .*shown\.yaml; sha256 [0-9a-f]{64}/);
  });
});
