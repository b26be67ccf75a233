import { generateKeyPairSync } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { resolveCases } from '../cases/resolve.js';
import { describeObservation, interpret, judge } from '../judge.js';
import type { CaseResult, Observation } from '../model.js';
import { loadProfile, type LoadedProfile } from '../profile/load.js';
import { readPublicKey, sha256Hex, signManifest, type Manifest } from './manifest.js';
import { buildReport, type Report } from './report.js';
import { rejudgeReport, verifyReportDir, writeReportDir } from './report-dir.js';
import { saveTargetLog } from '../run/finish.js';

const loaded: LoadedProfile = loadProfile('intermediate');

function obs(outcome: Observation['outcome'], extra: Partial<Observation> = {}): Observation {
  return { outcome, alert: null, httpStatus: null, tlsVersion: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', detail: outcome, durationMs: 3, ...extra };
}

/** A report the way a run makes one: catalogue cases, observations, the judge, buildReport. */
function makeReport(profile: LoadedProfile = loaded): Report {
  const observations: Record<string, Observation | null> = {
    'server/client-auth/valid': obs('http-status', { httpStatus: 200 }),
    'server/client-auth/expired': obs('handshake-alert', { alert: { code: 45, name: 'certificate_expired' } }),
    'server/client-auth/no-cert': obs('http-status', { httpStatus: 200, detail: 'HTTP 200: <script>alert(1)</script>' }),
    'server/client-auth/untrusted-ca': obs('timeout'),
    'server/client-auth/unexpected-identity': null,
  };
  const cases = resolveCases(profile.profile, 'server').filter((c) => c.id in observations);
  const control = observations['server/client-auth/valid']!;
  const results: CaseResult[] = cases.map((c) => {
    const o = c.skip ? null : observations[c.id]!;
    return { case: c, observation: o, verdict: judge(c, o, profile.profile, { controlAccepted: interpret(control, profile.profile) === 'accepted', controlSummary: describeObservation(control) }) };
  });
  return buildReport({
    target: { kind: 'url', url: 'https://127.0.0.1:8443' },
    profile: { name: profile.profile.name, sha256: profile.sha256, source: profile.source },
    startedAt: new Date('2026-01-02T03:04:05Z'),
    durationMs: 1500,
    results,
  });
}

/** A report directory as a run leaves it: junit.xml from vitest, then writeReportDir. */
async function makeDir(report = makeReport()): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'mtls-report-dir-'));
  writeFileSync(join(dir, 'junit.xml'), '<?xml version="1.0"?><testsuites name="mtls-conformance"/>\n');
  await writeReportDir(dir, report, { ...loaded, stepSummary: null, finishedAt: new Date('2026-01-02T03:04:07Z') });
  return dir;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const writeJson = (path: string, v: unknown) => writeFileSync(path, JSON.stringify(v, null, 2) + '\n');

/** Rewrite a file and record its new hash in the manifest: a tamperer who knows the format. */
function rehash(dir: string, name: string): void {
  const m = readJson<Manifest>(join(dir, 'manifest.json'));
  m.files[name] = sha256Hex(readFileSync(join(dir, name)));
  writeJson(join(dir, 'manifest.json'), m);
}

describe('writeReportDir', () => {
  test('writes report.json, report.md, report.html and a manifest of every file with the whole profile', async () => {
    const report = makeReport();
    expect(report.summary).toMatchObject({ pass: 2, fail: 1, inconclusive: 1, skip: 1, verdict: 'non-conformant' });
    const dir = await makeDir(report);
    const m = readJson<Manifest>(join(dir, 'manifest.json'));
    expect(Object.keys(m.files)).toEqual(['junit.xml', 'report.html', 'report.json', 'report.md']);
    for (const [name, hash] of Object.entries(m.files)) expect(sha256Hex(readFileSync(join(dir, name)))).toBe(hash);
    expect(m).toMatchObject({
      manifestVersion: 1,
      tool: { name: 'mtls-conformance', node: process.versions.node, openssl: process.versions.openssl },
      target: { kind: 'url', url: 'https://127.0.0.1:8443' },
      profile: { name: 'intermediate', source: 'builtin:intermediate', sha256: loaded.sha256 },
      startedAt: '2026-01-02T03:04:05.000Z',
      finishedAt: '2026-01-02T03:04:07.000Z',
    });
    expect(m.profile.resolved).toEqual(loaded.profile);
    expect(readJson(join(dir, 'report.json'))).toEqual(report);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('NON-CONFORMANT');
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  test('appends report.md to the step summary without overwriting it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtls-report-dir-'));
    const summary = join(dir, '..', `${dir.split('/').pop()}-step-summary.md`);
    writeFileSync(summary, '# earlier step\n');
    await writeReportDir(dir, makeReport(), { ...loaded, stepSummary: summary });
    await writeReportDir(dir, makeReport(), { ...loaded, stepSummary: summary });
    const text = readFileSync(summary, 'utf8');
    expect(text.startsWith('# earlier step\n## ❌ NON-CONFORMANT')).toBe(true);
    expect(text.match(/## ❌ NON-CONFORMANT/g)).toHaveLength(2);
    rmSync(summary);
  });

  test('refuses a profile other than the one the report was judged with', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtls-report-dir-'));
    const modern = loadProfile('modern');
    await expect(writeReportDir(dir, makeReport(), { ...modern, stepSummary: null })).rejects.toThrow(/not the one the report was judged with/);
  });

  test('removes a manifest.sig left by an earlier run', async () => {
    const dir = await makeDir();
    const { privateKey } = generateKeyPairSync('ed25519');
    await signManifest(dir, String(privateKey.export({ type: 'pkcs8', format: 'pem' })));
    await writeReportDir(dir, makeReport(), { ...loaded, stepSummary: null });
    expect(existsSync(join(dir, 'manifest.sig'))).toBe(false);
  });
});

describe('writing into a directory that holds symbolic links', () => {
  test('a link named like a report file is replaced by the file, never written through: what it points at is untouched', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'mtls-outside-'));
    const dir = mkdtempSync(join(tmpdir(), 'mtls-report-dir-'));
    const plant = (name: string) => {
      writeFileSync(join(outside, name), `precious ${name}\n`);
      rmSync(join(dir, name), { force: true });
      symlinkSync(join(outside, name), join(dir, name));
    };
    const names = ['report.json', 'junit.xml', 'report.html', 'manifest.json', 'container.log'];
    for (const name of names) plant(name);
    // A dangling link: writing through it would create a file outside.
    symlinkSync(join(outside, 'created-through-link'), join(dir, 'report.md'));

    await saveTargetLog(dir, 'container says hi\n');
    await writeReportDir(dir, makeReport(), { ...loaded, stepSummary: null });
    // manifest.sig: planted after writeReportDir (which removes an old signature), then signed.
    plant('manifest.sig');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    await signManifest(dir, String(privateKey.export({ type: 'pkcs8', format: 'pem' })));

    for (const name of [...names, 'manifest.sig']) {
      expect(readFileSync(join(outside, name), 'utf8'), name).toBe(`precious ${name}\n`);
      expect(lstatSync(join(dir, name)).isFile(), name).toBe(true);
    }
    expect(existsSync(join(outside, 'created-through-link'))).toBe(false);
    expect(lstatSync(join(dir, 'report.md')).isFile()).toBe(true);
    expect(readFileSync(join(dir, 'container.log'), 'utf8')).toBe('container says hi\n');
    // No temporary file is left behind, and the directory verifies as written.
    expect(readdirSync(dir).sort()).toEqual([...names, 'manifest.sig', 'report.md'].sort());
    expect((await verifyReportDir(dir, { publicKey })).differences).toEqual([]);
  });
});

describe('verifyReportDir', () => {
  test('a directory as written verifies, saying what it checked', async () => {
    const dir = await makeDir();
    const out = await verifyReportDir(dir);
    expect(out.differences).toEqual([]);
    expect(out.summary).toMatch(/^ok: .*: 4 files match manifest.json; 5 verdicts re-judged under profile intermediate \(sha256 [0-9a-f]{12}\) by mtls-conformance \S+ agree \(non-conformant\)$/);
  });

  test('an edited verdict is named, even when the tamperer rehashes report.json', async () => {
    const dir = await makeDir();
    const report = readJson<Report>(join(dir, 'report.json'));
    report.results.find((r) => r.id === 'server/client-auth/no-cert')!.verdict = 'pass';
    writeJson(join(dir, 'report.json'), report);
    expect((await verifyReportDir(dir)).differences).toEqual([
      expect.stringMatching(/^report.json: SHA-256 \w+… does not match manifest.json \(\w+…\): the file was changed$/),
      'server/client-auth/no-cert: verdict recorded "pass", re-judged "fail" (accepted (HTTP 200) but must be refused: Mutual TLS means a client without a certificate is not authenticated; the server must abort (certificate_required) or answer with a refusal.)',
    ]);
    rehash(dir, 'report.json');
    expect((await verifyReportDir(dir)).differences).toEqual([expect.stringMatching(/^server\/client-auth\/no-cert: verdict recorded "pass", re-judged "fail"/)]);
  });

  test('an edited summary, severity or observation is named', async () => {
    const dir = await makeDir();
    const report = readJson<Report>(join(dir, 'report.json'));
    report.summary.verdict = 'conformant';
    report.results.find((r) => r.id === 'server/client-auth/expired')!.severity = 'info';
    report.results.find((r) => r.id === 'server/client-auth/untrusted-ca')!.observed = obs('tcp-reset');
    writeJson(join(dir, 'report.json'), report);
    rehash(dir, 'report.json');
    expect((await verifyReportDir(dir)).differences).toEqual([
      'server/client-auth/untrusted-ca: verdict recorded "inconclusive", re-judged "pass" (refused (TCP reset))',
      'server/client-auth/expired: severity recorded "info", the profile gives "required"',
      'report.json: summary.pass recorded 2, re-judged 3',
      'report.json: summary.inconclusive recorded 1, re-judged 0',
      'report.json: summary.verdict recorded "conformant", re-judged "non-conformant"',
    ]);
  });

  test('a changed profile is named: in the manifest, and against the report', async () => {
    const dir = await makeDir();
    const m = readJson<Manifest>(join(dir, 'manifest.json'));
    m.profile.resolved.rejection.httpStatuses.push(200);
    writeJson(join(dir, 'manifest.json'), m);
    const diffs = (await verifyReportDir(dir)).differences;
    expect(diffs[0]).toMatch(/^manifest.json: profile "intermediate" hashes to \w+…, not the recorded sha256 \w+…: the profile was changed$/);
    // Under the edited profile HTTP 200 is a refusal: the re-judged verdicts say so too.
    expect(diffs).toContainEqual(expect.stringMatching(/^server\/client-auth\/valid: verdict recorded "pass", re-judged "fail"/));

    // Hash updated as well: now the report's profile hash no longer matches.
    const { profileHash } = await import('../profile/load.js');
    m.profile.sha256 = profileHash(m.profile.resolved);
    writeJson(join(dir, 'manifest.json'), m);
    expect((await verifyReportDir(dir)).differences).toContainEqual(expect.stringMatching(/^report.json: profile sha256 \w+… differs from manifest.json \(\w+…\)$/));
  });

  test('a missing, an added and a changed file are each named', async () => {
    const dir = await makeDir();
    rmSync(join(dir, 'junit.xml'));
    writeFileSync(join(dir, 'extra.txt'), 'x');
    writeFileSync(join(dir, 'report.md'), 'all good, honest\n');
    expect((await verifyReportDir(dir)).differences).toEqual([
      'junit.xml: missing (manifest.json lists it)',
      expect.stringMatching(/^report.md: SHA-256 .* the file was changed$/),
      'extra.txt: not listed in manifest.json',
    ]);
  });

  test('a manifest that drops a report file, or lists a path outside the directory, is named', async () => {
    const dir = await makeDir();
    const m = readJson<Manifest>(join(dir, 'manifest.json'));
    delete m.files['report.html'];
    m.files['../etc/passwd'] = 'x';
    writeJson(join(dir, 'manifest.json'), m);
    expect((await verifyReportDir(dir)).differences).toEqual([
      'manifest.json: lists "../etc/passwd", which is not a file inside the directory',
      'report.html: not listed in manifest.json',
    ]);
    rmSync(join(dir, 'report.html'));
    expect((await verifyReportDir(dir)).differences).toContain('report.html: missing, and not listed in manifest.json');
  });

  test('with a public key: the signature must be there and verify', async () => {
    const dir = await makeDir();
    const signer = generateKeyPairSync('ed25519');
    const pub = readPublicKey(String(signer.publicKey.export({ type: 'spki', format: 'pem' })), '--pubkey');
    expect((await verifyReportDir(dir, { publicKey: pub })).differences).toEqual(['manifest.sig: missing, but --pubkey asks for a signed manifest']);
    await signManifest(dir, String(signer.privateKey.export({ type: 'pkcs8', format: 'pem' })));
    const good = await verifyReportDir(dir, { publicKey: pub });
    expect(good.differences).toEqual([]);
    expect(good.summary).toMatch(/; signature valid \(ed25519\)$/);
    expect((await verifyReportDir(dir)).summary).toMatch(/; manifest.sig not checked \(pass --pubkey\)$/);
    const other = readPublicKey(String(generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' })), '--pubkey');
    expect((await verifyReportDir(dir, { publicKey: other })).differences).toEqual(['manifest.sig: the signature does not verify with --pubkey over manifest.json']);
  });

  test('a report.json that is not a report is a difference, not a crash', async () => {
    const dir = await makeDir();
    writeJson(join(dir, 'report.json'), { ...makeReport(), results: [null] });
    rehash(dir, 'report.json');
    expect((await verifyReportDir(dir)).differences).toEqual([expect.stringMatching(/^report.json: its results cannot be re-judged \(/)]);
  });

  test('no directory or no manifest is a usage error (exit 2), not a difference', async () => {
    await expect(verifyReportDir(join(tmpdir(), 'mtls-no-such-dir-xyz'))).rejects.toMatchObject({ code: 'verify-dir-unreadable', exitCode: 2 });
    const empty = mkdtempSync(join(tmpdir(), 'mtls-report-dir-'));
    await expect(verifyReportDir(empty)).rejects.toMatchObject({ code: 'verify-no-manifest', exitCode: 2 });
  });
});

describe('rejudgeReport', () => {
  test('agrees with the judge on a report it made, and names an unknown case', () => {
    const report = makeReport();
    expect(rejudgeReport(report, loaded.profile)).toEqual([]);
    report.results.push({ ...report.results[0]!, id: 'server/client-auth/made-up' });
    expect(rejudgeReport(report, loaded.profile)[0]).toMatch(/^server\/client-auth\/made-up: not a case of mtls-conformance/);
  });
});
