import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generate } from '../../certs/generate.js';
import { specOf } from '../../certs/spec.js';
import { alertFromError } from '../../harness/tls/alerts.js';
import { probeVersion, sweepSuites, type SweepResult } from '../../harness/probes/cipher-sweep.js';
import type { HelloVersion } from '../../harness/probes/raw-hello.js';
import { SUITE_CODES, suiteByCode, suiteFitsVersion, suiteName, suiteTraits, type SuiteCode } from '../../harness/tls/suite-codes.js';
import { CLI, runCli } from '../helpers/cli.js';
import { findNginx, findOpenssl, HOST, startNginx, startOpensslServer, versionOf, type StartedPeer } from '../helpers/peers.js';

/**
 * The raw ClientHello prober (harness/probes/raw-hello.ts, cipher-sweep.ts) against real servers:
 * Debian's nginx and `openssl s_server` (OpenSSL 3.0, which has no RC4, 3DES, DES or EXPORT).
 * It must see what they accept, and agree with a node:tls handshake (OpenSSL 3.5) on every
 * suite and version both can express. Needs nginx and openssl: scripts/install-peers.sh.
 */

const NGINX = findNginx();
const OPENSSL = findOpenssl();
const IN_CI = Boolean(process.env.CI) && !/^(false|0)$/i.test(process.env.CI ?? '');
const MISSING = 'nginx or openssl is not installed: run scripts/install-peers.sh as root (apt) to run the raw ClientHello tests';

if (!NGINX || !OPENSSL) {
  if (IN_CI) {
    test('nginx and openssl are installed (required when CI is set)', () => {
      throw new Error(`${MISSING}. CI is set, so a missing peer is a failure, not a skip.`);
    });
  } else {
    console.warn(`test/integration/raw-hello.test.ts: SKIPPED, ${MISSING}.`);
  }
}

const T = 60_000;
const VERSIONS: HelloVersion[] = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const ALL_CODES = SUITE_CODES.map((s) => s.code);
const TLS12_AND_BELOW = SUITE_CODES.filter((s) => suiteTraits(s.name).kx !== 'tls13');
const TLS13 = SUITE_CODES.filter((s) => suiteTraits(s.name).kx === 'tls13');

const names = (codes: number[]) => codes.map((c) => suiteName(c) ?? `0x${c.toString(16)}`).sort();
const explainSweep = (s: SweepResult) => s.probes.map((p) => `  ${p.name}: ${p.verdict} (${p.reason})`).join('\n');

// --- node:tls as the second opinion

type NodeAnswer =
  | { outcome: 'accepted'; protocol: string; suite: string; detail: string }
  /** The server said no: an alert from it, a close, or an answer in another version. */
  | { outcome: 'refused'; detail: string }
  /** Node's OpenSSL cannot offer this (unknown name, or not defined at this version): no question was asked. */
  | { outcome: 'inexpressible'; detail: string }
  /** Node gave up on its own after the server answered: node:tls cannot tell what the server chose. */
  | { outcome: 'aborted'; detail: string };

/** Local OpenSSL errors that mean the server answered with a version other than the one pinned. */
const VERSION_REFUSALS = /^ERR_SSL_(UNSUPPORTED_PROTOCOL|WRONG_VERSION_NUMBER|VERSION_TOO_LOW|TLSV1_ALERT_PROTOCOL_VERSION)$/;
const NOTHING_TO_OFFER = /^ERR_SSL_(NO_CIPHERS_AVAILABLE|NO_CIPHER_MATCH|NO_PROTOCOLS_AVAILABLE)$/;

interface ClientMaterial {
  cert: string;
  key: string;
}

/** One node:tls handshake pinned to `version` and `ciphers`, at security level 0 so legacy is allowed. */
function nodeHandshake(port: number, version: Exclude<HelloVersion, 'SSLv3'>, ciphers: string, client?: ClientMaterial): Promise<NodeAnswer> {
  const options: tls.ConnectionOptions = {
    host: HOST,
    port,
    minVersion: version,
    maxVersion: version,
    ciphers,
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
    ...(client ?? {}),
  };
  try {
    tls.createSecureContext({ ciphers, minVersion: version, maxVersion: version });
  } catch (err) {
    return Promise.resolve({ outcome: 'inexpressible', detail: `${(err as NodeJS.ErrnoException).code}: ${(err as Error).message}` });
  }
  return new Promise((resolve) => {
    let socket: tls.TLSSocket | undefined;
    const done = (answer: NodeAnswer) => {
      clearTimeout(timer);
      socket?.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done({ outcome: 'aborted', detail: 'no answer within 5000 ms' }), 5000);
    try {
      socket = tls.connect(options);
    } catch (err) {
      return done({ outcome: 'inexpressible', detail: `${(err as NodeJS.ErrnoException).code}: ${(err as Error).message}` });
    }
    const s = socket;
    s.once('secureConnect', () => {
      const cipher = s.getCipher();
      done({ outcome: 'accepted', protocol: s.getProtocol() ?? '?', suite: cipher.standardName, detail: `${s.getProtocol()} ${cipher.standardName}` });
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      const detail = `${code}: ${err.message}`;
      if (NOTHING_TO_OFFER.test(code)) return done({ outcome: 'inexpressible', detail });
      if (alertFromError(err) || VERSION_REFUSALS.test(code) || code === 'ECONNRESET') return done({ outcome: 'refused', detail });
      done({ outcome: 'aborted', detail });
    });
    s.once('close', () => done({ outcome: 'refused', detail: 'closed before the handshake finished' }));
  });
}

/** The ciphers option for one suite: node:tls takes TLS 1.3 names there too (PLATFORM.md). */
function nodeCiphers(suite: SuiteCode): string {
  // A TLS 1.2 name keeps the @SECLEVEL=0 in the 1.2 list (which a 1.3-only client never offers);
  // without it OpenSSL 3.5 will not offer TLS_AES_128_CCM_8_SHA256 (64-bit tag).
  return suiteTraits(suite.name).kx === 'tls13' ? `${suite.openssl}:AES128-SHA:@SECLEVEL=0` : `${suite.openssl}:@SECLEVEL=0`;
}

interface Agreement {
  compared: string[];
  inexpressible: string[];
  aborted: string[];
}

/**
 * For every suite at `version`: the raw prober's verdict (one suite per ClientHello) and a
 * node:tls handshake offering that suite alone. Asserts agreement suite by suite.
 */
async function assertAgreement(peer: StartedPeer, version: Exclude<HelloVersion, 'SSLv3'>, suites: readonly SuiteCode[], opts: { client?: ClientMaterial; concurrency?: number } = {}): Promise<Agreement> {
  const sweep = await sweepSuites({ host: HOST, port: peer.port, version, suites: suites.map((s) => s.code), concurrency: opts.concurrency ?? 8, timeoutMs: 5000 });
  expect(sweep.inconclusive, `${peer.name} ${version}: inconclusive probes\n${explainSweep(sweep)}`).toEqual([]);
  const result: Agreement = { compared: [], inexpressible: [], aborted: [] };
  for (const probe of sweep.probes) {
    const suite = suiteByCode(probe.suite)!;
    const node: NodeAnswer = suite.openssl ? await nodeHandshake(peer.port, version, nodeCiphers(suite), opts.client) : { outcome: 'inexpressible', detail: 'OpenSSL never had this suite' };
    const label = `${peer.name} ${version} ${suite.name}: raw prober says ${probe.verdict} (${probe.reason}), node:tls says ${node.outcome} (${node.detail})`;
    if (node.outcome === 'inexpressible') {
      // Node can offer every suite its OpenSSL knows at every version where the suite exists:
      // "inexpressible" must come from the name, never from our idea of which version fits.
      expect(suiteFitsVersion(suite.name, version) && /NO_CIPHERS_AVAILABLE/.test(node.detail), `${label}: fits ${version} but node could not offer it`).toBe(false);
      result.inexpressible.push(suite.name);
      continue;
    }
    if (node.outcome === 'aborted') {
      result.aborted.push(suite.name);
      continue;
    }
    expect(probe.verdict === 'accepted', label).toBe(node.outcome === 'accepted');
    if (node.outcome === 'accepted') {
      expect(node.suite, label).toBe(suite.name);
      expect(node.protocol, label).toBe(version);
    }
    result.compared.push(suite.name);
  }
  return result;
}

/** probeVersion for every version, and node:tls for the ones it can speak; they must agree. */
async function versionsAccepted(peer: StartedPeer, client?: ClientMaterial): Promise<Record<HelloVersion, boolean>> {
  const out = {} as Record<HelloVersion, boolean>;
  for (const version of VERSIONS) {
    const raw = await probeVersion({ host: HOST, port: peer.port, version, timeoutMs: 5000 });
    expect(raw.verdict, `${peer.name} ${version}: ${raw.reason}`).not.toBe('inconclusive');
    out[version] = raw.accepted;
    if (version === 'SSLv3') continue; // node:tls has no SSLv3 at all
    const node = await nodeHandshake(peer.port, version, version === 'TLSv1.3' ? 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256' : 'ALL:@SECLEVEL=0', client);
    expect(node.outcome, `${peer.name} ${version}: raw prober says ${raw.verdict} (${raw.reason}), node:tls says ${node.outcome} (${node.detail})`).toBe(raw.accepted ? 'accepted' : 'refused');
  }
  return out;
}

// What Debian's nginx 1.22 / OpenSSL 3.0 accepts with `ssl_ciphers 'ALL:@SECLEVEL=0'`, an ECDSA
// P-256 and an RSA-2048 certificate, and no ssl_dhparam.
/** TLS 1.0 and 1.1: SHA-1 CBC suites only (no AEAD, no SHA-256 MACs before TLS 1.2). */
const LEGACY_NGINX_TLS10 = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  'TLS_RSA_WITH_AES_128_CBC_SHA',
  'TLS_RSA_WITH_AES_256_CBC_SHA',
  'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA',
  'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA',
  // ALL includes aNULL: anonymous ECDH is on offer (DH_anon is not, for want of DH parameters).
  'TLS_ECDH_anon_WITH_AES_128_CBC_SHA',
  'TLS_ECDH_anon_WITH_AES_256_CBC_SHA',
].sort();

const LEGACY_NGINX_TLS12 = [
  ...LEGACY_NGINX_TLS10,
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_CCM',
  'TLS_ECDHE_ECDSA_WITH_AES_256_CCM',
  'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8',
  'TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8',
  'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384',
  'TLS_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_RSA_WITH_AES_128_CCM',
  'TLS_RSA_WITH_AES_256_CCM',
  'TLS_RSA_WITH_AES_128_CCM_8',
  'TLS_RSA_WITH_ARIA_128_GCM_SHA256',
  'TLS_RSA_WITH_ARIA_256_GCM_SHA384',
  'TLS_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_RSA_WITH_AES_256_CBC_SHA256',
  'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256',
  'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256',
].sort();

const MODERN_CIPHERS = 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305';
const MODERN_NGINX_TLS12 = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
].sort();
/** OpenSSL's default TLS 1.3 ciphersuites: the CCM ones are off unless configured. */
const MODERN_NGINX_TLS13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'].sort();

/** `openssl s_server -tls1 -cipher 'ALL:@SECLEVEL=0'`: s_server has built-in DH parameters, so DHE and DH_anon work too. */
const S_SERVER_TLS10 = [
  ...LEGACY_NGINX_TLS10,
  'TLS_DHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_DHE_RSA_WITH_AES_256_CBC_SHA',
  'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA',
  'TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA',
  'TLS_DH_anon_WITH_AES_128_CBC_SHA',
  'TLS_DH_anon_WITH_AES_256_CBC_SHA',
  'TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA',
].sort();

describe.skipIf(!NGINX || !OPENSSL)(`raw ClientHello prober against real servers${NGINX && OPENSSL ? ` (${versionOf(NGINX, ['-v'])}, ${versionOf(OPENSSL, ['version'])})` : ''}`, () => {
  let root: string;
  let certsDir: string;
  let rsaCert: string;
  let rsaKey: string;
  let client: ClientMaterial;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build; npm test does it).`);
    root = await mkdtemp(join(tmpdir(), 'mtls-raw-hello-test-'));
    certsDir = join(root, 'certs');
    mkdirSync(certsDir, { recursive: true });
    const init = await runCli(['certs', 'init', certsDir]);
    expect(init.code, `certs init failed:\n${init.stdout}\n${init.stderr}`).toBe(0);
    // `certs init` makes ECDSA certificates only; static-RSA and ECDHE-RSA suites need an RSA one.
    const rsa = await generate(specOf({ name: 'target/rsa', issuer: 'self', key: 'rsa-2048', subject: 'CN=127.0.0.1', sans: [{ type: 'ip', value: HOST }], eku: ['serverAuth'] }));
    rsaCert = join(root, 'rsa-cert.pem');
    rsaKey = join(root, 'rsa-key.pem');
    await writeFile(rsaCert, rsa.certPem);
    await writeFile(rsaKey, rsa.keyPem, { mode: 0o600 });
    client = { cert: await readFile(join(certsDir, 'client', 'valid.pem'), 'utf8'), key: await readFile(join(certsDir, 'private', 'client', 'valid-key.pem'), 'utf8') };
  }, T);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  const rsaDirectives = () => [`ssl_certificate ${rsaCert};`, `ssl_certificate_key ${rsaKey};`];
  const legacyNginx = () => startNginx({ certsDir, verifyClient: 'off', protocols: ['TLSv1', 'TLSv1.1', 'TLSv1.2'], extraServerDirectives: [...rsaDirectives(), "ssl_ciphers 'ALL:@SECLEVEL=0';"] });
  const modernNginx = () => startNginx({ certsDir, verifyClient: 'off', protocols: ['TLSv1.2', 'TLSv1.3'], extraServerDirectives: [...rsaDirectives(), `ssl_ciphers '${MODERN_CIPHERS}';`] });
  const tls1Server = () => startOpensslServer({ certsDir, args: ['-tls1', '-cipher', 'ALL:@SECLEVEL=0', '-dcert', rsaCert, '-dkey', rsaKey] });

  test("the suite table's code points are OpenSSL's", () => {
    const out = spawnSync(OPENSSL!, ['ciphers', '-V', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], { encoding: 'utf8', timeout: 5000 });
    expect(out.status, out.stderr).toBe(0);
    const theirs = new Map<number, string>();
    for (const m of out.stdout.matchAll(/0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)/g)) theirs.set(parseInt(m[1] + m[2], 16), m[3]);
    const byName = new Map([...theirs].map(([c, n]) => [n, c]));
    let matched = 0;
    for (const s of SUITE_CODES) {
      if (theirs.has(s.code)) {
        expect(theirs.get(s.code), `${s.name} 0x${s.code.toString(16)}`).toBe(s.openssl);
        matched++;
      }
      if (s.openssl && byName.has(s.openssl)) expect(byName.get(s.openssl), s.openssl).toBe(s.code);
    }
    expect(matched).toBeGreaterThanOrEqual(60);
  });

  test('versions: SSLv3 refused everywhere; TLS 1.0 by legacy nginx and s_server -tls1 only; node:tls agrees', { timeout: T }, async () => {
    {
      await using nginx = await legacyNginx();
      expect(await versionsAccepted(nginx), await nginx.logs()).toEqual({ SSLv3: false, TLSv1: true, 'TLSv1.1': true, 'TLSv1.2': true, 'TLSv1.3': false });
      // OpenSSL 3.0 is built without SSLv3: a 3.0 ClientHello gets handshake_failure, not protocol_version.
      expect((await probeVersion({ host: HOST, port: nginx.port, version: 'SSLv3' })).observation).toMatchObject({ kind: 'alert', code: 40 });
      expect((await probeVersion({ host: HOST, port: nginx.port, version: 'TLSv1.3' })).observation).toMatchObject({ kind: 'alert', code: 70 });
    }
    {
      await using nginx = await modernNginx();
      expect(await versionsAccepted(nginx), await nginx.logs()).toEqual({ SSLv3: false, TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true });
      expect((await probeVersion({ host: HOST, port: nginx.port, version: 'TLSv1' })).observation).toMatchObject({ kind: 'alert', code: 70, name: 'protocol_version' });
      // RFC 8446 §4.1.3: a 1.3-capable server marks the random of a 1.2 answer.
      expect((await probeVersion({ host: HOST, port: nginx.port, version: 'TLSv1.2' })).observation).toMatchObject({ kind: 'server-hello', downgradeSentinel: 'TLSv1.2' });
    }
    {
      await using server = await tls1Server();
      expect(await versionsAccepted(server, client), await server.logs()).toEqual({ SSLv3: false, TLSv1: true, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': false });
      // RFC 5246 §E.1: asked for 1.2, a 1.0-only server answers 1.0; that is not acceptance of 1.2.
      expect((await probeVersion({ host: HOST, port: server.port, version: 'TLSv1.2' })).observation).toMatchObject({ kind: 'server-hello', version: 'TLSv1' });
    }
  });

  test("legacy nginx ('ALL:@SECLEVEL=0'): CBC, static RSA and anonymous ECDH accepted; RC4, 3DES, DES, EXPORT, NULL refused", { timeout: T }, async () => {
    await using nginx = await legacyNginx();
    const sweeps: Record<string, SweepResult> = {};
    for (const version of ['TLSv1', 'TLSv1.1', 'TLSv1.2'] as const) {
      const sweep = await sweepSuites({ host: HOST, port: nginx.port, version, suites: ALL_CODES, concurrency: 8, timeoutMs: 5000 });
      expect(sweep.inconclusive, explainSweep(sweep)).toEqual([]);
      sweeps[version] = sweep;
    }
    expect(names(sweeps.TLSv1.accepted), explainSweep(sweeps.TLSv1)).toEqual(LEGACY_NGINX_TLS10);
    expect(names(sweeps['TLSv1.1'].accepted), explainSweep(sweeps['TLSv1.1'])).toEqual(LEGACY_NGINX_TLS10);
    expect(names(sweeps['TLSv1.2'].accepted), explainSweep(sweeps['TLSv1.2'])).toEqual(LEGACY_NGINX_TLS12);

    // What node:tls cannot even offer is refused, by the server's own alert.
    const unofferable = SUITE_CODES.filter((s) => suiteTraits(s.name).weaknesses.some((w) => ['rc4', '3des', 'des', 'export', 'null'].includes(w)));
    expect(unofferable.length).toBeGreaterThanOrEqual(25);
    for (const version of ['TLSv1', 'TLSv1.2'] as const) {
      for (const s of unofferable) {
        const probe = sweeps[version].probes.find((p) => p.suite === s.code)!;
        expect(probe.observation, `${version} ${s.name}: ${probe.reason}`).toMatchObject({ kind: 'alert', level: 'fatal', code: 40, name: 'handshake_failure' });
      }
    }
  });

  test('legacy nginx: the raw prober and node:tls agree on every suite at TLS 1.0, 1.1 and 1.2', { timeout: T }, async () => {
    await using nginx = await legacyNginx();
    for (const version of ['TLSv1', 'TLSv1.1', 'TLSv1.2'] as const) {
      const a = await assertAgreement(nginx, version, TLS12_AND_BELOW);
      expect(a.aborted, `${version}: node gave up after the server answered`).toEqual([]);
      // Suites node:tls knows and that exist at this version: 24 at TLS 1.0/1.1, 65 at 1.2.
      expect(a.compared.length, `${version} compared ${a.compared.join(' ')}`).toBe(version === 'TLSv1.2' ? 65 : 24);
      expect(a.compared.filter((n) => LEGACY_NGINX_TLS12.includes(n)).length).toBeGreaterThanOrEqual(10);
    }
  });

  test('modern nginx (TLS 1.2 and 1.3, ECDHE AEAD only): exact sets, and agreement with node:tls', { timeout: T }, async () => {
    await using nginx = await modernNginx();
    const s10 = await sweepSuites({ host: HOST, port: nginx.port, version: 'TLSv1', suites: ALL_CODES });
    expect(s10.accepted, explainSweep(s10)).toEqual([]);
    const s12 = await sweepSuites({ host: HOST, port: nginx.port, version: 'TLSv1.2', suites: ALL_CODES });
    expect(names(s12.accepted), explainSweep(s12)).toEqual(MODERN_NGINX_TLS12);
    const s13 = await sweepSuites({ host: HOST, port: nginx.port, version: 'TLSv1.3', suites: TLS13.map((s) => s.code) });
    expect(names(s13.accepted), explainSweep(s13)).toEqual(MODERN_NGINX_TLS13);

    const a12 = await assertAgreement(nginx, 'TLSv1.2', TLS12_AND_BELOW);
    const a13 = await assertAgreement(nginx, 'TLSv1.3', TLS13);
    expect([...a12.aborted, ...a13.aborted]).toEqual([]);
    expect(a12.compared.length).toBe(65);
    expect(a13.compared.sort()).toEqual(TLS13.map((s) => s.name).sort());
  });

  test('openssl s_server -tls1 (mutual TLS): exact set at TLS 1.0, agreement with node:tls; anonymous suites are accepted but cannot complete', { timeout: T }, async () => {
    await using server = await tls1Server();
    // -www serves one connection at a time.
    const sweep = await sweepSuites({ host: HOST, port: server.port, version: 'TLSv1', suites: ALL_CODES, concurrency: 2 });
    expect(sweep.inconclusive, explainSweep(sweep)).toEqual([]);
    expect(names(sweep.accepted), explainSweep(sweep)).toEqual(S_SERVER_TLS10);

    // s_server requires a client certificate: node presents one, or every handshake fails after the ServerHello.
    const a = await assertAgreement(server, 'TLSv1', TLS12_AND_BELOW, { client, concurrency: 2 });
    expect(a.compared.length).toBeGreaterThanOrEqual(19);
    // OpenSSL's server sends a CertificateRequest in an anonymous handshake when the client
    // certificate is mandatory (against RFC 5246 §7.4.4); node's OpenSSL 3.5 client rejects that
    // with unexpected_message. The server did accept the suite, as the raw prober reports; node
    // cannot tell, so these are the only suites left out of the comparison.
    expect(a.aborted.sort()).toEqual(S_SERVER_TLS10.filter((n) => n.includes('_anon_')));
  });
});
