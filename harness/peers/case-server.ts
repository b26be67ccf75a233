import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Observation, Outcome, ReferenceServerRecipe, TlsVersion } from '../model.js';
import { alertFromError, type Alert } from '../tls/alerts.js';
import { answer, createAppServer, requestLine, tlsSocketOf, type AppServer } from './app-server.js';

/**
 * The reference server of one client-role case, the one place its TLS settings are made: the
 * chain the case serves (from its chain spec, via the store), the case's protocol version or the
 * default range, OpenSSL security level 0 when the chain or version is weak (derived from the
 * spec), a stapled OCSP response when asked. It asks for a client certificate and lets every
 * client in: it records, it does not enforce. Used by the client command probe (one run of a
 * client) and the server matrix (`serve`: every case at once, until closed).
 */

/** What a case without a pinned version serves: what any sane client speaks. */
export const DEFAULT_RANGE: { minVersion: TlsVersion; maxVersion: TlsVersion } = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' };

export interface CaseServerSettings {
  /** The leaf, then what the case's chain spec sends. */
  chainPem: string;
  keyPem: string;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
  /** OpenSSL security level 0 (RSA under 2048 bits, SHA-1, TLS 1.0/1.1): the recipe's `legacy`, derived from the chain spec. */
  legacy: boolean;
  /** CA bundle the presented client certificate should verify against. */
  clientCaPem: string;
  /** OCSP response (DER) stapled when the client asks (status_request, RFC 6066 §8). */
  ocspStaple?: Buffer;
}

/** The settings of a case's reference server from its recipe and the chain the store made for it. */
export function caseServerSettings(
  recipe: ReferenceServerRecipe,
  cert: { chainPem: string; keyPem: string },
  clientCaPem: string,
  staple?: { der: Buffer; issuerPem: string },
): CaseServerSettings {
  return {
    // With a staple the issuer goes along, so a client can check the response (see run's issuerToSend).
    chainPem: cert.chainPem + (staple?.issuerPem ?? ''),
    keyPem: cert.keyPem,
    ...(recipe.version ? { minVersion: recipe.version, maxVersion: recipe.version } : DEFAULT_RANGE),
    legacy: recipe.legacy ?? false,
    clientCaPem,
    ...(staple ? { ocspStaple: staple.der } : {}),
  };
}

/** What the reference server saw of one connection. */
export interface SeenConnection {
  handshakeCompleted: boolean;
  tlsVersion: string | null;
  cipher: string | null;
  /** The client certificate presented (PEM), or null. */
  presentedCertPem: string | null;
  presentedAuthorized: boolean;
  presentedError: string | null;
  /** The intermediates sent with it and whether the leaf hangs directly off a root (model.ts ClientRunFacts). */
  presentedChain?: { intermediates: number; issuedByRoot: boolean };
  /** The first request line, if a request arrived. */
  request: string | null;
  /** The client's alert, during or after the handshake. */
  alert: Alert | null;
  /** A handshake error that was not an alert (e.g. ECONNRESET). */
  error: string | null;
  /** The client reset the connection during the handshake. */
  resetDuringHandshake: boolean;
}

export interface CaseServerEvents {
  /** A request arrived (the connection is accepted: PRODUCT.md verdict rules). */
  onRequest?: (seen: SeenConnection) => void;
  /** The handshake completed. */
  onHandshake?: (seen: SeenConnection) => void;
  /** The handshake failed (the client's alert, a reset, a close). */
  onHandshakeError?: (seen: SeenConnection) => void;
  /** A completed connection closed. */
  onClose?: (seen: SeenConnection) => void;
}

const CONN_STATE = Symbol('mtls-conformance connection state');

/**
 * Per-connection state, kept on the socket under a symbol: an HTTP/2 request reaches its TLS
 * socket only through the session's proxy of it, which forwards property reads but is not the
 * same object (no WeakMap key).
 */
function stateOf(s: Socket): SeenConnection {
  const holder = s as Socket & { [CONN_STATE]?: SeenConnection };
  let st = holder[CONN_STATE];
  if (!st) {
    holder[CONN_STATE] = st = {
      handshakeCompleted: false,
      tlsVersion: null,
      cipher: null,
      presentedCertPem: null,
      presentedAuthorized: false,
      presentedError: null,
      request: null,
      alert: null,
      error: null,
      resetDuringHandshake: false,
    };
  }
  return st;
}

function toPem(raw: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${raw.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

/** The reference server for one case, not yet listening; `body` is the text of its answer. */
export function createCaseServer(settings: CaseServerSettings, events: CaseServerEvents, body: string): AppServer {
  const app = createAppServer(
    {
      cert: settings.chainPem,
      key: settings.keyPem,
      ca: [settings.clientCaPem],
      // Ask for a client certificate, let every client in: the harness records, it does not enforce.
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: settings.minVersion,
      maxVersion: settings.maxVersion,
      // Weak material (RSA-1024, SHA-1) and TLS 1.0/1.1 need OpenSSL security level 0 on our side.
      ciphers: settings.legacy ? 'DEFAULT:@SECLEVEL=0' : 'DEFAULT',
    },
    (req, res) => {
      const st = stateOf(tlsSocketOf(req));
      st.request ??= requestLine(req);
      events.onRequest?.(st);
      answer(req, res, 200, body);
    },
  );
  const server = app.server;
  // Stapling: Node asks only when the ClientHello carries status_request.
  const staple = settings.ocspStaple;
  if (staple) server.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer, done: (err: Error | null, resp?: Buffer) => void) => done(null, staple));
  server.on('secureConnection', (socket: TLSSocket) => {
    const st = stateOf(socket);
    st.handshakeCompleted = true;
    st.tlsVersion = socket.getProtocol() ?? null;
    st.cipher = socket.getCipher()?.standardName ?? null;
    const peer = socket.getPeerCertificate();
    if (peer?.raw) {
      st.presentedCertPem = toPem(peer.raw);
      st.presentedAuthorized = socket.authorized;
      st.presentedError = socket.authorizationError ? String(socket.authorizationError) : null;
      st.presentedChain = sentChain(socket);
    }
    socket.once('close', () => events.onClose?.(st));
    events.onHandshake?.(st);
  });
  // The handshake failed: the client's alert (it refused our certificate or version), or a close.
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
    const st = stateOf(socket);
    st.alert ??= alertFromError(err);
    if (!st.alert) {
      st.error ??= `${err.code ?? 'error'}: ${err.message}`;
      if (err.code === 'ECONNRESET' && err.syscall) st.resetDuringHandshake = true;
    }
    events.onHandshakeError?.(st);
  });
  // After the handshake (TLS 1.3: the client verifies late and may alert after our Finished).
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const st = stateOf(socket);
    st.alert ??= alertFromError(err);
    socket.destroy();
  });
  return app;
}

/**
 * One connection as an Observation, for judge.ts: a request is acceptance (PRODUCT.md verdict
 * rules); an alert, a reset or a close without a request is a refusal. There is no command here
 * (a `serve` client runs on its own), so the run facts say only what the server saw.
 */
export function connectionObservation(seen: SeenConnection, outcome: 'request' | 'alert' | 'closed', observedAt: string): Observation {
  const over = seen.tlsVersion ? ` over ${seen.tlsVersion}` : '';
  const [o, detail]: [Outcome, string] =
    outcome === 'request'
      ? ['accepted', `the client sent "${seen.request}"${over}`]
      : outcome === 'alert'
        ? [seen.handshakeCompleted ? 'post-handshake-alert' : 'handshake-alert', `the client sent alert ${seen.alert?.code} ${seen.alert?.name}${seen.handshakeCompleted ? ' after the handshake' : ''}`]
        : seen.resetDuringHandshake
          ? ['tcp-reset', 'the client reset the connection during the handshake']
          : ['closed-no-data', `the client closed the connection ${seen.handshakeCompleted ? 'after the handshake without a request' : `during the handshake${seen.error ? ` (${seen.error})` : ''}`}`];
  return {
    outcome: o,
    alert: outcome === 'alert' ? seen.alert : null,
    httpStatus: null,
    tlsVersion: seen.tlsVersion,
    cipher: seen.cipher,
    detail,
    durationMs: 0,
    client: {
      exitCode: null,
      signal: null,
      timedOut: false,
      stdoutTail: '',
      stderrTail: '',
      connected: true,
      handshakeCompleted: seen.handshakeCompleted,
      request: seen.request,
      presentedCertPem: seen.presentedCertPem,
      presentedAuthorized: seen.presentedAuthorized,
      presentedError: seen.presentedError,
      observedAt,
    },
  };
}

/**
 * What the client sent above its leaf. Node completes getPeerCertificate(true) from the server's
 * own trust (the client CA only): a CA certificate that is not self-signed in that chain can only
 * have come from the client. Bounded by the chain length a handshake can carry.
 */
function sentChain(socket: TLSSocket): { intermediates: number; issuedByRoot: boolean } {
  const leaf = socket.getPeerCertificate(true);
  const selfSigned = (c: { subject?: unknown; issuer?: unknown; raw?: Buffer }) => JSON.stringify(c.subject) === JSON.stringify(c.issuer);
  let intermediates = 0;
  let cur = leaf?.issuerCertificate;
  const first = cur;
  for (let i = 0; cur && cur.raw && i < 32; i++) {
    if (!selfSigned(cur)) intermediates++;
    if (cur.issuerCertificate === cur || !cur.issuerCertificate?.raw || cur.issuerCertificate.raw.equals(cur.raw)) break;
    cur = cur.issuerCertificate;
  }
  return { intermediates, issuedByRoot: Boolean(first?.raw && selfSigned(first)) };
}
