import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { generate, type Material } from '../../certs/generate.js';
import { caSpec, specOf, type SpecVariation } from '../../certs/spec.js';
import { generateCsr, type CsrSpec } from '../../certs/csr.js';
import { runCli } from '../helpers/cli.js';

// `conformance lint` through the built CLI. Every check has a fixture with the one defect it
// names and a clean counterpart; all are generated here, so none can expire in the repository.

const dir = mkdtempSync(join(tmpdir(), 'mtls-lint-'));
const path = (name: string) => join(dir, name);
const put = (name: string, content: string | Uint8Array) => {
  writeFileSync(path(name), content);
  return path(name);
};

const PROFILES: Record<string, string> = {
  keys: 'certificates:\n  client:\n    minRsaBits: 3072\n',
  validity: 'certificates:\n  client:\n    maxValidityDays: 1095\n',
  identity: "clientIdentity:\n  match: cn\n  pattern: '^device-[0-9]+$'\n  example: device-1\n",
  subject: 'csr:\n  requiredSubjectAttributes: [C, O, CN]\n',
  'cn-host': 'csr:\n  cnMustEqualHost: true\n',
  'no-hostname': 'certificates:\n  server:\n    hostnameMatch: false\n',
};
const profile = (name: string) => path(`${name}.yaml`);

async function cert(name: string, variation: Omit<SpecVariation, 'name' | 'issuer'> & { issuer?: string }, issuer?: Material): Promise<Material> {
  const m = await generate(specOf({ name, issuer: issuer ? 'ca' : 'self', ...variation }), issuer);
  put(`${name}.pem`, m.certPem);
  return m;
}

async function csr(name: string, spec: Partial<CsrSpec>): Promise<void> {
  put(`${name}.csr`, (await generateCsr(spec)).csrPem);
}

const server = { eku: ['serverAuth' as const], subject: 'CN=api.example.test, O=Example', sans: [{ type: 'dns' as const, value: 'api.example.test' }] };

beforeAll(async () => {
  for (const [name, body] of Object.entries(PROFILES)) put(`${name}.yaml`, `name: lint-${name}\nextends: intermediate\n${body}`);
  const root = await generate(caSpec({ name: 'root', issuer: 'self', subject: 'CN=Lint Root CA' }));
  const sha1Root = await generate(caSpec({ name: 'sha1-root', issuer: 'self', subject: 'CN=Lint SHA-1 Root', key: 'rsa-2048', signatureHash: 'SHA-1' }));
  const intermediate = await generate(caSpec({ name: 'int', issuer: 'root', subject: 'CN=Lint Intermediate' }), root);
  const expiredInt = await generate(caSpec({ name: 'int', issuer: 'root', subject: 'CN=Lint Expired Intermediate', notBeforeDays: -400, notAfterDays: -1 }), root);
  const sha1Int = await generate(caSpec({ name: 'int', issuer: 'root', subject: 'CN=Lint SHA-1 Intermediate', signatureHash: 'SHA-1' }), root);

  const ec = await cert('client-ec', {});
  const rsa2048 = await cert('client-rsa2048', { key: 'rsa-2048' });
  await cert('client-rsa3072', { key: 'rsa-3072' });
  await cert('server-as-client', { eku: ['serverAuth'] });
  await cert('expired', { notBeforeDays: -30, notAfterDays: -1 });
  await cert('not-yet-valid', { notBeforeDays: 2, notAfterDays: 300 });
  await cert('long-validity', { notAfterDays: 1199 });
  await cert('validity-1095', { notAfterDays: 1094 });
  await cert('renewal-due', { notAfterDays: 10 });
  await cert('sha1', { key: 'rsa-2048', signatureHash: 'SHA-1' });
  await cert('identity-bad', { subject: 'CN=laptop, O=Example' });
  await cert('identity-good', { subject: 'CN=device-42, O=Example' });
  await cert('server', server);
  await cert('server-cn-not-in-san', { ...server, subject: 'CN=legacy-name, O=Example' });
  await cert('no-eku', { eku: null });
  await cert('both-eku', { eku: ['serverAuth', 'clientAuth'] });

  const leaf = await generate(specOf({ name: 'leaf', issuer: 'int', subject: 'CN=bundle-leaf' }), intermediate);
  put('bundle.pem', leaf.certPem + intermediate.certPem + root.certPem);
  put('bundle-expired-ca.pem', (await generate(specOf({ name: 'leaf', issuer: 'int', subject: 'CN=bundle-leaf' }), expiredInt)).certPem + expiredInt.certPem);
  put('bundle-sha1-ca.pem', (await generate(specOf({ name: 'leaf', issuer: 'int', subject: 'CN=bundle-leaf' }), sha1Int)).certPem + sha1Int.certPem);
  put('bundle-sha1-root.pem', (await generate(specOf({ name: 'leaf', issuer: 'sha1-root', subject: 'CN=bundle-leaf' }), sha1Root)).certPem + sha1Root.certPem);

  put('client-ec.der', new X509Certificate(ec.certPem).raw);
  put('client-rsa2048.der', new X509Certificate(rsa2048.certPem).raw);
  const derCsr = await generateCsr({ subject: 'CN=der-request, O=Example, C=DE' });
  put('request.der', derCsr.csrDer);

  const host = 'api.example.test';
  await csr('csr-subject-short', { subject: `CN=${host}` });
  await csr('csr-subject-full', { subject: `CN=${host}, O=Example, C=DE` });
  await csr('csr-for-host', { subject: `CN=${host}, O=Example`, sans: [{ type: 'dns', value: host }] });
  await csr('csr-tampered', { tamper: true });
  await csr('csr-clean', {});
  await csr('csr-rsa1024', { key: 'rsa-1024' });
  await csr('csr-rsa2048', { key: 'rsa-2048' });
  await csr('csr-identity-bad', { subject: 'CN=laptop' });
  await csr('csr-identity-good', { subject: 'CN=device-7' });
  await csr('csr-client-eku', { eku: ['clientAuth'] });

  put('not-a-cert.txt', 'hello, this is not a certificate\n');
  put('key-only.pem', leaf.keyPem);
  put('corrupt.pem', '-----BEGIN CERTIFICATE-----\nMIIBnotreallyacertificate\n-----END CERTIFICATE-----\n');
  mkdirSync(path('a-directory'));
});

interface Finding {
  file: string;
  index: number;
  subject: string;
  rule: string;
  severity: string;
  message: string;
}
interface Report {
  schemaVersion: number;
  profile: { name: string; sha256: string };
  objects: { file: string; index: number; kind: string; subject: string; role: string | null; ca: boolean; note: string | null; findings: Finding[]; checks: { check: string; rule: string; status: string; severity: string; message: string }[] }[];
  summary: { pass: number; fail: number; requiredFail: number; notChecked?: number };
}

async function lintJson(args: string[]): Promise<{ code: number | null; report: Report; stderr: string }> {
  const run = await runCli(['lint', ...args, '--json'], { cwd: dir });
  expect(run.code, run.stderr).not.toBe(2);
  return { code: run.code, report: JSON.parse(run.stdout) as Report, stderr: run.stderr };
}

/** Every finding of a run as `rule (severity)`, in order. */
const findingsOf = (r: Report) => r.objects.flatMap((o) => o.findings.map((f) => `${f.rule} (${f.severity})`));

// name, arguments (file paths relative to the fixture dir), exit code, exact findings
const CASES: [string, string[], 0 | 1, string[]][] = [
  ['key-strength: client RSA-2048 under minRsaBits 3072', ['client-rsa2048.pem', '-p', profile('keys')], 1, ['certificates.client.minRsaBits (required)']],
  ['key-strength clean: client EC P-256 under minRsaBits 3072', ['client-ec.pem', '-p', profile('keys')], 0, []],
  ['key-strength clean: client RSA-3072 under minRsaBits 3072', ['client-rsa3072.pem', '-p', profile('keys')], 0, []],
  ['eku: serverAuth certificate linted as a client', ['server-as-client.pem', '--role', 'client'], 1, ['certificates.client.eku (required)']],
  ['eku clean: clientAuth certificate as a client', ['client-ec.pem', '--role', 'client'], 0, []],
  ['not-expired: expired certificate', ['expired.pem'], 1, ['RFC 5280 §4.1.2.5 (required)']],
  ['not-expired: not yet valid', ['not-yet-valid.pem'], 1, ['RFC 5280 §4.1.2.5 (required)']],
  ['validity-period: 1200 days under maxValidityDays 1095', ['long-validity.pem', '-p', profile('validity')], 1, ['certificates.client.maxValidityDays (required)']],
  ['validity-period clean: 1095 days under maxValidityDays 1095', ['validity-1095.pem', '-p', profile('validity')], 0, []],
  ['renewal-window: 10 days left under minRemainingDays 30', ['renewal-due.pem'], 1, ['certificates.client.minRemainingDays (required)']],
  ['signature-algorithm: SHA-1 signature', ['sha1.pem'], 1, ['certificates.client.forbiddenSignatureHashes (required)']],
  ['signature-algorithm clean: SHA-256 RSA', ['client-rsa2048.pem'], 0, []],
  ['identity: CN outside the clientIdentity pattern', ['identity-bad.pem', '-p', profile('identity')], 1, ['clientIdentity (required)']],
  ['identity clean: CN matching the pattern', ['identity-good.pem', '-p', profile('identity')], 0, []],
  ['hostname: server certificate for another host', ['server.pem', '--host', 'other.example.test'], 1, ['certificates.server.hostnameMatch (required)']],
  ['hostname clean: the host is in subjectAltName', ['server.pem', '--host', 'api.example.test'], 0, []],
  ['hostname is advice when the profile sets hostnameMatch: false', ['server.pem', '--host', 'other.example.test', '-p', profile('no-hostname')], 0, ['RFC 6125 §6.4.4 (recommended)']],
  ['cn-in-san: CN not repeated in subjectAltName is advice', ['server-cn-not-in-san.pem'], 0, ['CA/B Forum BR §7.1.4.2.2 (recommended)']],
  ['csr subject: missing C and O under [C, O, CN]', ['csr-subject-short.csr', '--role', 'server', '-p', profile('subject')], 1, ['csr.requiredSubjectAttributes (required)']],
  ['csr subject clean: C, O and CN present', ['csr-subject-full.csr', '--role', 'server', '-p', profile('subject')], 0, []],
  ['csr cnMustEqualHost: CN differs from --host', ['csr-for-host.csr', '--role', 'server', '--host', 'www.example.test', '-p', profile('cn-host')], 1, ['csr.cnMustEqualHost (required)', 'RFC 6125 §6.4.4 (recommended)']],
  ['csr cnMustEqualHost clean: CN and SAN equal --host', ['csr-for-host.csr', '--role', 'server', '--host', 'api.example.test', '-p', profile('cn-host')], 0, []],
  ['csr signature: tampered self-signature', ['csr-tampered.csr', '--role', 'client'], 1, ['RFC 2986 §4.2 (required)']],
  ['csr signature clean', ['csr-clean.csr', '--role', 'client'], 0, []],
  ['csr key-strength: RSA-1024', ['csr-rsa1024.csr', '--role', 'client'], 1, ['certificates.client.minRsaBits (required)']],
  ['csr key-strength clean: RSA-2048', ['csr-rsa2048.csr', '--role', 'client'], 0, []],
  ['csr identity: CN outside the clientIdentity pattern', ['csr-identity-bad.csr', '--role', 'client', '-p', profile('identity')], 1, ['clientIdentity (required)']],
  ['csr identity clean', ['csr-identity-good.csr', '--role', 'client', '-p', profile('identity')], 0, []],
  ['csr role from the requested EKU', ['csr-client-eku.csr'], 0, []],
  ['bundle: leaf + intermediate + root, all clean', ['bundle.pem'], 0, []],
  ['bundle: expired CA certificate', ['bundle-expired-ca.pem'], 1, ['RFC 5280 §4.1.2.5 (required)']],
  ['bundle: intermediate CA signed with SHA-1', ['bundle-sha1-ca.pem'], 1, ['certificates.client.forbiddenSignatureHashes (required)']],
  ['bundle: self-signed SHA-1 root is advice', ['bundle-sha1-root.pem'], 0, ['certificates.client.forbiddenSignatureHashes (recommended)']],
  ['DER certificate', ['client-ec.der'], 0, []],
  ['DER certificate with a defect', ['client-rsa2048.der', '-p', profile('keys')], 1, ['certificates.client.minRsaBits (required)']],
  ['DER CSR', ['request.der', '--role', 'client'], 0, []],
];

describe('lint findings and exit codes', () => {
  test.concurrent.each(CASES)('%s', async (_name, args, code, findings) => {
    const { code: exit, report } = await lintJson(args);
    expect(findingsOf(report)).toEqual(findings);
    expect(exit).toBe(code);
  });
});

describe('lint objects', () => {
  test('a bundle is linted object by object; CA certificates get only their two checks and a note', async () => {
    const { report } = await lintJson(['bundle-expired-ca.pem']);
    expect(report.objects.map((o) => [o.index, o.kind, o.ca, o.subject])).toEqual([
      [1, 'certificate', false, 'CN=bundle-leaf'],
      [2, 'certificate', true, 'CN=Lint Expired Intermediate'],
    ]);
    const ca = report.objects[1]!;
    expect(ca.checks.map((c) => c.check)).toEqual(['signature-algorithm', 'not-expired']);
    expect(ca.note).toContain('only signature-algorithm and not-expired are checked');
    expect(ca.findings[0]).toMatchObject({ file: 'bundle-expired-ca.pem', index: 2, subject: 'CN=Lint Expired Intermediate', severity: 'required', rule: 'RFC 5280 §4.1.2.5' });
    expect(ca.findings[0]!.message).toMatch(/^expired on /);
  });

  test('the role is inferred from the EKU and reported', async () => {
    const { report } = await lintJson(['client-ec.pem', 'server.pem']);
    expect(report.objects.map((o) => o.role)).toEqual(['client', 'server']);
    expect(report.objects[1]!.checks.map((c) => c.check)).toContain('cn-in-san');
  });

  test('an expired certificate is not also judged on its renewal window', async () => {
    const { report } = await lintJson(['expired.pem']);
    expect(report.objects[0]!.checks.map((c) => c.check)).not.toContain('renewal-window');
    expect(report.objects[0]!.note).toContain('renewal window');
  });

  test('JSON document: schema version, profile, checks and summary', async () => {
    const { report } = await lintJson(['client-rsa2048.pem', 'csr-tampered.csr', '-p', profile('keys'), '--role', 'client']);
    expect(report.schemaVersion).toBe(1);
    expect(report.profile.name).toBe('lint-keys');
    expect(report.profile.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.objects.map((o) => o.kind)).toEqual(['certificate', 'csr']);
    expect(report.objects[0]!.findings[0]).toMatchObject({ rule: 'certificates.client.minRsaBits', message: 'RSA 2048 bits; the profile requires ≥ 3072', severity: 'required' });
    const checks = report.objects.flatMap((o) => o.checks);
    expect(report.summary).toMatchObject({ pass: checks.filter((c) => c.status === 'pass').length, fail: 2, requiredFail: 2 });
    expect(report.objects[1]!.checks.map((c) => c.check)).toEqual(['csr-signature', 'subject-attributes', 'key-strength']);
  });

  test('the table: one block per object, PASS/FAIL per check with the rule and message, then a summary line', async () => {
    const run = await runCli(['lint', 'client-rsa2048.pem', 'bundle.pem', '-p', profile('keys')], { cwd: dir });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^mtls-conformance \S+ · lint 2 files · profile lint-keys \(sha256 [0-9a-f]{12}\)$/m);
    expect(run.stdout).toContain('client-rsa2048.pem · object 1 of 1 · certificate "CN=conformance-client, O=mtls-conformance" · role client (EKU clientAuth)');
    expect(run.stdout).toMatch(/^ {2}FAIL {2}key-strength +certificates\.client\.minRsaBits +RSA 2048 bits; the profile requires ≥ 3072$/m);
    expect(run.stdout).toMatch(/^ {2}PASS {2}not-expired +RFC 5280 §4\.1\.2\.5 +valid from /m);
    expect(run.stdout).toContain('bundle.pem · object 3 of 3 · CA certificate "CN=Lint Root CA"');
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^4 objects, \d+ checks: \d+ pass, 1 fail · NON-CONFORMANT$/);
  });
});

describe('what --role and missing flags change', () => {
  test('`openssl req -x509` (cA TRUE) with --role server is linted as a server certificate: cA TRUE is a finding, and modern finds the rest', () => {
    // What people do for a quick server certificate: RSA-2048, 5 years, serverAuth+clientAuth, and
    // OpenSSL's default v3_ca extensions, which set basicConstraints cA TRUE.
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path('x509-key.pem'), '-out', path('x509.pem'), '-days', '1825', '-subj', '/CN=api.example.test',
      '-addext', 'subjectAltName=DNS:api.example.test', '-addext', 'extendedKeyUsage=serverAuth,clientAuth'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(new X509Certificate(readFileSync(path('x509.pem'))).ca).toBe(true);
    return (async () => {
      const inter = await lintJson(['x509.pem', '--role', 'server']);
      expect(inter.report.objects[0]).toMatchObject({ ca: false, role: 'server' });
      expect(inter.report.objects[0]!.checks.length).toBeGreaterThan(2);
      expect(findingsOf(inter.report)).toEqual(['RFC 5280 §4.2.1.9 (required)']);
      expect(inter.report.objects[0]!.findings[0]!.message).toContain('basicConstraints cA TRUE on a certificate presented as a server certificate');
      expect(inter.code).toBe(1);
      const modern = await lintJson(['x509.pem', '--role', 'server', '-p', 'modern']);
      expect(findingsOf(modern.report)).toEqual(['RFC 5280 §4.2.1.9 (required)', 'certificates.server.eku (required)', 'certificates.server.minRsaBits (required)']);
      // Without --role it is still an end entity: it issued nothing given; its EKU names both roles.
      const noRole = await lintJson(['x509.pem']);
      expect(noRole.report.objects[0]).toMatchObject({ ca: false, role: null });
      expect(findingsOf(noRole.report)).toEqual(['RFC 5280 §4.2.1.9 (required)']);
      expect(noRole.code).toBe(1);
    })();
  });

  test('a CSR without --role or --host: every check that needs neither runs, --host ones are "not checked" naming the flag', async () => {
    const { code, report } = await lintJson(['csr-for-host.csr', '-p', profile('cn-host')]);
    const checks = report.objects[0]!.checks;
    // EC P-256 meets the minimum of both roles: that needs no --role.
    expect(checks.map((c) => [c.check, c.status])).toEqual([
      ['csr-signature', 'pass'],
      ['subject-attributes', 'pass'],
      ['cn-equals-host', 'not-checked'],
      ['key-strength', 'pass'],
    ]);
    expect(checks[2]!.message).toContain('pass --host NAME');
    expect(report.objects[0]!.note).toBe('not checked: cn-equals-host; pass --host to check them');
    expect(report.summary).toMatchObject({ pass: 3, fail: 0, notChecked: 1 });
    expect(code).toBe(0);
  });

  test('a CSR without --role whose key meets one role\'s minimum but not the other\'s: key-strength is "not checked" naming --role', async () => {
    // lint-keys: server RSA ≥ 2048 (intermediate), client RSA ≥ 3072.
    const { code, report } = await lintJson(['csr-rsa2048.csr', '-p', profile('keys')]);
    const ks = report.objects[0]!.checks.find((c) => c.check === 'key-strength')!;
    expect(ks).toMatchObject({ status: 'not-checked', rule: 'certificates.<role>.minRsaBits' });
    expect(ks.message).toContain('as a server certificate it passes');
    expect(ks.message).toContain('as a client certificate it fails (RSA 2048 bits; the profile requires ≥ 3072)');
    expect(ks.message).toMatch(/pass --role server or --role client$/);
    expect(report.objects[0]!.note).toBe('not checked: key-strength; pass --role to check them');
    expect(code).toBe(0);
    const table = await runCli(['lint', 'csr-rsa2048.csr', '-p', profile('keys')], { cwd: dir });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^ {2}---- {2}key-strength .*not checked: .*pass --role server or --role client$/m);
    expect(table.stdout.trimEnd().split('\n').at(-1)).toMatch(/^1 object, 3 checks: 2 pass, 0 fail, 1 not checked · CONFORMANT$/);
    // With --role the answer is given.
    expect((await lintJson(['csr-rsa2048.csr', '-p', profile('keys'), '--role', 'client'])).code).toBe(1);
    expect((await lintJson(['csr-rsa2048.csr', '-p', profile('keys'), '--role', 'server'])).code).toBe(0);
  });
});

// Files as users make them with the openssl CLI, generated here so none can expire.
function openssl(...args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
}

describe('a certificate is a CA only if it issued another certificate given; otherwise a leaf, with or without --role', () => {
  beforeAll(() => {
    // OpenSSL 3's default v3_ca extensions: basicConstraints cA TRUE, no EKU.
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'req-x509-key.pem', '-out', 'req-x509.pem', '-days', '365', '-subj', '/CN=api.example.com');
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ec-client-key.pem', '-out', 'ec-client.pem', '-days', '3650', '-subj', '/CN=ec-client', '-addext', 'extendedKeyUsage=clientAuth');
    openssl('req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-keyout', 'weak-key.pem', '-out', 'weak-no-eku.pem', '-days', '365', '-subj', '/CN=weak', '-addext', 'basicConstraints=critical,CA:FALSE');
    // A CA made the same way, and a leaf it issued.
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'my-ca-key.pem', '-out', 'my-ca.pem', '-days', '365', '-subj', '/CN=My CA');
    openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'my-leaf-key.pem', '-out', 'my-leaf.csr', '-subj', '/CN=my-leaf');
    writeFileSync(path('leaf-ext.cnf'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
    openssl('x509', '-req', '-in', 'my-leaf.csr', '-CA', 'my-ca.pem', '-CAkey', 'my-ca-key.pem', '-CAcreateserial', '-days', '90', '-out', 'my-leaf.pem', '-extfile', 'leaf-ext.cnf');
    expect(new X509Certificate(readFileSync(path('req-x509.pem'))).ca).toBe(true);
  });

  test('`openssl req -x509` without --role: a leaf of no single role, cA TRUE is the end-entity finding, NON-CONFORMANT', async () => {
    const { code, report } = await lintJson(['req-x509.pem']);
    const o = report.objects[0]!;
    expect(o).toMatchObject({ ca: false, role: null });
    expect(findingsOf(report)).toEqual(['RFC 5280 §4.2.1.9 (required)']);
    expect(o.findings[0]!.message).toContain('basicConstraints cA TRUE on a certificate presented as a server or client certificate');
    // Same answer for both roles: one row each, decided; eku (server requires serverAuth, client allows any) and the server-only cn-in-san differ.
    expect(o.checks.map((c) => [c.check, c.status])).toEqual([
      ['end-entity', 'fail'],
      ['eku', 'not-checked'],
      ['key-strength', 'pass'],
      ['signature-algorithm', 'pass'],
      ['validity-period', 'pass'],
      ['not-expired', 'pass'],
      ['renewal-window', 'pass'],
      ['cn-in-san', 'not-checked'],
    ]);
    expect(o.checks[1]!.message).toMatch(/pass --role server or --role client$/);
    expect(o.note).toBe('not checked: eku, cn-in-san; pass --role to check them');
    expect(code).toBe(1);
    const table = await runCli(['lint', 'req-x509.pem'], { cwd: dir });
    expect(table.code, table.stderr).toBe(1);
    expect(table.stdout).toContain('req-x509.pem · object 1 of 1 · certificate "CN=api.example.com" · no role: EKU none, no --role; cA TRUE, but it issued none of the certificates given: linted as an end entity');
    expect(table.stdout).toMatch(/^ {2}FAIL {2}end-entity +RFC 5280 §4\.2\.1\.9 +basicConstraints cA TRUE/m);
    expect(table.stdout).not.toContain('CA certificate');
    expect(table.stdout.trimEnd().split('\n').at(-1)).toMatch(/^1 object, 8 checks: 5 pass, 1 fail, 2 not checked · NON-CONFORMANT$/);
  });

  test('`openssl req -x509` with --role server: the server rules decide every row', async () => {
    const { code, report } = await lintJson(['req-x509.pem', '--role', 'server']);
    expect(report.objects[0]).toMatchObject({ ca: false, role: 'server' });
    expect(findingsOf(report)).toEqual(['RFC 5280 §4.2.1.9 (required)', 'certificates.server.eku (required)', 'CA/B Forum BR §7.1.4.2.2 (recommended)']);
    expect(report.summary.notChecked ?? 0).toBe(0);
    expect(code).toBe(1);
  });

  test('a self-signed EC clientAuth certificate (cA TRUE, 10 years) under modern: a client leaf with the end-entity finding', async () => {
    const { code, report } = await lintJson(['ec-client.pem', '-p', 'modern']);
    expect(report.objects[0]).toMatchObject({ ca: false, role: 'client' });
    expect(findingsOf(report)).toEqual(['RFC 5280 §4.2.1.9 (required)']);
    expect(report.objects[0]!.checks.map((c) => c.check)).toEqual(['end-entity', 'eku', 'key-strength', 'signature-algorithm', 'validity-period', 'not-expired', 'renewal-window']);
    expect(code).toBe(1);
  });

  test('a CA with a leaf it issued (in one input, two files): the CA gets its two CA checks, the leaf the leaf checks', async () => {
    const { code, report } = await lintJson(['my-leaf.pem', 'my-ca.pem']);
    expect(report.objects.map((o) => [o.file, o.ca, o.role])).toEqual([
      ['my-leaf.pem', false, 'client'],
      ['my-ca.pem', true, null],
    ]);
    expect(report.objects[1]!.checks.map((c) => [c.check, c.status])).toEqual([
      ['signature-algorithm', 'pass'],
      ['not-expired', 'pass'],
    ]);
    expect(findingsOf(report)).toEqual([]);
    expect(code).toBe(0);
    // The same CA alone issued nothing given: a leaf, and its cA TRUE a finding.
    const alone = await lintJson(['my-ca.pem']);
    expect(alone.report.objects[0]).toMatchObject({ ca: false });
    expect(findingsOf(alone.report)).toEqual(['RFC 5280 §4.2.1.9 (required)']);
    expect(alone.code).toBe(1);
  });

  test('a certificate without a role whose key fails both roles\' minimum: key-strength FAIL', async () => {
    const { code, report } = await lintJson(['weak-no-eku.pem']);
    const ks = report.objects[0]!.checks.find((c) => c.check === 'key-strength')!;
    expect(ks).toMatchObject({ status: 'fail', rule: 'certificates.<role>.minRsaBits', message: 'RSA 1024 bits; the profile requires ≥ 2048', severity: 'required' });
    expect(findingsOf(report)).toEqual(['certificates.<role>.minRsaBits (required)']);
    expect(code).toBe(1);
  });

  test('a non-CA certificate with both EKUs and no --role is linted under both roles, not refused', async () => {
    const { code, report } = await lintJson(['both-eku.pem']);
    expect(report.objects[0]).toMatchObject({ ca: false, role: null });
    expect(report.objects[0]!.checks.find((c) => c.check === 'eku')).toMatchObject({ status: 'pass' });
    expect(code).toBe(0);
  });
});

describe('CSR key strength without --role: decided when every role agrees', () => {
  const profileName = 'rsa2048-csr-subject-renewal-30d';
  beforeAll(() => {
    openssl('req', '-new', '-newkey', 'rsa:1024', '-nodes', '-keyout', 'r1024-key.pem', '-out', 'r1024.csr', '-subj', '/C=DE/O=Example/CN=api.example.com');
    openssl('req', '-new', '-newkey', 'rsa:3072', '-nodes', '-keyout', 'r3072-key.pem', '-out', 'r3072.csr', '-subj', '/C=DE/O=Example/CN=api.example.com', '-addext', 'subjectAltName=DNS:api.example.com');
  });

  test('RSA-1024 fails the minimum of every role: FAIL, NON-CONFORMANT', async () => {
    const { code, report } = await lintJson(['r1024.csr', '--profile', profileName, '--host', 'api.example.com']);
    const ks = report.objects[0]!.checks.find((c) => c.check === 'key-strength')!;
    expect(ks).toMatchObject({ status: 'fail', severity: 'required', rule: 'certificates.<role>.minRsaBits', message: 'RSA 1024 bits; the profile requires ≥ 2048' });
    expect(report.objects[0]!.findings.map((f) => f.rule)).toEqual(['certificates.<role>.minRsaBits']);
    expect(code).toBe(1);
    const table = await runCli(['lint', 'r1024.csr', '--profile', profileName, '--host', 'api.example.com'], { cwd: dir });
    expect(table.code, table.stderr).toBe(1);
    expect(table.stdout).toMatch(/^ {2}FAIL {2}key-strength +certificates\.<role>\.minRsaBits +RSA 1024 bits; the profile requires ≥ 2048$/m);
    expect(table.stdout.trimEnd().split('\n').at(-1)).toMatch(/· NON-CONFORMANT$/);
  });

  test('RSA-3072 meets the minimum of every role: PASS, and nothing is left unchecked', async () => {
    const { code, report } = await lintJson(['r3072.csr', '--profile', profileName, '--host', 'api.example.com']);
    const checks = report.objects[0]!.checks;
    expect(checks.map((c) => [c.check, c.status])).toEqual([
      ['csr-signature', 'pass'],
      ['subject-attributes', 'pass'],
      ['cn-equals-host', 'pass'],
      ['key-strength', 'pass'],
      ['san-includes-host', 'pass'],
    ]);
    expect(checks[3]!.message).toBe('RSA 3072 bits; the profile requires ≥ 2048');
    expect(report.objects[0]!.note).toBeNull();
    expect(code).toBe(0);
  });
});

describe('lint usage errors: one line, exit 2', () => {
  test.concurrent.each([
    ['missing file', ['missing.pem'], ['"missing.pem" cannot be read (ENOENT)']],
    ['a directory', ['a-directory'], ['"a-directory" cannot be read (EISDIR)']],
    ['a text file', ['not-a-cert.txt'], ['"not-a-cert.txt" holds no certificate or certificate request', 'Pass a certificate or a CSR']],
    ['a PEM file with only a key', ['key-only.pem'], ['"key-only.pem" holds no certificate or certificate request']],
    ['a corrupt PEM certificate', ['corrupt.pem'], ['"corrupt.pem" object 1 (PEM "CERTIFICATE") is not a well-formed X.509 certificate']],
    ['bad --role', ['client-ec.pem', '--role', 'admin'], ["'admin' is invalid", 'server, client']],
    ['no file', [], ["missing required argument 'file'"]],
    // A good file first: nothing is printed before an input error is found.
    ['a bad file after a good one', ['client-ec.pem', 'not-a-cert.txt'], ['"not-a-cert.txt"']],
  ])('%s', async (_name, args, fragments) => {
    const run = await runCli(['lint', ...args], { cwd: dir });
    expect(run.code, run.stderr + run.stdout).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: /);
    for (const f of fragments) expect(lines[0]).toContain(f);
  });
});
