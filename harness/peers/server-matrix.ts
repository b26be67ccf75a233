import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { EnsureResult } from '../../certs/store.js';
import { resolveCases } from '../cases/resolve.js';
import { HarnessError } from '../errors.js';
import type { ReferenceServerRecipe, ResolvedCase, Severity, TlsVersion } from '../model.js';
import { alertFromError, type Alert } from '../probes/alerts.js';
import { loadProfile } from '../profile/load.js';
import type { Profile } from '../profile/schema.js';
import { defaultCertsDir } from '../../certs/default-dir.js';
import { prepareCerts } from '../../certs/prepare-certs.js';
import { answer, createAppServer, requestLine, tlsSocketOf, type AppServer } from './app-server.js';
import { onShutdown } from '../process/lifetime.js';
import { issuerToSend, stapleFor } from './ocsp-staples.js';
import type { RevocationPlan } from '../../certs/revocation-data.js';

/**
 * The client-side server matrix, all at once: one reference HTTPS server per client case with a
 * `reference-server` recipe, each on its own ephemeral port of 127.0.0.1 with that case's
 * certificate chain and protocol settings, running until closed. Point a client (or a person
 * with curl) at them and every connection is reported and judged as it happens:
 *
 *   await using matrix = await startServerMatrix({ profile: 'intermediate', onConnection: (e) => seen.push(e) });
 *   await myClient.get(matrix.servers.find((s) => s.id === 'client/server-auth/expired')!.url);
 *
 * Like the client command probe, the servers ask for a client certificate and let every client
 * in: they record, they do not enforce. They offer ALPN h2 and http/1.1 and answer a request over
 * either; a gRPC client's call gets a gRPC answer (grpc-status 0).
 */

export interface ServerMatrixOptions {
  /** A loaded profile, or a built-in name / profile file to load. */
  profile: Profile | string;
  /** A certificate store already prepared (ensureCerts / prepareCerts) for this profile. */
  store?: EnsureResult;
  /** Otherwise: the store directory to prepare (default: the CLI's cache directory). */
  certsDir?: string;
  /** CA the client's own certificate comes from (PEM); default the store's client CA. When set, no client certificate files are handed out. */
  clientCaPem?: string;
  /** Called once per connection a server saw, as soon as its outcome is known. */
  onConnection?: (event: MatrixConnection) => void;
}

export interface MatrixServer {
  id: string;
  title: string;
  url: string;
  port: number;
  expect: 'accept' | 'reject';
  severity: Severity;
  rationale: string;
  /** Store name of the certificate this server presents. */
  certName: string;
}

export type ConnectionOutcome = 'request' | 'alert' | 'closed';

export interface MatrixConnection {
  id: string;
  outcome: ConnectionOutcome;
  alert?: Alert;
  /** Request line, e.g. `GET / HTTP/1.1`. */
  request?: string;
  /** Negotiated version; null when the handshake did not complete. */
  tlsVersion: string | null;
  presentedCertificate: boolean;
  /** ISO time the outcome became known. */
  at: string;
  expect: 'accept' | 'reject';
  /** Judgement of this one connection: did the client do what a correct client does here? */
  judgement: 'correct' | 'wrong';
  /** One clause saying why, e.g. `the client sent a request over an expired server certificate`. */
  reason: string;
}

export interface ServerMatrix extends AsyncDisposable {
  servers: MatrixServer[];
  /** The CA a client under test must trust (the server CA). */
  caFile: string;
  /** The server CA hierarchy's CRLs, for a client that checks revocation (curl --crlfile). */
  crlFile?: string;
  /** The client's own certificate and key, when the harness issues them (no clientCaPem given). */
  clientCertFile?: string;
  clientKeyFile?: string;
  close(): Promise<void>;
}

/** What a case without a pinned version serves: the same range the client command probe uses. */
const DEFAULT_RANGE: { minVersion: TlsVersion; maxVersion: TlsVersion } = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' };
const HOST = '127.0.0.1';
/** Bound on closing: sockets still open after this are destroyed, and close() returns. */
const CLOSE_TIMEOUT_MS = 3000;

/** `an expired server certificate`, `a server that speaks only TLS 1.0`: what the case serves, from its title. */
export function servedPhrase(title: string, id: string): string {
  const refuses = /^The client refuses (.+)$/.exec(title);
  if (refuses) return refuses[1]!;
  const speaks = /^A server that ([^:]+):/.exec(title);
  if (speaks) return `a server that ${speaks[1]}`;
  if (/^The client connects to a valid server/.test(title)) return 'a valid server';
  return `the ${id} server`;
}

/** First clause of a rationale, for one table cell or line: up to the first `;` or end of sentence, to follow a colon. */
export function shortRationale(rationale: string): string {
  const clause = rationale.split(/;|\.(?:\s|$)/)[0]!.trim();
  // "The validity…" reads as "the validity…" after a colon; "RSA-1024…", "SHA-1…", "RFC…" stay.
  return /^[A-Z][a-z]/.test(clause) ? clause[0]!.toLowerCase() + clause.slice(1) : clause;
}

/** Judge one connection: accept means a request arrived, reject means none did (an alert or a close). Pure. */
export function judgeConnection(
  server: Pick<MatrixServer, 'id' | 'title' | 'expect' | 'rationale'>,
  seen: { outcome: ConnectionOutcome; alert?: Alert; tlsVersion: string | null; presentedCertificate?: boolean },
): { judgement: 'correct' | 'wrong'; reason: string } {
  const phrase = servedPhrase(server.title, server.id);
  const to = /^a server\b/.test(phrase) || phrase === 'a valid server' ? 'to' : 'over';
  const what =
    seen.outcome === 'request'
      ? `the client sent a request ${to} ${phrase}${seen.tlsVersion ? ` (${seen.tlsVersion})` : ''}`
      : seen.outcome === 'alert'
        ? `the client refused ${phrase} with alert ${seen.alert!.code} ${seen.alert!.name}`
        : `the client closed the connection to ${phrase} without a request`;
  const correct = server.expect === 'accept' ? seen.outcome === 'request' : seen.outcome !== 'request';
  // Mutual TLS: a client that got through without a certificate would be refused by a partner server.
  if (correct && server.expect === 'accept' && seen.presentedCertificate === false) {
    return { judgement: 'wrong', reason: `${what}, but presented no client certificate when the server asked for one (RFC 8446 §4.4.2): a partner server requiring mutual TLS refuses it (client/certificate/presented)` };
  }
  if (correct) return { judgement: 'correct', reason: what };
  return { judgement: 'wrong', reason: `${what}; ${server.expect === 'accept' ? 'a correct client connects and sends a request' : 'a correct client refuses'}: ${shortRationale(server.rationale)}` };
}

const CONN_STATE = Symbol('mtls-conformance connection state');

interface ConnState {
  tlsVersion: string | null;
  presentedCertificate: boolean;
  request?: string;
  alert?: Alert;
  reported: boolean;
}

interface Started {
  app: AppServer;
}

/**
 * One reference server. The TLS settings mirror probeClientCommand's server (probes/
 * client-command-probe.ts), which builds it inline for a single run; it is repeated here rather
 * than shared so that file stays as it is.
 */
/** A stapled OCSP response (RFC 6066 §8) and the issuer to send with the chain so a client can check it. */
interface Staple {
  der: Buffer;
  issuerPem: string;
}

async function startOne(c: ResolvedCase & { recipe: ReferenceServerRecipe }, m: MatrixServer, cert: { chainPem: string; keyPem: string }, clientCaPem: string, emit: (e: MatrixConnection) => void, staple?: Staple): Promise<Started> {
  const recipe = c.recipe;
  // Kept on the socket under a symbol: an HTTP/2 request reaches its TLS socket only through the
  // session's proxy of it, which forwards property reads but is not the same object (no WeakMap key).
  const stateOf = (s: TLSSocket): ConnState => {
    const holder = s as TLSSocket & { [CONN_STATE]?: ConnState };
    let st = holder[CONN_STATE];
    if (!st) holder[CONN_STATE] = st = { tlsVersion: null, presentedCertificate: false, reported: false };
    return st;
  };
  const report = (st: ConnState, outcome: ConnectionOutcome) => {
    if (st.reported) return;
    st.reported = true;
    const j = judgeConnection(m, { outcome, alert: st.alert, tlsVersion: st.tlsVersion, presentedCertificate: st.presentedCertificate });
    emit({
      id: m.id,
      outcome,
      ...(st.alert ? { alert: st.alert } : {}),
      ...(st.request ? { request: st.request } : {}),
      tlsVersion: st.tlsVersion,
      presentedCertificate: st.presentedCertificate,
      at: new Date().toISOString(),
      expect: m.expect,
      ...j,
    });
  };

  const app = createAppServer(
    {
      cert: cert.chainPem + (staple?.issuerPem ?? ''),
      key: cert.keyPem,
      ca: [clientCaPem],
      // Ask for a client certificate, let every client in: the harness records, it does not enforce.
      requestCert: true,
      rejectUnauthorized: false,
      ...(recipe.version ? { minVersion: recipe.version, maxVersion: recipe.version } : DEFAULT_RANGE),
      // Weak material (RSA-1024, SHA-1) and TLS 1.0/1.1 need OpenSSL security level 0 on our side.
      ciphers: recipe.legacy ? 'DEFAULT:@SECLEVEL=0' : 'DEFAULT',
    },
    (req, res) => {
      const st = stateOf(tlsSocketOf(req));
      st.request ??= requestLine(req);
      report(st, 'request');
      answer(req, res, 200, `ok ${m.id}\n`);
    },
  );
  const server = app.server;
  // As the per-case servers of a run do: a client that asks for a staple (curl --cert-status) gets one.
  if (staple) server.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer, done: (err: Error | null, resp?: Buffer) => void) => done(null, staple.der));
  server.on('secureConnection', (socket: TLSSocket) => {
    const st = stateOf(socket);
    st.tlsVersion = socket.getProtocol() ?? null;
    st.presentedCertificate = Boolean(socket.getPeerCertificate()?.raw);
    socket.once('close', () => report(st, st.alert ? 'alert' : 'closed'));
  });
  // The handshake failed: the client's alert (it refused our certificate or version), or a close.
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
    const st = stateOf(socket);
    st.alert ??= alertFromError(err) ?? undefined;
    report(st, st.alert ? 'alert' : 'closed');
  });
  // After the handshake (TLS 1.3: the client verifies late and may alert after our Finished).
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const st = stateOf(socket as TLSSocket);
    st.alert ??= alertFromError(err) ?? undefined;
    socket.destroy();
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(0, HOST, () => {
      server.off('error', rej);
      res();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    throw new HarnessError('serve-listen-failed', `error: the reference server for ${m.id} could not listen on ${HOST} (${err.code ?? err.message}).`);
  });
  m.port = (server.address() as AddressInfo).port;
  m.url = `https://${HOST}:${m.port}/`;
  return { app };
}

async function closeOne(s: Started): Promise<void> {
  // Connections still in (or stuck before) the handshake are destroyed too; bounded.
  await s.app.close(CLOSE_TIMEOUT_MS);
}

export async function startServerMatrix(opts: ServerMatrixOptions): Promise<ServerMatrix> {
  const profile = typeof opts.profile === 'string' ? loadProfile(opts.profile).profile : opts.profile;
  const store = opts.store ?? (await prepareCerts(resolve(opts.certsDir ?? defaultCertsDir()), profile));
  const cert = (name: string) => {
    const c = store.certs.get(name);
    if (!c) throw new HarnessError('serve-cert-missing', `error: the certificate store ${store.dir} has no certificate named ${name}. Regenerate it with: conformance certs init ${store.dir} --force`);
    return c;
  };
  const clientCaPem = opts.clientCaPem ?? cert('client-ca').certPem;
  const emit = (e: MatrixConnection) => {
    try {
      opts.onConnection?.(e);
    } catch {
      // A listener's fault must not take a reference server down.
    }
  };

  const cases = resolveCases(profile, 'client').filter(
    (c): c is ResolvedCase & { recipe: ReferenceServerRecipe; expect: 'accept' | 'reject' } => c.recipe.kind === 'reference-server' && (c.expect === 'accept' || c.expect === 'reject'),
  );
  const servers: MatrixServer[] = cases.map((c) => ({ id: c.id, title: c.title, url: '', port: 0, expect: c.expect, severity: c.severity, rationale: c.rationale, certName: c.recipe.cert }));
  const started: Started[] = [];
  // The CRL distribution points and OCSP URL the server certificates name, served as long as the matrix.
  const responder = store.revocation ? await (await import('./revocation-responder.js')).startRevocationResponder(store.revocation.plan) : undefined;
  const close = async () => {
    unregister();
    await Promise.all([...started.splice(0).map(closeOne), responder?.close()]);
  };
  const unregister = onShutdown('reference server matrix', close);
  try {
    for (const [i, c] of cases.entries()) {
      const staple = await stapleOf(store.revocation?.plan, c.recipe.cert, cert(c.recipe.cert).chainPem);
      started.push(await startOne(c, servers[i]!, cert(c.recipe.cert), clientCaPem, emit, staple));
    }
  } catch (err) {
    await close();
    throw err;
  }
  const valid = opts.clientCaPem ? undefined : cert('client/valid');
  return {
    servers,
    caFile: cert('server-ca').certPath,
    ...(store.revocation ? { crlFile: store.revocation.serverCrlFile } : {}),
    ...(valid ? { clientCertFile: valid.certPath, clientKeyFile: valid.keyPath } : {}),
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function stapleOf(revocation: RevocationPlan | undefined, certName: string, chainPem: string): Promise<Staple | undefined> {
  if (!revocation) return undefined;
  const der = await stapleFor(revocation, certName);
  return der ? { der, issuerPem: issuerToSend(revocation, certName, chainPem) } : undefined;
}
