import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, runCli, verdictsOf } from '../helpers/cli.js';
import { findNginx, findOpenssl, have, runConformance, startNginx, startOpensslServer } from '../helpers/peers.js';
import { buildCrl } from '../../certs/crl.js';

/**
 * client/revocation against real clients, and the revocation material (issue 16 §3) loaded by each
 * client that is installable here. What each client did was first seen by hand (curl 7.88.1 and
 * OpenSSL 3.0.19, gnutls-cli 3.7.9, GNU Wget 1.21.3 built on GnuTLS, Python 3 ssl on OpenSSL 3,
 * OpenJDK 17.0.15, Node 24) and is written above each assertion:
 * - curl --crlfile {crl}: crl-stale alert 45 (CRL has expired), the OCSP-only and silent CAs alert
 *   48 ("unable to get certificate CRL": no CRL for that CA in {crl}), must-staple accepted.
 * - curl --cert-status: every variant refused, no staple or a staple that is not "good"; must-staple too.
 * - s_client -crl_check -crl_download: fetches each leaf's CDP (the case's own intermediate), hangs
 *   on the silent CDP until killed; -crl_check_all with CA + CRLs in one -CAfile: like curl.
 * - gnutls-cli refuses to load {crl} with only {ca} ("Error in the CRL verification": each CRL must
 *   verify against the CA file); with trust/server-crl-issuers.pem it loads. It accepts a stapled
 *   "unknown", refuses a bad staple signature and a must-staple certificate without a staple, and
 *   goes on without a CRL for a CA (fail open).
 * - wget (GnuTLS): asks for a staple; refuses server/revoked, bad-signature and must-staple.
 * - Python ssl VERIFY_CRL_CHECK_CHAIN, Node's crl option: like curl --crlfile.
 * - Java (PKIXRevocationChecker PREFER_CRLS, the CRLs in a CertStore): asks for a staple, fetches
 *   CDPs, waits on the silent CDP beyond the harness's bound.
 */

const OPENSSL = findOpenssl();
const NGINX = findNginx();
const CURL = have('curl');
const GNUTLS = have('gnutls-cli');
const WGET = have('wget');
const PYTHON = have('python3');
const JAVA = have('java') && have('javac');
const T = 90_000;
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

const REVOCATION = ['client/revocation/crl-stale', 'client/revocation/ocsp-unknown', 'client/revocation/ocsp-bad-signature', 'client/revocation/ocsp-no-answer', 'client/revocation/crl-no-answer', 'client/revocation/must-staple-missing'];
const ONLY = ['--only', 'client/revocation/*', '--only', 'client/server-auth/revoked'];

let root: string;
let certsDir: string;
let javaClasses: string;

interface Result {
  id: string;
  verdict: string;
  severity: string;
  expect: string;
  reason: string;
  observed: { outcome: string; alert: { code: number; name: string } | null; revocation?: { mechanisms?: string[]; crlFetches: string[]; crlFile?: string; detail: string }; client?: { exitCode: number | null } } | null;
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build; npm test does it).`);
  root = await mkdtemp(join(tmpdir(), 'mtls-client-revocation-'));
  certsDir = join(root, 'certs');
  const init = await runCli(['certs', 'init', certsDir]);
  expect(init.code, `${init.stdout}\n${init.stderr}`).toBe(0);
  if (JAVA) {
    javaClasses = join(root, 'java');
    execFileSync('javac', ['-d', javaClasses, fixture('JavaCrlClient.java')]);
  }
}, T);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function runClient(command: string, extra: string[] = ONLY) {
  const out = await mkdtemp(join(root, 'report-'));
  const run = await runCli(['run', '--target-client', command, '--certs', certsDir, '--report-dir', out, '--timeout', '8000', ...extra], { timeoutMs: T });
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { results: Result[] };
  const byId = (id: string) => report.results.find((r) => r.id === id)!;
  return { run, verdicts: verdictsOf(report), byId };
}

const expectAll = (verdicts: Record<string, string>, verdict: string, ids: string[]) => {
  for (const id of ids) expect(verdicts[id], id).toBe(verdict);
};

describe('the revocation material', () => {
  test('{crl} holds the current CRLs only; the stale CRL goes into its case\'s own file; the CDP and OCSP URLs name each certificate', async () => {
    const bundle = await readFile(join(certsDir, 'trust', 'server-crl.pem'), 'utf8');
    const stale = await readFile(join(certsDir, 'crl', 'case', 'server.revocation.crl-stale.pem'), 'utf8');
    expect(stale.startsWith(bundle)).toBe(true);
    expect(stale.match(/BEGIN X509 CRL/g)!.length).toBe(bundle.match(/BEGIN X509 CRL/g)!.length + 1);
    if (OPENSSL) {
      const text = execFileSync(OPENSSL, ['x509', '-in', join(certsDir, 'server', 'revocation', 'ocsp-unknown.pem'), '-noout', '-ext', 'crlDistributionPoints,authorityInfoAccess'], { encoding: 'utf8' });
      // No CDP (the CA publishes no CRL), an OCSP URL under the leaf's own segment.
      expect(text).not.toContain('CRL Distribution');
      expect(text).toMatch(/OCSP - URI:http:\/\/127\.0\.0\.1:\d+\/c\/server\.revocation\.ocsp-unknown\/ocsp/);
      const staple = execFileSync(OPENSSL, ['x509', '-in', join(certsDir, 'server', 'revocation', 'must-staple-missing.pem'), '-noout', '-text'], { encoding: 'utf8' });
      expect(staple).toMatch(/TLS Feature:\s*\n\s*status_request/);
    }
  });

  test.skipIf(!GNUTLS)('gnutls-cli refuses {crl} against the root alone and loads it with trust/server-crl-issuers.pem', () => {
    const load = (ca: string) => spawnSync('gnutls-cli', ['--x509cafile', ca, '--x509crlfile', join(certsDir, 'trust', 'server-crl.pem'), '-p', '1', '127.0.0.1'], { encoding: 'utf8', timeout: 10_000 });
    expect(load(join(certsDir, 'trust', 'server-ca.pem')).stderr + load(join(certsDir, 'trust', 'server-ca.pem')).stdout).toContain('Error in the CRL verification');
    const ok = load(join(certsDir, 'trust', 'server-crl-issuers.pem'));
    expect(ok.stdout + ok.stderr).not.toContain('CRL verification');
    expect(ok.stdout + ok.stderr).toContain('Could not connect');
  });
});

describe.skipIf(!CURL)('curl', () => {
  const curl = 'curl -sS --max-time 5 --cacert {ca} --cert {cert} --key {key}';

  test('--crlfile {crl}: refuses every undetermined variant, accepts must-staple without a staple; {crl} is the case\'s own file for crl-stale', { timeout: T }, async () => {
    const { verdicts, byId } = await runClient(`${curl} --crlfile {crl} {url}`);
    expectAll(verdicts, 'pass', ['client/server-auth/valid', 'client/server-auth/revoked', ...REVOCATION.slice(0, 5)]);
    expect(verdicts['client/revocation/must-staple-missing']).toBe('fail');
    expect(byId('client/revocation/must-staple-missing').severity).toBe('recommended');
    expect(byId('client/revocation/crl-stale').observed!.alert).toEqual({ code: 45, name: 'certificate_expired' });
    expect(byId('client/revocation/crl-stale').observed!.revocation!.crlFile).toBe(join(certsDir, 'crl', 'case', 'server.revocation.crl-stale.pem'));
    expect(byId('client/revocation/ocsp-unknown').observed!.revocation!.crlFile).toBe(join(certsDir, 'trust', 'server-crl.pem'));
    // curl reads the file and asks nothing on the wire.
    for (const id of REVOCATION) expect(byId(id).observed!.revocation!.mechanisms, id).toEqual([]);
  });

  test('--cert-status: asks for a staple in every case and refuses every variant, must-staple included', { timeout: T }, async () => {
    const { verdicts, byId } = await runClient(`${curl} --cert-status {url}`);
    expectAll(verdicts, 'pass', ['client/server-auth/valid', 'client/server-auth/revoked', ...REVOCATION]);
    for (const id of REVOCATION) expect(byId(id).observed!.revocation!.mechanisms, id).toEqual(['staple-request']);
    // CURLE_SSL_INVALIDCERTSTATUS: no staple, or one that is not a verified "good".
    expect(byId('client/revocation/must-staple-missing').observed!.client!.exitCode).toBe(91);
    expect(byId('client/revocation/ocsp-bad-signature').observed!.client!.exitCode).toBe(91);
  });

  test('revocation.clientFailMode: open makes the undetermined variants info (accept); revocation.client: required fails a client that checks nothing', { timeout: T }, async () => {
    const open = join(root, 'fail-open.yaml');
    await writeFile(open, 'name: fail-open\nextends: intermediate\nrevocation:\n  client: required\n  clientFailMode: open\n');
    const soft = await runClient(`${curl} {url}`, [...ONLY, '--profile', open]);
    for (const id of REVOCATION.slice(0, 5)) expect(soft.byId(id), id).toMatchObject({ severity: 'info', expect: 'accept', verdict: 'pass' });
    expect(soft.byId('client/revocation/must-staple-missing')).toMatchObject({ severity: 'required', expect: 'reject', verdict: 'fail' });
    expect(soft.run.code).toBe(1);

    const strict = join(root, 'fail-closed.yaml');
    await writeFile(strict, 'name: fail-closed\nextends: intermediate\nrevocation:\n  client: required\n');
    const hard = await runClient(`${curl} {url}`, [...ONLY, '--profile', strict]);
    for (const id of REVOCATION) expect(hard.byId(id), id).toMatchObject({ severity: 'required', expect: 'reject', verdict: 'fail' });
    expect(hard.run.code).toBe(1);
  });
});

describe.skipIf(!OPENSSL)('openssl s_client', () => {
  test('-crl_check_all with the CA and {crl} in one -CAfile: like curl --crlfile', { timeout: T }, async () => {
    const { verdicts, byId } = await runClient(`sh ${fixture('s-client-crl-all.sh')} {host} {port} {ca} {cert} {key} {crl}`);
    expectAll(verdicts, 'pass', ['client/server-auth/valid', 'client/server-auth/revoked', ...REVOCATION.slice(0, 5)]);
    expect(verdicts['client/revocation/must-staple-missing']).toBe('fail');
    expect(byId('client/server-auth/revoked').observed!.alert).toEqual({ code: 44, name: 'certificate_revoked' });
  });

  test('-crl_check -crl_download: each case\'s CDP fetch is its own (cases run at once); the silent CDP holds it until the client is killed', { timeout: T }, async () => {
    const cmd = `sh -c 'printf "GET / HTTP/1.0\\r\\n\\r\\n" | timeout 5 openssl s_client -connect {host}:{port} -CAfile {ca} -cert {cert} -key {key} -verify_return_error -crl_check -crl_download -quiet 2>&1 | grep -q "HTTP/1.0 200"'`;
    const { verdicts, byId } = await runClient(cmd);
    expect(verdicts['client/revocation/crl-stale']).toBe('pass');
    expect(byId('client/revocation/crl-stale').observed!.revocation).toMatchObject({ mechanisms: ['cdp-fetch'], crlFetches: ['server-case-revocation-crl-stale-ca1'] });
    expect(byId('client/server-auth/revoked').observed!.revocation).toMatchObject({ mechanisms: ['cdp-fetch'], crlFetches: ['server-ca'] });
    expect(byId('client/revocation/must-staple-missing').observed!.revocation!.crlFetches).toEqual(['server-case-revocation-must-staple-missing-ca1']);
    const silent = byId('client/revocation/crl-no-answer');
    expect(silent.observed!.revocation!.detail).toContain('not answered on purpose: server-case-revocation-crl-no-answer-ca1');
    expect(silent.observed!.outcome).toBe('tcp-reset');
    // The leaf of ocsp-unknown names no CDP: nothing fetched, refused for want of a CRL.
    expect(byId('client/revocation/ocsp-unknown').observed!.revocation!.crlFetches).toEqual([]);
  });
});

describe('clients with a CRL option', () => {
  test.skipIf(!PYTHON)('Python ssl: load_verify_locations({crl}) + VERIFY_CRL_CHECK_CHAIN', { timeout: T }, async () => {
    const { verdicts } = await runClient(`python3 ${fixture('python-crl-client.py')} {host} {port}`);
    expectAll(verdicts, 'pass', ['client/server-auth/valid', 'client/server-auth/revoked', ...REVOCATION.slice(0, 5)]);
    expect(verdicts['client/revocation/must-staple-missing']).toBe('fail');
  });

  test('Node: the crl option, one entry per CRL of {crl}', { timeout: T }, async () => {
    const { verdicts } = await runClient(`${process.execPath} ${fixture('node-crl-client.mjs')} {url}`);
    expectAll(verdicts, 'pass', ['client/server-auth/valid', 'client/server-auth/revoked', ...REVOCATION.slice(0, 5)]);
    expect(verdicts['client/revocation/must-staple-missing']).toBe('fail');
  });

  test.skipIf(!GNUTLS)('gnutls-cli --x509cafile trust/server-crl-issuers.pem --x509crlfile {crl}: accepts a stapled "unknown" and a CA without CRL; refuses a bad staple and must-staple', { timeout: T }, async () => {
    const issuers = join(certsDir, 'trust', 'server-crl-issuers.pem');
    const cmd = `sh -c 'printf "GET / HTTP/1.0\\r\\n\\r\\n" | timeout 6 gnutls-cli --x509cafile ${issuers} --x509crlfile {crl} --x509certfile {cert} --x509keyfile {key} -p {port} {host} 2>&1 | grep -q "HTTP/1.0 200"'`;
    const { verdicts, byId } = await runClient(cmd);
    expectAll(verdicts, 'pass', ['client/server-auth/valid', 'client/server-auth/revoked', 'client/revocation/ocsp-bad-signature', 'client/revocation/must-staple-missing']);
    expectAll(verdicts, 'fail', ['client/revocation/ocsp-unknown', 'client/revocation/ocsp-no-answer', 'client/revocation/crl-no-answer']);
    expect(byId('client/revocation/must-staple-missing').observed!.alert).toEqual({ code: 42, name: 'bad_certificate' });
    expect(byId('client/revocation/ocsp-unknown').observed!.revocation!.mechanisms).toEqual(['staple-request']);
  });

  test.skipIf(!GNUTLS)('gnutls-cli with {ca} alone cannot load {crl}: the run stops at the control and the hint names the issuers file', { timeout: T }, async () => {
    const cmd = `sh -c 'printf "GET / HTTP/1.0\\r\\n\\r\\n" | timeout 6 gnutls-cli --x509cafile {ca} --x509crlfile {crl} -p {port} {host} | grep -q "HTTP/1.0 200"'`;
    const { run } = await runClient(cmd, ['--only', 'client/revocation/crl-stale']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('Error in the CRL verification');
    expect(run.stderr).toContain('give it trust/server-crl-issuers.pem as its CA file');
  });

  test.skipIf(!GNUTLS)('gnutls-cli --ocsp: asks the OCSP responder when there is no staple, and waits on the silent one', { timeout: T }, async () => {
    const cmd = `sh -c 'printf "GET / HTTP/1.0\\r\\n\\r\\n" | timeout 6 gnutls-cli --x509cafile {ca} --x509certfile {cert} --x509keyfile {key} --ocsp -p {port} {host} 2>&1 | grep -q "HTTP/1.0 200"'`;
    const { verdicts, byId } = await runClient(cmd, ['--only', 'client/revocation/ocsp-no-answer']);
    expect(verdicts['client/revocation/ocsp-no-answer']).toBe('pass');
    const facts = byId('client/revocation/ocsp-no-answer').observed!.revocation!;
    expect(facts.mechanisms).toEqual(['ocsp-request', 'staple-request']);
    expect(facts.detail).toContain('OCSP asked about the certificate (answered nothing: held on purpose)');
  });

  test.skipIf(!WGET)('wget --crl-file {crl} (GnuTLS build): asks for a staple; refuses revoked, a bad staple and must-staple', { timeout: T }, async () => {
    const { verdicts, byId } = await runClient('wget -q -O /dev/null --timeout=5 --tries=1 --ca-certificate={ca} --certificate={cert} --private-key={key} --crl-file={crl} {url}');
    expectAll(verdicts, 'pass', ['client/server-auth/valid', 'client/server-auth/revoked', 'client/revocation/ocsp-bad-signature', 'client/revocation/must-staple-missing']);
    expect(byId('client/revocation/must-staple-missing').observed!.revocation!.mechanisms).toEqual(['staple-request']);
  });

  test.skipIf(!JAVA)('Java: the CRLs of {crl} in a CertStore, revocation on: refuses revoked and the undetermined variants it can decide; fetches CDPs', { timeout: T }, async () => {
    const { verdicts, byId } = await runClient(`java -cp ${javaClasses} JavaCrlClient {url}`, [...ONLY, '--concurrency', '2']);
    expectAll(verdicts, 'pass', ['client/server-auth/valid', 'client/server-auth/revoked', 'client/revocation/crl-stale', 'client/revocation/ocsp-unknown', 'client/revocation/ocsp-bad-signature']);
    expect(byId('client/revocation/crl-stale').observed!.revocation!.mechanisms).toContain('cdp-fetch');
  });
});

describe.skipIf(!OPENSSL)('server targets: the openssl s_server recipe of docs/revocation.md', () => {
  test('-CAfile trust/client-ca-with-crls.pem -crl_check_all: valid accepted, revoked refused (alert 44), valid under the intermediate accepted', { timeout: T }, async () => {
    await using server = await startOpensslServer({ certsDir, args: ['-Verify', '3', '-CAfile', join(certsDir, 'trust', 'client-ca-with-crls.pem'), '-crl_check_all'] });
    const run = await runConformance(server, { certsDir, profile: 'intermediate', args: ['--only', 'server/client-auth/revoked', '--only', 'server/client-auth/valid-chain', '--concurrency', '1'] });
    const why = await run.explain();
    expect(run.verdicts, why).toMatchObject({ 'server/client-auth/valid': 'pass', 'server/client-auth/revoked': 'pass', 'server/client-auth/valid-chain': 'pass' });
    expect(run.byId['server/client-auth/revoked'].observed!.alert).toEqual({ code: 44, name: 'certificate_revoked' });
  });
});

describe('a stale CRL on a server target: the control hint names it, not trust', () => {
  /** client-ca's CRL issued 40 days ago, nextUpdate 10 days ago, and the path of the file holding client-ca.pem and it. */
  async function staleCaFile(): Promise<{ crl: string; caWithCrl: string }> {
    const ca = { certPem: await readFile(join(certsDir, 'trust', 'client-ca.pem'), 'utf8'), keyPem: await readFile(join(certsDir, 'private', 'client-ca-key.pem'), 'utf8') };
    const built = await buildCrl({ ca, revokedSerials: [], now: Date.now() - 40 * 86_400_000, validDays: 30 });
    const crl = join(root, 'stale-client-ca.crl.pem');
    const caWithCrl = join(root, 'client-ca-stale.pem');
    await writeFile(crl, built.pem);
    await writeFile(caWithCrl, ca.certPem + built.pem);
    return { crl, caWithCrl };
  }

  test.skipIf(!OPENSSL)('openssl s_server -crl_check with a stale CRL: alert 45, exit 3, the hint says the CRL is past its nextUpdate', { timeout: T }, async () => {
    const { caWithCrl } = await staleCaFile();
    await using server = await startOpensslServer({ certsDir, args: ['-CAfile', caWithCrl, '-crl_check'] });
    const run = await runConformance(server, { certsDir, profile: 'intermediate', args: ['--only', 'server/client-auth/revoked', '--concurrency', '1'] });
    expect(run.byId['server/client-auth/valid'].observed!.alert, await run.explain()).toEqual({ code: 45, name: 'certificate_expired' });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('past its nextUpdate');
    expect(run.stderr).not.toContain('configure it to trust');
  });

  test.skipIf(!NGINX)('nginx ssl_crl with a stale CRL: HTTP 400 with no cause in the answer; the hint lists the causes and where nginx logs which', { timeout: T }, async () => {
    const { crl } = await staleCaFile();
    await using server = await startNginx({ certsDir, verifyClient: 'on', verifyDepth: 3, extraServerDirectives: [`ssl_crl ${crl};`] });
    const run = await runConformance(server, { certsDir, profile: 'intermediate', args: ['--only', 'server/client-auth/revoked'] });
    expect(run.byId['server/client-auth/valid'].observed!.httpStatus, await run.explain()).toBe(400);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('"CRL has expired"');
    expect(await server.logs()).toContain('CRL has expired');
  });
});
