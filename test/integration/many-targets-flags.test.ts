import { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { RUN_OPTIONS, type RunOptionScope } from '../../harness/flags/run-options.js';
import { runCli } from '../helpers/cli.js';

/**
 * `run --targets-file` with every `run` flag: each one the user writes reaches every child it can
 * apply to, as written (the recorded child argv in index.json) and, where a report can show it, in
 * what the child did. The flags come from RUN_OPTIONS: a flag added later without a sample here
 * fails this test until someone proves it reaches the children too.
 */

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const dir = mkdtempSync(join(tmpdir(), 'mtls-many-flags-'));
const f = (name: string) => join(dir, name);

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA (EC P-256) made with openssl: its certificate and key files. */
function makeCa(name: string): { cert: string; key: string } {
  const cert = f(`${name}.pem`);
  const key = f(`${name}-key.pem`);
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  return { cert, key };
}

beforeAll(() => {
  const issuer = makeCa('issuer-ca');
  makeCa('own-client-ca');
  // A client certificate of the client's own, from a CA the harness does not know: only --client-cert-ca makes the reference server trust it.
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('own-client-key.pem'), '-out', f('own-client.csr'), '-subj', '/CN=own-client');
  writeFileSync(f('own-client.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  openssl('x509', '-req', '-in', f('own-client.csr'), '-CA', f('own-client-ca.pem'), '-CAkey', f('own-client-ca-key.pem'), '-CAcreateserial', '-out', f('own-client.pem'), '-days', '30', '-sha256', '-extfile', f('own-client.ext'));
  openssl('genpkey', '-algorithm', 'ed25519', '-out', f('sign-key.pem'));
  openssl('pkey', '-in', f('sign-key.pem'), '-pubout', '-out', f('sign-pub.pem'));
  writeFileSync(f('every-flag.yaml'), 'name: every-flag\nextends: intermediate\n');
  expect(existsSync(issuer.key)).toBe(true);
});

interface Sample {
  /** What the user writes for this flag in the server run and in the client run (absent: the flag cannot apply there). */
  server?: string[];
  client?: string[];
  /** A target flag: written with --targets-file it is a usage error. */
  target?: string[];
}

/** One sample per `run` flag, keyed by its long name. Values chosen so that, where a report can show the flag, it does. */
const SAMPLES: Record<string, (certs: string, out: string) => Sample> = {
  '--target': () => ({ target: ['-t', 'builtin:strict'] }),
  '--target-image': () => ({ target: ['--target-image', 'nginx:alpine'] }),
  '--target-client-image': () => ({ target: ['--target-client-image=curlimages/curl'] }),
  '--target-port': () => ({ target: ['--target-port', '8443'] }),
  '--target-env': () => ({ target: ['--target-env', 'A=B'] }),
  '--target-cmd': () => ({ target: ['--target-cmd', 'serve'] }),
  '--target-client': () => ({ target: ['--target-client', 'curl {url}'] }),
  // The multi-target flags are the parent's: they must NOT reach a child.
  '--targets-file': () => ({}),
  '--parallel': () => ({ server: ['--parallel', '2'], client: ['--parallel=2'] }),
  '--shard': () => ({ server: ['--shard', '1/1'], client: ['--shard', '1/1'] }),
  '--client-cert-ca': () => ({ client: ['--client-cert-ca', f('own-client-ca.pem')] }),
  '--profile': () => ({ server: ['-p', f('every-flag.yaml')], client: ['--profile', f('every-flag.yaml')] }),
  '--certs': (certs) => ({ server: ['--certs', certs], client: [`--certs=${certs}`] }),
  // A CA that did not issue the builtin server's certificate: server/certificate/trusted fails.
  '--target-ca': () => ({ server: ['--target-ca', f('issuer-ca.pem')] }),
  '--report-dir': (_certs, out) => ({ server: ['--report-dir', out], client: ['--report-dir', out] }),
  '--quiet': () => ({ server: ['-q'], client: ['--quiet'] }),
  '--json': () => ({ server: ['--json'], client: ['--json'] }),
  // Not with the servers: there --json proves stdout is the index alone (--ndjson would make it the event stream; live-output.test.ts reads that).
  '--ndjson': () => ({ server: [], client: ['--ndjson'] }),
  '--sign-key': () => ({ server: ['--sign-key', f('sign-key.pem')], client: ['--sign-key', f('sign-key.pem')] }),
  '--only': () => ({
    server: ['--only', 'server/certificate/trusted', '--only=server/certificate/hostname'],
    client: ['--only', 'client/server-auth/expired'],
  }),
  '--timeout': () => ({ server: ['--timeout=4s'], client: ['--timeout', '4000'] }),
  '--concurrency': () => ({ server: ['--concurrency', '3'], client: ['--concurrency', '2'] }),
  // The client children run one reject case (client/server-auth/expired): its reason says how often it ran.
  '--repeat': () => ({ server: ['--repeat', '2'], client: ['--repeat=2'] }),
  '--http-path': () => ({ server: ['--http-path', '/every-flag?x=1'] }),
  '--http-method': () => ({ server: ['--http-method', 'POST'] }),
  // tls: the control is accepted by a read window, with no HTTP request (httpStatus null).
  '--protocol': () => ({ server: ['--protocol', 'tls'] }),
  // A name the builtin server's certificate does not carry: server/certificate/hostname fails.
  '--servername': () => ({ server: ['--servername', 'wrong.example'] }),
  '--issuer-cert': () => ({ server: ['--issuer-cert', f('issuer-ca.pem')], client: ['--issuer-cert', f('issuer-ca.pem')] }),
  '--issuer-key': () => ({ server: ['--issuer-key', f('issuer-ca-key.pem')], client: ['--issuer-key', f('issuer-ca-key.pem')] }),
  '--slow': () => ({ server: ['--slow'] }),
  // core, written out: deep would generate the corpus in every child (deep-corpus.test.ts runs it); here the recorded argv shows it arrived.
  '--suite': () => ({ server: ['--suite', 'core'], client: ['--suite=core'] }),
};

const longOf = (flags: string) => /--[a-z-]+/.exec(flags)![0];

function samples(certs: string, out: string): { long: string; scope: RunOptionScope; sample: Sample }[] {
  return RUN_OPTIONS.map((spec) => {
    const long = longOf(spec.flags);
    const make = SAMPLES[long];
    if (!make) throw new Error(`run flag ${long} has no sample in many-targets-flags.test.ts: add one and prove it reaches every --targets-file child`);
    return { long, scope: spec.scope, sample: make(certs, out) };
  });
}

/** Does `argv` hold `tokens` in a row? */
function holds(argv: string[], tokens: string[]): boolean {
  return argv.some((_, i) => tokens.every((t, j) => argv[i + j] === t));
}

interface IndexTarget {
  target: string;
  reportDir: string;
  verdict: string;
  exitCode: number;
  argv: string[];
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

describe('--targets-file passes every run flag to every child it applies to', () => {
  test('every flag of RUN_OPTIONS has a sample, and each sample is written where its scope allows', () => {
    for (const { long, scope, sample } of samples('C', 'O')) {
      if (scope === 'target') expect(sample.target, long).toBeDefined();
      if (scope === 'server' || scope === 'any' || scope === 'many') expect(sample.server ?? (long === '--targets-file' ? [] : undefined), long).toBeDefined();
      if (scope === 'client' || scope === 'any' || scope === 'many') expect(sample.client ?? (long === '--targets-file' ? [] : undefined), long).toBeDefined();
      if (scope === 'server') expect(sample.client, long).toBeUndefined();
      if (scope === 'client') expect(sample.server, long).toBeUndefined();
    }
  });

  test('servers: every server and common flag reaches both children, as written and in what they did', async () => {
    const certs = f('certs-server');
    mkdirSync(certs);
    const out = f('server-reports');
    const file = f('servers.yaml');
    writeFileSync(file, '- target: builtin:strict\n- builtin:lenient\n');
    const all = samples(certs, out);
    const tokens = ['--targets-file', file, ...all.flatMap((s) => s.sample.server ?? [])];
    const run = await runCli(['run', ...tokens], { timeoutMs: 120_000 });
    // --json is among the flags: stdout is the index alone, the progress lines go to stderr.
    expect(run.stderr).toContain('Running 2 targets (shard 1/1), 2 at a time');
    const index = readJson(join(out, 'index.json'));
    expect(JSON.parse(run.stdout)).toEqual(index);
    expect(index.targets).toHaveLength(2);
    const clientCa = new X509Certificate(readFileSync(f('issuer-ca.pem')));
    for (const t of index.targets as IndexTarget[]) {
      // Evidence: the child's own arguments, the user's tokens as written.
      expect(t.argv.slice(0, 3)).toEqual(['run', '--target', t.target]);
      for (const { long, scope, sample } of all) {
        if (!sample.server) continue;
        if (scope === 'many') expect(holds(t.argv, sample.server), `${long} must stay with the parent`).toBe(false);
        else if (long === '--report-dir') expect(holds(t.argv, ['--report-dir', t.reportDir])).toBe(true);
        else expect(holds(t.argv, sample.server), `${long} reached ${t.target}`).toBe(true);
      }
      // Relative to index.json, in the index and in the recorded argv alike.
      expect(existsSync(join(out, t.reportDir, 'report.json'))).toBe(true);
      expect(t.argv.join(' ')).not.toContain('PRIVATE KEY');
      // Behaviour: what each flag did in the child.
      const report = readJson(join(out, t.reportDir, 'report.json'));
      expect(report.profile.name).toBe('every-flag');
      const ids = report.results.map((r: { id: string }) => r.id).sort();
      expect(ids).toEqual(['server/certificate/hostname', 'server/certificate/trusted', 'server/client-auth/valid']);
      const byId = Object.fromEntries(report.results.map((r: { id: string }) => [r.id, r]));
      expect(byId['server/certificate/trusted'].verdict).toBe('fail');
      expect(byId['server/certificate/hostname'].verdict).toBe('fail');
      expect(byId['server/client-auth/valid'].observed).toMatchObject({ outcome: 'accepted', httpStatus: null });
      const verify = await runCli(['verify', join(out, t.reportDir), '--pubkey', f('sign-pub.pem')]);
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
      expect(verify.stdout).toContain('signature valid (ed25519)');
    }
    // --certs and --issuer-*: the children made the store there, the client matrix under the given CA.
    expect(new X509Certificate(readFileSync(join(certs, 'client', 'valid.pem'))).checkIssued(clientCa)).toBe(true);
    expect(run.code, run.stdout + run.stderr).toBe(1);
  });

  test('client programs: every client and common flag reaches both children, as written and in what they did', async () => {
    const certs = f('certs-client');
    mkdirSync(certs);
    const out = f('client-reports');
    const file = f('clients.yaml');
    const own = `--cert ${f('own-client.pem')} --key ${f('own-client-key.pem')}`;
    writeFileSync(
      file,
      [
        `- client: "curl -sS --max-time 3 --cacert {ca} ${own} {url}"`,
        `- client: "env CONFORMANCE_CLIENT_CERT=${f('own-client.pem')} CONFORMANCE_CLIENT_KEY=${f('own-client-key.pem')} node ${join(FIXTURES, 'node-client.mjs')} {url}"`,
      ].join('\n') + '\n',
    );
    const all = samples(certs, out);
    const tokens = ['--targets-file', file, ...all.flatMap((s) => s.sample.client ?? [])];
    const run = await runCli(['run', ...tokens], { timeoutMs: 120_000 });
    const index = readJson(join(out, 'index.json'));
    expect(index.targets).toHaveLength(2);
    for (const t of index.targets as IndexTarget[]) {
      expect(t.argv.slice(0, 3)).toEqual(['run', '--target-client', t.target]);
      for (const { long, scope, sample } of all) {
        if (!sample.client) continue;
        if (scope === 'many') expect(holds(t.argv, sample.client), `${long} must stay with the parent`).toBe(false);
        else if (long === '--report-dir') expect(holds(t.argv, ['--report-dir', t.reportDir])).toBe(true);
        else expect(holds(t.argv, sample.client), `${long} reached ${t.target}`).toBe(true);
      }
      const report = readJson(join(out, t.reportDir, 'report.json'));
      expect(report.profile.name).toBe('every-flag');
      expect(report.results.map((r: { id: string }) => r.id).sort()).toEqual(['client/server-auth/expired', 'client/server-auth/valid']);
      // --client-cert-ca: the reference server trusted the client's own CA, so the control was accepted.
      expect(report.results.find((r: { id: string }) => r.id === 'client/server-auth/valid').verdict, JSON.stringify(report.results)).toBe('pass');
      // --repeat 2: the reject case ran twice.
      expect(report.results.find((r: { id: string }) => r.id === 'client/server-auth/expired').reason).toMatch(/^refused 2 of 2: /);
      const verify = await runCli(['verify', join(out, t.reportDir), '--pubkey', f('sign-pub.pem')]);
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    }
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });

  test('a target flag with --targets-file is a usage error, and nothing runs', async () => {
    const file = f('one.txt');
    writeFileSync(file, 'builtin:strict\n');
    for (const { long, sample } of samples('C', 'O').filter((s) => s.scope === 'target')) {
      const out = f(`target-flag${long}`);
      const r = await runCli(['run', '--targets-file', file, '--report-dir', out, ...sample.target!]);
      expect(r.code, `${long}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`--targets-file "${file}" and "${sample.target!.join(' ')}" both given`);
      expect(existsSync(out)).toBe(false);
    }
  });

  test('an absent --sign-key is exit 2 with one line, checked once by the parent: no target runs', async () => {
    const file = f('two.txt');
    writeFileSync(file, 'builtin:strict\nbuiltin:lenient\n');
    const out = f('absent-key-reports');
    const r = await runCli(['run', '--targets-file', file, '--report-dir', out, '--sign-key', './absent.pem'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining('--sign-key "./absent.pem" cannot be read')]);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    // A file that is not a key, and an issuer certificate without its key: the same, before any child.
    for (const [args, fragment] of [
      [['--sign-key', f('every-flag.yaml')], 'holds no readable PEM private key'],
      [['--issuer-cert', f('issuer-ca.pem')], '--issuer-key is missing'],
      [['--target-ca', f('absent-ca.pem')], `--target-ca "${f('absent-ca.pem')}" cannot be read (ENOENT)`],
    ] as [string[], string][]) {
      const bad = await runCli(['run', '--targets-file', file, '--report-dir', out, ...args]);
      expect(bad.code, bad.stderr).toBe(2);
      expect(bad.stderr).toContain(fragment);
      expect(existsSync(out)).toBe(false);
    }
  });

  test('a flag that cannot apply to an entry is exit 2 naming its line, before any child runs', async () => {
    const file = f('mixed.yaml');
    writeFileSync(file, ['- target: builtin:strict', `- client: "node ${join(FIXTURES, 'node-client.mjs')} {url}"`].join('\n') + '\n');
    const out = f('mixed-reports');
    for (const flag of RUN_OPTIONS.filter((s) => s.scope === 'server' || s.scope === 'client')) {
      const long = longOf(flag.flags);
      const written = SAMPLES[long]!('C', out)[flag.scope as 'server' | 'client']!;
      const r = await runCli(['run', '--targets-file', file, '--report-dir', out, ...written]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      const line = flag.scope === 'server' ? 'line 2 (entry 2)' : 'line 1 (entry 1)';
      expect(r.stderr).toContain(`--targets-file "${file}" ${line}: ${long} applies only to`);
      expect(existsSync(out)).toBe(false);
    }
  });
});
