import { informativeLine } from '../process/informative-line.js';
import { killMarked, MARK_VARIABLE, newMark } from '../process/marked-processes.js';
import { spawn } from 'node:child_process';
import { createCaseServer } from '../peers/case-server.js';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { alertFromError, type Alert } from '../tls/alerts.js';
import { ClientHelloReader, offeredNames, type ClientHelloRead } from './client-hello-reader.js';
import type { ClientRunFacts, Observation, Outcome, TlsVersion } from '../model.js';
import type { ClientLauncher, ClientRun } from '../plan.js';
import { readBoundedSync } from '../io/read-bounded.js';
import { killProcessGroup, trackProcessGroup } from '../process/lifetime.js';
import { redactKeyMaterial } from './redact.js';

/**
 * One case against a client under test, the harness playing the server: start a reference HTTPS
 * server with the case's certificate chain and protocol settings on 127.0.0.1, launch the client
 * once, and record what the server saw (connection, handshake, the client's alert, the
 * request, the certificate presented, the versions and suites its ClientHello offered) and how
 * the command ended. The exit code alone decides nothing. Never throws for the client's behaviour;
 * every wait is bounded.
 */

export interface ClientCommandProbeInput {
  /** Runs the client under test once (harness/targets/: a command, a one-shot container). */
  launch: ClientLauncher;
  serverChainPem: string;
  serverKeyPem: string;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
  legacy: boolean;
  /** CA bundle the presented client certificate should verify against. */
  clientCaPem: string;
  /** Files handed to the client: the CA it should trust, and its own certificate and key (if the harness issues one). */
  files: { caFile: string; certFile?: string; keyFile?: string; crlFile?: string };
  /** OCSP response (DER) the server staples when the client asks for one (status_request, RFC 6066 §8). */
  ocspStaple?: Buffer;
  timeoutMs: number;
  /** The DNS name the client must verify ({url}, {host}, {name}); absent: 127.0.0.1. */
  serverName?: string;
}

/** The name {resolve} maps to 127.0.0.1 when a case verifies an address (curl ignores an unused entry). */
export const DEFAULT_RESOLVE_NAME = 'api.mtls-conformance.localhost';

/**
 * The placeholders and CONFORMANCE_* variables that say where the reference server is (README
 * "Testing a client"): {url}/{host} carry the name the client must verify (127.0.0.1, or a name
 * under .localhost, RFC 6761 §6.3); {name} is that name alone (SNI and verification), {connect}
 * the address to dial, {resolve} a curl --resolve entry mapping the name to 127.0.0.1.
 */
export function whereValues(port: number, serverName?: string): { values: Record<string, string>; env: Record<string, string> } {
  const host = serverName ?? '127.0.0.1';
  const url = `https://${host}:${port}/`;
  const connect = `127.0.0.1:${port}`;
  const resolve = `${serverName ?? DEFAULT_RESOLVE_NAME}:${port}:127.0.0.1`;
  return {
    values: { url, host, port: String(port), name: host, connect, resolve },
    env: { CONFORMANCE_URL: url, CONFORMANCE_HOST: host, CONFORMANCE_PORT: String(port), CONFORMANCE_SERVERNAME: host, CONFORMANCE_CONNECT: connect, CONFORMANCE_RESOLVE: resolve },
  };
}

const TAIL_LINES = 20;
export const TAIL_BYTES = 16 * 1024;
/** A line of the client's output is cut to this in observations, and so in every message quoting it. */
const LINE_MAX = 300;

function cutLine(line: string): string {
  return line.length > LINE_MAX ? `${line.slice(0, LINE_MAX)}… (${line.length - LINE_MAX} more characters)` : line;
}

type HandedFiles = Partial<Record<'caFile' | 'certFile' | 'keyFile' | 'crlFile', string>>;

/**
 * The files the harness handed the client, named in its output by their placeholders ({ca} {cert}
 * {key} {crl}, the --target-client contract): a client that quotes its certificate path (curl does,
 * on every error) would otherwise fill each kept line, and each message quoting it, with the path
 * of the certificate directory, and the cut would fall inside the path, before the client's words.
 */
export function namePaths(text: string, files: HandedFiles): string {
  const names: [string | undefined, string][] = [
    [files.certFile, '{cert}'],
    [files.keyFile, '{key}'],
    [files.caFile, '{ca}'],
    [files.crlFile, '{crl}'],
  ];
  for (const [path, name] of names.filter(([p]) => p).sort((a, b) => b[0]!.length - a[0]!.length)) text = text.split(path!).join(name);
  return text;
}

/**
 * The informative line of a client's output (informativeLine: the error, not `Node.js v24` or a
 * pointer to a web page), for a one-line error message: the files the harness handed it
 * named by their placeholders ({cert}, not a path as long as the certificate directory's), control
 * characters escaped, and at most `max` characters in all, so the line does not grow with a path.
 */
export function quoteClientLine(text: string, files: HandedFiles, max = LINE_MAX): string {
  let line = (informativeLine(text, Number.MAX_SAFE_INTEGER) ?? '').trim();
  // Already cut where the output was kept (cutLine): count what was cut before.
  let more = 0;
  const cut = /… \((\d+) more characters\)$/.exec(line);
  if (cut) {
    more = Number(cut[1]);
    line = line.slice(0, cut.index);
  }
  line = namePaths(line, files).replace(/[\u0000-\u001f\u007f]/g, ' ');
  if (line.length > max) {
    more += line.length - max;
    line = line.slice(0, max);
  }
  return more > 0 ? `${line}… (${more} more characters)` : line;
}

function tail(text: string): string {
  return text.trimEnd().split('\n').slice(-TAIL_LINES).map(cutLine).join('\n');
}

/** POSIX shell single-quoting, so substituted paths and URLs are one word each. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function substitute(command: string, values: Record<string, string>): string {
  return command.replace(/\{(url|host|port|ca|cert|key|crl|name|connect|resolve)\}/g, (m, k: string) => (values[k] !== undefined ? shellQuote(values[k]) : m));
}

/**
 * Read a connection's ClientHello (bounded in bytes by the reader and in time by `timeoutMs`),
 * report it, then hand the socket with every byte read back in to `server` as if it had accepted
 * it: the TLS server sees the connection untouched (node:tls takes bytes a socket already
 * buffered, _tls_wrap.js initRead).
 */
export function handOverAfterClientHello(socket: Socket, server: NetServer, onHello: (read: ClientHelloRead | null) => void, timeoutMs: number): void {
  const reader = new ClientHelloReader();
  const chunks: Buffer[] = [];
  let done = false;
  const finish = (read: ClientHelloRead | null) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    socket.pause();
    socket.removeListener('data', onData);
    socket.removeListener('end', onEnd);
    onHello(read);
    if (socket.destroyed) return;
    const bytes = Buffer.concat(chunks);
    if (bytes.length > 0) socket.unshift(bytes);
    server.emit('connection', socket);
  };
  const onData = (chunk: Buffer) => {
    chunks.push(chunk);
    const read = reader.push(chunk);
    if (read) finish(read);
  };
  const onEnd = () => finish(null);
  const timer = setTimeout(() => finish(null), timeoutMs);
  // A reset before the hand-over is the client's behaviour, seen by the TLS server as a dead socket.
  socket.on('error', () => undefined);
  socket.on('data', onData);
  socket.once('end', onEnd);
}

export async function probeClientCommand(input: ClientCommandProbeInput): Promise<Observation> {
  const started = performance.now();
  let connected = false;
  let handshakeCompleted = false;
  let request: string | null = null;
  let alert: Alert | null = null;
  let serverError: string | null = null;
  let resetDuringHandshake = false;
  let tlsVersion: string | null = null;
  let cipher: string | null = null;
  let presentedCertPem: string | null = null;
  let presentedAuthorized = false;
  let presentedError: string | null = null;
  let presentedChain: { intermediates: number; issuedByRoot: boolean } | undefined;
  // Versions and suites over every ClientHello the client sent (a client may retry lower).
  const offeredVersions = new Set<string>();
  const offeredSuites = new Set<string>();
  let helloProblem: string | null = null;
  let statusRequested = false;
  const sockets = new Set<Socket>();

  // The case's reference server (peers/case-server.ts), aggregated over every connection the client makes.
  const { server } = createCaseServer(
    {
      chainPem: input.serverChainPem,
      keyPem: input.serverKeyPem,
      minVersion: input.minVersion,
      maxVersion: input.maxVersion,
      legacy: input.legacy,
      clientCaPem: input.clientCaPem,
      ...(input.ocspStaple ? { ocspStaple: input.ocspStaple } : {}),
    },
    {
      onRequest: (seen) => (request ??= seen.request),
      onHandshake: (seen) => {
        handshakeCompleted = true;
        tlsVersion = seen.tlsVersion;
        cipher = seen.cipher;
        if (seen.presentedCertPem) {
          presentedCertPem = seen.presentedCertPem;
          presentedAuthorized = seen.presentedAuthorized;
          presentedError = seen.presentedError;
          presentedChain = seen.presentedChain;
        }
      },
      onHandshakeError: (seen) => {
        alert ??= seen.alert;
        serverError ??= seen.error;
        if (seen.resetDuringHandshake) resetDuringHandshake = true;
      },
    },
    'ok\n',
  );
  server.on('connection', () => (connected = true));
  server.on('secureConnection', (socket: TLSSocket) => sockets.add(socket));
  // The reference server listens behind a plain TCP server that first reads the ClientHello.
  const front = createNetServer((socket) => {
    // Connected even if the client resets before the hand-over to the TLS server.
    connected = true;
    sockets.add(socket);
    handOverAfterClientHello(
      socket,
      server,
      (read) => {
        if (read?.kind === 'client-hello') {
          const names = offeredNames(read.hello);
          for (const v of names.versions) offeredVersions.add(v);
          for (const s of names.suites) offeredSuites.add(s);
          // status_request (RFC 6066 §8): the client asks for a stapled OCSP response.
          if (read.hello.extensions.includes(5)) statusRequested = true;
        } else {
          helloProblem ??= read ? read.detail : 'no complete ClientHello before the connection ended or the timeout';
        }
      },
      input.timeoutMs,
    );
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (front.address() as AddressInfo).port;
  const where = whereValues(port, input.serverName);
  const values: Record<string, string> = { ...where.values, ca: input.files.caFile, ...(input.files.crlFile ? { crl: input.files.crlFile } : {}) };
  if (input.files.certFile && input.files.keyFile) Object.assign(values, { cert: input.files.certFile, key: input.files.keyFile });

  const run = await input.launch({
    values,
    timeoutMs: input.timeoutMs,
    env: {
      ...where.env,
      CONFORMANCE_CA_FILE: input.files.caFile,
      ...(input.files.crlFile ? { CONFORMANCE_CRL_FILE: input.files.crlFile } : {}),
      ...(input.files.certFile && input.files.keyFile ? { CONFORMANCE_CLIENT_CERT: input.files.certFile, CONFORMANCE_CLIENT_KEY: input.files.keyFile } : {}),
    },
  });
  // Events of a connection the client closed as it exited can trail its exit by a tick.
  await new Promise((r) => setTimeout(r, 20));
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => front.close(() => r()));

  // Key material the client printed goes no further than here (a finding about the client, below).
  const knownKeys = [input.serverKeyPem, ...(input.files.keyFile ? [readKeyQuietly(input.files.keyFile)] : [])];
  const stdout = redactKeyMaterial(run.stdout, knownKeys);
  const stderr = redactKeyMaterial(run.stderr, knownKeys);
  if (request) request = cutLine(redactKeyMaterial(request, knownKeys).text);
  const client: ClientRunFacts = {
    exitCode: run.exitCode,
    signal: run.signal,
    timedOut: run.timedOut,
    stdoutTail: tail(namePaths(stdout.text, input.files)),
    stderrTail: tail(namePaths(stderr.text, input.files)),
    connected,
    handshakeCompleted,
    request,
    presentedCertPem,
    presentedAuthorized,
    presentedError,
    ...(presentedChain ? { presentedChain } : {}),
    observedAt: new Date().toISOString(),
    printedKeyMaterial: [...(stdout.found ? (['stdout'] as const) : []), ...(stderr.found ? (['stderr'] as const) : [])],
  };
  const ended = run.timedOut ? `was killed after ${input.timeoutMs} ms` : run.spawnError ? `could not start (${run.spawnError})` : `exited ${run.exitCode ?? run.signal}`;
  let outcome: Outcome;
  let detail: string;
  if (request) {
    outcome = 'accepted';
    detail = `the client sent "${request}" over ${tlsVersion} and ${ended}`;
  } else if (alert) {
    outcome = handshakeCompleted ? 'post-handshake-alert' : 'handshake-alert';
    detail = `the client sent alert ${(alert as Alert).code} ${(alert as Alert).name} and ${ended}`;
  } else if (run.timedOut) {
    outcome = 'timeout';
    detail = `the client ${ended} ${connected ? 'without sending a request' : 'without connecting'}`;
  } else if (!connected) {
    outcome = 'no-connection';
    detail = `the client ${ended} without connecting`;
  } else if (resetDuringHandshake) {
    outcome = 'tcp-reset';
    detail = `the client reset the connection during the handshake and ${ended}`;
  } else {
    outcome = 'closed-no-data';
    detail = `the client closed the connection ${handshakeCompleted ? 'after the handshake without a request' : `during the handshake${serverError ? ` (${serverError})` : ''}`} and ${ended}`;
  }
  const offered = offeredVersions.size > 0 ? { versions: [...offeredVersions], suites: [...offeredSuites], ...(statusRequested ? { statusRequest: true } : {}) } : undefined;
  if (!offered && connected && helloProblem) detail += `; ClientHello not read: ${helloProblem}`;
  if (stdout.found || stderr.found) detail += `; the client printed private key material on ${[stdout.found && 'stdout', stderr.found && 'stderr'].filter(Boolean).join(' and ')} (redacted here): a client must never log its key`;
  return { outcome, alert, httpStatus: null, tlsVersion, cipher, detail, durationMs: Math.round(performance.now() - started), client, ...(offered ? { offered } : {}) };
}

/** How a shell command ended: the launch of a client command (harness/targets/client-command-target.ts). */
export type CommandRun = ClientRun;

/** The client's key as handed to it, to redact it verbatim from its output; none if unreadable. */
function readKeyQuietly(path: string): string {
  try {
    return readBoundedSync(path, { maxBytes: 1024 * 1024, label: 'client key' }).toString('utf8');
  } catch {
    return '';
  }
}

/**
 * Run a shell command in its own process group. When the shell ends, the whole group is killed:
 * a background child the command left behind (`daemon &`) does not outlive the case. At the
 * timeout the group is killed too. Output is kept to the last TAIL_BYTES of each stream.
 */
export function runCommand(command: string, opts: { cwd?: string; timeoutMs: number; env: Record<string, string> }): Promise<CommandRun> {
  return new Promise((resolve) => {
    const out = { stdout: '', stderr: '' };
    let timedOut = false;
    let spawnError: string | null = null;
    // Inherited by every descendant, even one that leaves the process group (setsid): see killMarked.
    const mark = newMark();
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env, [MARK_VARIABLE]: mark },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    // Signalled run (SIGTERM/SIGINT): the group dies with the harness.
    const untrack = child.pid ? trackProcessGroup(child.pid) : () => undefined;
    const keep = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      out[stream] = (out[stream] + chunk.toString()).slice(-TAIL_BYTES);
    };
    child.stdout.on('data', keep('stdout'));
    child.stderr.on('data', keep('stderr'));
    let exit: { code: number | null; signal: string | null } | null = null;
    let done = false;
    let deadline: NodeJS.Timeout | undefined;
    const killGroup = () => {
      // Negative PID: the process group we created with detached, and only that.
      if (!child.pid || !killProcessGroup(child.pid)) child.kill('SIGKILL');
    };
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(deadline);
      // After every run, not only on timeout: whatever the command left in its group goes now.
      if (child.pid) killProcessGroup(child.pid);
      killMarked(mark);
      untrack();
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ exitCode: exit?.code ?? null, signal: exit?.signal ?? null, timedOut, spawnError, stdout: out.stdout, stderr: out.stderr });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
      // A descendant that left the group may hold the pipes open: do not wait for it.
      deadline = setTimeout(finish, 1000);
    }, opts.timeoutMs);
    child.on('error', (err) => {
      spawnError = err.message;
      finish();
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // The shell ended: a background child still holding the pipes is killed with the group;
      // a brief grace first lets the output already written drain into our buffers.
      setTimeout(() => {
        if (!done && child.pid) killProcessGroup(child.pid);
        deadline ??= setTimeout(finish, 1000);
      }, 50);
    });
    child.on('close', (code, signal) => {
      exit ??= { code, signal };
      finish();
    });
  });
}
