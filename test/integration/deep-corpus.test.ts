import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { findNginx, findOpenssl, have, runConformance, startNginx, startOpensslServer, type ReportResultJson } from '../helpers/peers.js';
import { DEVIATIONS, type Peer } from './deep-corpus-verdicts.js';
import { CRL_DEVIATIONS, type CrlPeer } from './deep-corpus-verdicts.js';

/**
 * The deep corpus (`--suite deep`, issue 16 §2) against real peers, family by family: the server
 * families against nginx (ssl_verify_client on, ssl_verify_depth 40) and openssl s_server (-Verify
 * 40 -verify_return_error), the client families against openssl s_client (-verify_return_error),
 * curl (--resolve {resolve}) and a Node https client (by {url}, and dialling {connect} to verify {name}). Each run asserts: no harness error, every
 * positive control (accept, required) accepted, and every verdict equal to the table checked in
 * beside this file (deep-corpus-verdicts.ts): `pass` unless the table lists the peer's deviation
 * from the standard, with the reason. Expectations are never loosened for a peer.
 */

const NGINX = findNginx();
const OPENSSL = findOpenssl();
const CURL = have('curl');
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const T = 240_000;

/** Which families each peer runs (a few peers per family keeps the CI time down). */
const RUNS: Record<Peer, string[]> = {
  nginx: ['path', 'validity', 'basic-constraints', 'path-length', 'key-usage', 'eku', 'key-identifiers', 'extensions', 'algorithms', 'name-constraints', 'path-building', 'pathological', 'encoding', 'name-smuggling'],
  's_server': ['path', 'path-length', 'name-constraints', 'path-building', 'name-smuggling'],
  's_client': ['path', 'validity', 'basic-constraints', 'path-length', 'key-usage', 'eku', 'key-identifiers', 'extensions', 'algorithms', 'name-constraints', 'hostname', 'pathological', 'encoding', 'name-smuggling'],
  curl: ['hostname', 'name-constraints-product', 'path-building', 'name-smuggling'],
  node: ['path', 'path-building', 'algorithms', 'validity'],
  // Node's https client dialling {connect} and verifying {name} itself (node-client-name.mjs).
  'node-name': ['name-smuggling'],
};

interface Report {
  results: (ReportResultJson & { family?: string })[];
}

/** The verdicts of the deep cases of some families, and what the table says they must be. */
function check(peer: Peer, role: 'server' | 'client', report: Report, explain: string): void {
  const families = new Set(RUNS[peer]);
  const deep = report.results.filter((r) => r.id.startsWith(`${role}/`) && families.has(r.id.split('/')[1]!));
  // Every family ran.
  expect(new Set(deep.map((r) => r.id.split('/')[1])), explain).toEqual(families);
  const table = DEVIATIONS[peer];
  const got: Record<string, string> = {};
  for (const r of deep) if (r.verdict !== 'pass' || table[r.id]) got[r.id] = r.verdict;
  const want = Object.fromEntries(Object.entries(table).map(([id, [verdict]]) => [id, verdict]));
  // No harness errors and nothing inconclusive: every case was observed and judged.
  expect(deep.filter((r) => r.verdict === 'error' || r.verdict === 'inconclusive').map((r) => `${r.id}: ${r.reason}`), explain).toEqual([]);
  expect(got, `${peer}: verdicts differ from deep-corpus-verdicts.ts\n${deep.filter((r) => (got[r.id] ?? 'pass') !== (want[r.id] ?? 'pass')).map((r) => `${r.id}: ${r.verdict} (${r.observed?.detail ?? r.reason})`).join('\n')}`).toEqual(want);
  // Where the table says what the peer did, the observation shows it.
  const byId = new Map(deep.map((r) => [r.id, r]));
  for (const [id, [, , seen]] of Object.entries(table)) {
    const r = byId.get(id);
    if (seen && r) expect(`${r.observed?.outcome}: ${r.observed?.detail ?? ''}`, `${peer}: ${id}`).toMatch(seen);
  }
  // The positive controls: a required acceptance that fails is listed only with its reason.
  for (const r of deep.filter((x) => x.expect === 'accept' && x.severity === 'required' && x.verdict !== 'pass')) {
    expect(table[r.id]?.[1] ?? '', `${r.id} is a required acceptance refused by ${peer} without a documented reason`).not.toBe('');
  }
}

const only = (role: 'server' | 'client', peer: Peer) => RUNS[peer].flatMap((f) => ['--only', `${role}/${f}/*`]);

describe.skipIf(!NGINX || !OPENSSL)('the deep corpus against real peers', () => {
  let root: string;
  let certsDir: string;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build).`);
    root = await mkdtemp(join(tmpdir(), 'mtls-deep-test-'));
    certsDir = join(root, 'certs');
    const init = await runCli(['certs', 'init', certsDir]);
    expect(init.code, init.stderr).toBe(0);
    // Generate the deep set once (both directions) against the embedded server: later runs reuse it.
    const warm = await runCli(['run', '--certs', certsDir, '--suite', 'deep', '--only', 'server/path/depth-0-valid', '--report-dir', join(root, 'warm'), '-q'], { timeoutMs: T });
    expect(warm.code, warm.stderr).toBe(0);
  }, T);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('server families against nginx (ssl_verify_client on, ssl_verify_depth 40)', { timeout: T }, async () => {
    await using server = await startNginx({ certsDir, verifyClient: 'on', verifyDepth: 40 });
    const run = await runConformance(server, { certsDir, profile: 'intermediate', args: ['--suite', 'deep', ...only('server', 'nginx')], timeoutMs: T });
    check('nginx', 'server', run.report as Report, await run.explain());
  });

  test('server families against openssl s_server -Verify 40 -verify_return_error', { timeout: T }, async () => {
    await using server = await startOpensslServer({ certsDir, args: ['-Verify', '40'] });
    const run = await runConformance(server, { certsDir, profile: 'intermediate', args: ['--suite', 'deep', '--concurrency', '1', ...only('server', 's_server')], timeoutMs: T });
    check('s_server', 'server', run.report as Report, await run.explain());
  });

  const client = async (peer: Peer, command: string) => {
    const out = join(root, `report-${peer}`);
    const run = await runCli(['run', '--target-client', command, '--certs', certsDir, '--suite', 'deep', '--report-dir', out, '-q', ...only('client', peer)], { timeoutMs: T });
    const explain = `$ conformance run --target-client ${command}\nexit ${run.code}\n${run.stdout}\n${run.stderr}`;
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
    check(peer, 'client', report, explain);
  };

  test('client families against openssl s_client -verify_return_error ({connect}, {name})', { timeout: T }, async () => {
    await client('s_client', `${join(FIXTURES, 's-client-name.sh')} {connect} {name} {ca} {cert} {key}`);
  });

  test.skipIf(!CURL)('client families against curl --resolve {resolve}', { timeout: T }, async () => {
    await client('curl', 'curl -sS --fail --max-time 4 --resolve {resolve} --cacert {ca} --cert {cert} --key {key} {url}');
  });

  test('client families against a Node https client', { timeout: T }, async () => {
    await client('node', `${process.execPath} ${join(FIXTURES, 'node-client.mjs')} {url}`);
  });

  test('client name families against a Node https client that dials {connect} and verifies {name}', { timeout: T }, async () => {
    await client('node-name', `${process.execPath} ${join(FIXTURES, 'node-client-name.mjs')} {connect} {name}`);
  });

  test('a client that cannot reach the .localhost name: its DNS-name cases are skipped with the reason, its address cases judged', { timeout: T }, async () => {
    // node-client.mjs resolves {url}'s host with getaddrinfo, which maps no *.localhost name here (no {resolve}).
    const out = join(root, 'report-node-names');
    const run = await runCli(['run', '--target-client', `${process.execPath} ${join(FIXTURES, 'node-client.mjs')} {url}`, '--certs', certsDir, '--suite', 'deep', '--report-dir', out, '-q', '--only', 'client/hostname/*'], { timeoutMs: T });
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
    const by = Object.fromEntries(report.results.map((r) => [r.id, r]));
    expect(by['client/hostname/dns-name-control']!.verdict, run.stderr).toBe('fail');
    expect(by['client/hostname/wildcard-leftmost']).toMatchObject({ verdict: 'skip' });
    expect(by['client/hostname/wildcard-leftmost']!.reason).toMatch(/did not reach api\.mtls-conformance\.localhost .*\{resolve\}/);
    expect(by['client/hostname/ip-control']!.verdict).toBe('pass');
    expect(by['client/hostname/ip-in-cn-only']!.verdict).toBe('pass');
  });
  // --- The crl family (harness/cases/deep/crl.ts) against peers that check every CA's CRL with the
  // deep bundle: the default CAs' CRLs and every case CA's, the shaped variants included.
  const deepTrust = (name: string) => join(certsDir, 'deep', 'trust', name);

  /** The crl cases of a run, against CRL_DEVIATIONS: verdicts, and each deviation's observation. */
  function checkCrl(peer: CrlPeer, role: 'server' | 'client', report: Report, explain: string): void {
    const control = report.results.find((r) => r.id === `${role}/${role === 'server' ? 'client' : 'server'}-auth/valid`);
    expect(control?.verdict, `${peer}: the positive control with CRL checking on\n${explain}`).toBe('pass');
    const crl = report.results.filter((r) => r.id.startsWith(`${role}/crl/`));
    expect(crl.length, explain).toBe(31);
    expect(crl.filter((r) => r.verdict === 'error' || r.verdict === 'inconclusive').map((r) => `${r.id}: ${r.reason}`), explain).toEqual([]);
    const table = CRL_DEVIATIONS[peer];
    const got = Object.fromEntries(crl.filter((r) => r.verdict !== 'pass' || table[r.id]).map((r) => [r.id, r.verdict]));
    const want = Object.fromEntries(Object.entries(table).map(([id, [verdict]]) => [id, verdict]));
    expect(got, `${peer}: crl verdicts differ from CRL_DEVIATIONS\n${crl.filter((r) => (got[r.id] ?? 'pass') !== (want[r.id] ?? 'pass')).map((r) => `${r.id}: ${r.verdict} (${r.observed?.detail ?? r.reason})`).join('\n')}`).toEqual(want);
    // Each deviation for the reason the table gives, as the peer showed it.
    for (const [id, [, , seen]] of Object.entries(table)) {
      const r = crl.find((x) => x.id === id)!;
      expect(r.observed?.detail ?? '', `${peer} ${id}`).toMatch(seen);
    }
  }

  /**
   * OpenSSL's verify errors for the CRL variants, as nginx logs them: the refusals were for the CRL,
   * not the path. A CRL whose issuingDistributionPoint scopes the certificate out is no candidate
   * for it: "unable to get certificate CRL" (the four idp-* refusals).
   */
  const NGINX_CRL_ERRORS = ['(23:certificate revoked)', '(12:CRL has expired)', '(11:CRL is not yet valid)', '(8:CRL signature failure)', '(36:unhandled critical CRL extension)', '(3:unable to get certificate CRL)', '(35:key usage does not include CRL signing)'];

  test('crl family against nginx (ssl_crl <certs>/deep/trust/client-crl.pem)', { timeout: T }, async () => {
    await using server = await startNginx({ certsDir, verifyClient: 'on', verifyDepth: 40, extraServerDirectives: [`ssl_crl ${deepTrust('client-crl.pem')};`] });
    const run = await runConformance(server, { certsDir, profile: 'intermediate', args: ['--suite', 'deep', '--only', 'server/crl/*'], timeoutMs: T });
    const explain = await run.explain();
    checkCrl('nginx-crl', 'server', run.report as Report, explain);
    // nginx answers every refusal with the same 400; its error log says why.
    const log = await server.logs();
    for (const e of NGINX_CRL_ERRORS) expect(log, `nginx error log lacks ${e}\n${explain}`).toContain(e);
  });

  test('crl family against openssl s_server -CAfile <certs>/deep/trust/client-ca-with-crls.pem -crl_check_all', { timeout: T }, async () => {
    await using server = await startOpensslServer({ certsDir, args: ['-Verify', '40', '-CAfile', deepTrust('client-ca-with-crls.pem'), '-crl_check_all'] });
    const run = await runConformance(server, { certsDir, profile: 'intermediate', args: ['--suite', 'deep', '--concurrency', '1', '--only', 'server/crl/*'], timeoutMs: T });
    checkCrl('s_server-crl', 'server', run.report as Report, await run.explain());
  });

  const crlClient = async (peer: CrlPeer, command: string) => {
    const out = join(root, `report-${peer}`);
    const run = await runCli(['run', '--target-client', command, '--certs', certsDir, '--suite', 'deep', '--report-dir', out, '-q', '--only', 'client/crl/*'], { timeoutMs: T });
    const explain = `$ conformance run --target-client ${command}\nexit ${run.code}\n${run.stdout}\n${run.stderr}`;
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
    checkCrl(peer, 'client', report, explain);
    // {crl} of a deep run is the deep bundle, and the report says so per case.
    expect(report.results.find((r) => r.id === 'client/crl/crl-expired')!.observed?.detail).toContain(`CRL file handed over (${deepTrust('server-crl.pem')})`);
  };

  test('crl family against openssl s_client -crl_check_all ({ca} and {crl} in one -CAfile)', { timeout: T }, async () => {
    await crlClient('s_client-crl', `sh ${join(FIXTURES, 's-client-crl-all.sh')} {host} {port} {ca} {cert} {key} {crl}`);
  });

  test.skipIf(!CURL)('crl family against curl --crlfile {crl}', { timeout: T }, async () => {
    await crlClient('curl-crl', 'curl -sS --fail --max-time 4 --cacert {ca} --crlfile {crl} --cert {cert} --key {key} {url}');
  });
});
