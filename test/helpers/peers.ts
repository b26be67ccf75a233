import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli, verdictsOf, type CliRun } from './cli.js';

/**
 * Real third-party TLS servers (nginx, openssl s_server) for integration tests. Each one runs on
 * 127.0.0.1 with a free ephemeral port, its own config, logs and pid file in a fresh temp dir,
 * and is stopped by the PID this helper spawned (never by name). Install them with
 * scripts/install-peers.sh.
 *
 *   await using nginx = await startNginx({ certsDir, verifyClient: 'on' });
 *   await runCli(['run', '--target', nginx.url, ...]);
 */

export const HOST = '127.0.0.1';

/** A running server this helper started. `stop()` is idempotent; `await using` calls it. */
export interface StartedPeer extends AsyncDisposable {
  /** Short name for messages: `nginx`, `openssl s_server`. */
  name: string;
  host: typeof HOST;
  port: number;
  /** https://127.0.0.1:PORT */
  url: string;
  pid: number;
  /** The temp dir holding the config, logs and pid file (removed by stop()). */
  dir: string;
  /** Everything the server logged so far (error log, stdout, stderr), for assertion messages. */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

// --- locating the binaries

function onPath(bin: string, extra: string[] = []): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(':').filter(Boolean), ...extra]) {
    const p = join(dir, bin);
    if (existsSync(p)) return p;
  }
  return null;
}

/** Whether a command is on PATH (curl, haproxy, ...): tests that need it skip, or fail in CI, without it. */
export function have(bin: string): boolean {
  return onPath(bin) !== null;
}

/**
 * Path of the nginx binary, or null: $NGINX_BIN when set (null if it does not exist), else PATH and
 * /usr/sbin (which a non-root PATH may lack).
 */
export function findNginx(): string | null {
  if (process.env.NGINX_BIN) return existsSync(process.env.NGINX_BIN) ? process.env.NGINX_BIN : null;
  return onPath('nginx', ['/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin']);
}

/** Path of the openssl binary, or null: $OPENSSL_BIN when set (null if it does not exist), else PATH. */
export function findOpenssl(): string | null {
  if (process.env.OPENSSL_BIN) return existsSync(process.env.OPENSSL_BIN) ? process.env.OPENSSL_BIN : null;
  return onPath('openssl', ['/usr/bin', '/usr/local/bin']);
}

/** `nginx/1.22.1` or `OpenSSL 3.0.19 …`: the first line a binary prints about its version. */
export function versionOf(bin: string, args: string[]): string {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 5000 });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] ?? '';
}

// --- ports, processes, waits

/** A free TCP port on 127.0.0.1: bind to port 0, read the port, close. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ host: HOST, port: 0, exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolvePort(port) : reject(new Error('could not read the port of a bound socket'))));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port (one attempt, bounded). */
function tcpAccepts(port: number, timeoutMs = 250): Promise<boolean> {
  return new Promise((done) => {
    const sock = createConnection({ host: HOST, port });
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      done(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    sock.once('connect', () => finish(true));
    sock.once('error', () => finish(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Keeps the last `max` characters of a stream. */
class Tail {
  text = '';
  readonly max: number;
  constructor(max = 64 * 1024) {
    this.max = max;
  }
  push(chunk: Buffer | string): void {
    this.text += chunk.toString();
    if (this.text.length > this.max) this.text = this.text.slice(-this.max);
  }
}

interface Spawned {
  child: ChildProcess;
  stdout: Tail;
  stderr: Tail;
  /** Resolves with the exit code/signal once the child has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited: () => boolean;
}

/** Children still running (with their temp dirs): killed by PID if the test process exits without stopping them. */
const live = new Map<ChildProcess, string>();
let exitHook = false;

function spawnTracked(bin: string, args: string[], cwd: string): Spawned {
  const child = spawn(bin, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  live.set(child, cwd);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const [c, dir] of live) {
        c.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
  const stdout = new Tail();
  const stderr = new Tail();
  child.stdout!.on('data', (d: Buffer) => stdout.push(d));
  child.stderr!.on('data', (d: Buffer) => stderr.push(d));
  // stdin stays open and unused: s_server without -www reads commands from it, so no EOF there.
  child.stdin!.on('error', () => undefined);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.once('error', (err) => {
      done = true;
      live.delete(child);
      stderr.push(`spawn error: ${err.message}\n`);
      res({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => {
      done = true;
      live.delete(child);
      res({ code, signal });
    });
  });
  return { child, stdout, stderr, exited, hasExited: () => done };
}

/** Stop the one process we spawned: SIGTERM, then SIGKILL after a bounded wait. Never by name. */
async function stopSpawned(s: Spawned, graceMs = 3000): Promise<void> {
  if (s.hasExited() || s.child.pid === undefined) return;
  s.child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
  if ((await Promise.race([s.exited, timer])) === 'timeout' && !s.hasExited()) {
    s.child.kill('SIGKILL');
    await Promise.race([s.exited, sleep(graceMs)]);
  }
  s.child.stdin?.destroy();
}

/**
 * Wait until `ready()` holds, the child exits, or `timeoutMs` passes. Resolves true when ready,
 * false when the child exited first; throws on timeout.
 */
async function waitUntil(s: Spawned, ready: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (s.hasExited()) return false;
    if (await ready()) return true;
    if (s.hasExited()) return false;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

const ADDRESS_IN_USE = /address already in use|bind\(\) to .* failed|EADDRINUSE/i;

function makePeer(name: string, port: number, dir: string, s: Spawned, logs: () => Promise<string>): StartedPeer {
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await stopSpawned(s);
      await rm(dir, { recursive: true, force: true });
    })());
  return {
    name,
    host: HOST,
    port,
    url: `https://${HOST}:${port}`,
    pid: s.child.pid!,
    dir,
    logs,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

async function readIfExists(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

// --- nginx

export type NginxVerifyClient = 'on' | 'optional' | 'optional_no_ca' | 'off';

export interface NginxConfig {
  /** Directory made by `conformance certs init` (target/server-cert.pem, target/server-key.pem, trust/client-ca.pem). */
  certsDir: string;
  /** ssl_verify_client. */
  verifyClient: NginxVerifyClient;
  /** ssl_client_certificate (the CAs trusted and named in the CertificateRequest); default trust/client-ca.pem. */
  clientCertificate?: string;
  /** ssl_verify_depth; undefined leaves nginx's default, which is 1 (a leaf plus its issuer, no intermediate). */
  verifyDepth?: number;
  /** ssl_protocols; default TLSv1.2 TLSv1.3. */
  protocols?: string[];
  /**
   * For the optional modes: the location answers 403 unless $ssl_client_verify is SUCCESS (how an
   * application behind `optional` should check). Default false: 200 "ok" whatever the verification said.
   */
  requireVerifiedClient?: boolean;
  /** Extra directives inside the server block, verbatim (each ends with `;`). */
  extraServerDirectives?: string[];
  /** Offer HTTP/2 by ALPN besides HTTP/1.1 (`listen ... ssl http2`, what `http2 on;` says from nginx 1.25.1). */
  http2?: boolean;
  /** Bound on the wait for the port to accept connections; default 5000 ms. */
  startTimeoutMs?: number;
}

/** The nginx.conf for a config, listening on 127.0.0.1:port, with every path under `dir`. */
export function nginxConf(config: NginxConfig, port: number, dir: string): string {
  const certs = resolve(config.certsDir);
  const protocols = config.protocols ?? ['TLSv1.2', 'TLSv1.3'];
  const location = config.requireVerifiedClient
    ? ['if ($ssl_client_verify != SUCCESS) { return 403 "client certificate not verified: $ssl_client_verify\\n"; }', 'return 200 "ok\\n";']
    : ['return 200 "ok\\n";'];
  const p = (f: string) => join(dir, f);
  return [
    '# Written by test/helpers/peers.ts: one foreground process, everything in this directory.',
    'daemon off;',
    'master_process off;',
    `pid ${p('nginx.pid')};`,
    `lock_file ${p('nginx.lock')};`,
    `error_log ${p('error.log')} info;`,
    'events { worker_connections 256; }',
    'http {',
    `  client_body_temp_path ${p('client_body')};`,
    `  proxy_temp_path ${p('proxy')};`,
    `  fastcgi_temp_path ${p('fastcgi')};`,
    `  uwsgi_temp_path ${p('uwsgi')};`,
    `  scgi_temp_path ${p('scgi')};`,
    `  log_format mtls '$remote_addr "$request" $status verify="$ssl_client_verify" protocol=$ssl_protocol subject="$ssl_client_s_dn"';`,
    `  access_log ${p('access.log')} mtls;`,
    '  default_type text/plain;',
    '  server {',
    `    listen ${HOST}:${port} ssl${config.http2 ? ' http2' : ''};`,
    '    server_name localhost;',
    `    ssl_certificate ${join(certs, 'target', 'server-cert.pem')};`,
    `    ssl_certificate_key ${join(certs, 'target', 'server-key.pem')};`,
    `    ssl_client_certificate ${config.clientCertificate ?? join(certs, 'trust', 'client-ca.pem')};`,
    `    ssl_verify_client ${config.verifyClient};`,
    ...(config.verifyDepth !== undefined ? [`    ssl_verify_depth ${config.verifyDepth};`] : []),
    `    ssl_protocols ${protocols.join(' ')};`,
    // A correctly configured server under the intermediate profile: ECDHE AEAD suites only.
    ...((config.extraServerDirectives ?? []).some((d) => d.startsWith('ssl_ciphers')) ? [] : ['    ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;']),
    ...(config.extraServerDirectives ?? []).map((d) => `    ${d}`),
    '    location / {',
    ...location.map((l) => `      ${l}`),
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** One attempt to start a peer on `port`: the spawned process, its logs, and what "ready" means. */
interface Launch {
  s: Spawned;
  dir: string;
  logs: () => Promise<string>;
  ready: () => boolean | Promise<boolean>;
  awaited: string;
}

/**
 * Start a peer on a free port of 127.0.0.1 and wait (bounded) until it is ready. A port picked by
 * bind-to-0 can be taken again before the peer binds it: retry on that alone, up to three times.
 */
async function startOnFreePort(name: string, startTimeoutMs: number, launch: (port: number) => Promise<Launch>): Promise<StartedPeer> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const { s, dir, logs, ready, awaited } = await launch(port);
    const peer = makePeer(name, port, dir, s, logs);
    try {
      if (await waitUntil(s, ready, startTimeoutMs, awaited)) return peer;
      const { code, signal } = await s.exited;
      lastError = new Error(`${name} exited (code ${code}, signal ${signal}) before listening on ${HOST}:${port}\n${await logs()}`);
    } catch (err) {
      lastError = new Error(`${(err as Error).message}\n${await logs()}`);
    }
    const text = await logs();
    await peer.stop();
    if (!ADDRESS_IN_USE.test(text)) break;
  }
  throw lastError!;
}

/** Start nginx with `config` on a free port of 127.0.0.1; resolves once the port accepts TCP. */
export async function startNginx(config: NginxConfig): Promise<StartedPeer> {
  const bin = findNginx();
  if (!bin) throw new Error('nginx is not installed (run scripts/install-peers.sh as root)');
  return startOnFreePort('nginx', config.startTimeoutMs ?? 5000, async (port) => {
    const dir = await mkdtemp(join(tmpdir(), 'mtls-nginx-'));
    const conf = join(dir, 'nginx.conf');
    await writeFile(conf, nginxConf(config, port, dir));
    // -e: the error log before the config is read (Debian builds nginx with stderr there).
    const s = spawnTracked(bin, ['-c', conf, '-p', dir, '-e', join(dir, 'error.log')], dir);
    const logs = async () =>
      [
        `--- ${join(dir, 'error.log')}`,
        await readIfExists(join(dir, 'error.log')),
        `--- ${join(dir, 'access.log')}`,
        await readIfExists(join(dir, 'access.log')),
        '--- stderr',
        s.stderr.text,
        '--- stdout',
        s.stdout.text,
      ].join('\n');
    return { s, dir, logs, ready: () => tcpAccepts(port), awaited: `nginx to listen on ${HOST}:${port}` };
  });
}

// --- openssl s_server

export interface OpensslServerConfig {
  /** Directory made by `conformance certs init`. */
  certsDir: string;
  /** Extra s_server arguments after the defaults, e.g. ['-tls1_3'] or ['-tls1_2']. */
  args?: string[];
  /** Bound on the wait for `ACCEPT`; default 5000 ms. */
  startTimeoutMs?: number;
  /** Default true: `-www` answers each request with a page. false: s_server prints what it reads and waits for the client to close. */
  www?: boolean;
}

/** The s_server argument list for a config, listening on 127.0.0.1:port. */
export function opensslServerArgs(config: OpensslServerConfig, port: number): string[] {
  const certs = resolve(config.certsDir);
  return [
    's_server',
    '-accept',
    `${HOST}:${port}`,
    '-cert',
    join(certs, 'target', 'server-cert.pem'),
    '-key',
    join(certs, 'target', 'server-key.pem'),
    '-CAfile',
    join(certs, 'trust', 'client-ca.pem'),
    '-Verify',
    '1',
    '-verify_return_error',
    ...(config.www === false ? [] : ['-www']),
    // ECDHE AEAD suites only unless the test says otherwise (the intermediate profile's allowlist).
    ...((config.args ?? []).includes('-cipher') ? [] : ['-cipher', 'ECDHE+AESGCM:ECDHE+CHACHA20']),
    ...(config.args ?? []),
  ];
}

/**
 * Start `openssl s_server -Verify 1 -verify_return_error -www` on a free port of 127.0.0.1;
 * resolves once it prints ACCEPT. `-www` serves one connection at a time: run the CLI against it
 * with `--concurrency 1`.
 */
export async function startOpensslServer(config: OpensslServerConfig): Promise<StartedPeer> {
  const bin = findOpenssl();
  if (!bin) throw new Error('openssl is not installed (run scripts/install-peers.sh as root)');
  return startOnFreePort('openssl s_server', config.startTimeoutMs ?? 5000, async (port) => {
    const dir = await mkdtemp(join(tmpdir(), 'mtls-s_server-'));
    const args = opensslServerArgs(config, port);
    await writeFile(join(dir, 'command.txt'), `${bin} ${args.join(' ')}\n`);
    const s = spawnTracked(bin, args, dir);
    const logs = async () => [`--- command: ${bin} ${args.join(' ')}`, '--- stdout', s.stdout.text, '--- stderr', s.stderr.text].join('\n');
    // Not a TCP probe: -www serves one connection at a time and would log a failed handshake.
    return { s, dir, logs, ready: () => /^ACCEPT/m.test(s.stdout.text), awaited: `openssl s_server to print ACCEPT on ${HOST}:${port}` };
  });
}

// --- running the CLI against a peer

export interface ReportResultJson {
  id: string;
  severity: string;
  expect: string;
  verdict: string;
  reason: string;
  observed: {
    outcome: string;
    alert: { code: number; name: string } | null;
    httpStatus: number | null;
    tlsVersion: string | null;
    detail: string;
  } | null;
}

export interface ConformanceRun extends CliRun {
  report: { summary: { verdict: string }; results: ReportResultJson[] };
  /** Verdict by case id. */
  verdicts: Record<string, string>;
  /** Result by case id. */
  byId: Record<string, ReportResultJson>;
  /** The run's stdout, stderr and the peer's logs, for assertion messages. */
  explain: () => Promise<string>;
}

/**
 * `conformance run --target PEER --certs DIR --target-ca DIR/trust/server-ca.pem --profile P
 * --report-dir TMP ...args`, as a child process, and its report.json.
 */
export async function runConformance(peer: StartedPeer, opts: { certsDir: string; profile: string; args?: string[]; timeoutMs?: number }): Promise<ConformanceRun> {
  const reportDir = await mkdtemp(join(tmpdir(), 'mtls-peer-report-'));
  try {
    const args = ['run', '--target', peer.url, '--certs', opts.certsDir, '--target-ca', join(opts.certsDir, 'trust', 'server-ca.pem'), '--profile', opts.profile, '--report-dir', reportDir, ...(opts.args ?? [])];
    const run = await runCli(args, { timeoutMs: opts.timeoutMs ?? 45_000 });
    const explain = async () => [`$ conformance ${args.join(' ')}`, `exit ${run.code}`, run.stdout, run.stderr, await peer.logs()].join('\n');
    let text: string;
    try {
      text = await readFile(join(reportDir, 'report.json'), 'utf8');
    } catch {
      throw new Error(`the CLI wrote no report.json\n${await explain()}`);
    }
    const report = JSON.parse(text) as ConformanceRun['report'];
    return { ...run, report, verdicts: verdictsOf(report), byId: Object.fromEntries(report.results.map((r) => [r.id, r])), explain };
  } finally {
    await rm(reportDir, { recursive: true, force: true });
  }
}
