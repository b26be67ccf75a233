import { isIP } from 'node:net';
import * as tls from 'node:tls';
import type { SessionVersionFacts } from '../model.js';
import { parseSession, withTicketLifetime } from '../tls/session-der.js';
import { alertFromError } from '../tls/alerts.js';

/**
 * Session resumption as a target server offers it, the harness playing the client: one full
 * handshake at a pinned version with the valid client certificate, an application round trip so
 * that TLS 1.3 NewSessionTickets (sent after the handshake, RFC 8446 §4.6.1) are read, and the
 * sessions the `session` event gives; later, one handshake offering such a session again.
 * Never throws for the target's behaviour; every wait is bounded by `timeoutMs`.
 */

export interface SessionProbeInput {
  host: string;
  port: number;
  servername?: string;
  certChainPem?: string;
  keyPem?: string;
  protocol: 'https' | 'tls';
  httpPath: string;
  httpMethod: string;
  timeoutMs: number;
  /** For protocol tls: how long to read after the handshake. */
  readWindowMs: number;
}

export type SessionVersion = 'TLSv1.2' | 'TLSv1.3';

export interface SessionCapture {
  facts: SessionVersionFacts;
  /** The sessions as Node gave them, to offer again; never reported (they hold the master secret). */
  sessions: Buffer[];
}

/** RFC 8446 §4.6.1: a ticket lifetime never exceeds seven days. */
const MAX_TICKET_LIFETIME = 604_800;
/** Tickets read after the response are still taken for this long (servers send them right after the handshake). */
const TICKET_GRACE_MS = 50;

function connectOptions(input: SessionProbeInput, version: SessionVersion, session?: Buffer): tls.ConnectionOptions {
  const name = input.servername ?? input.host;
  return {
    host: input.host,
    port: input.port,
    ...(isIP(name) ? {} : { servername: name }),
    minVersion: version,
    maxVersion: version,
    // The target's certificate is judged by other cases; here only its sessions matter.
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
    // Offered as a real client does: an h2-only server (gRPC) refuses http/1.1 alone with alert 120.
    ALPNProtocols: input.protocol === 'https' ? ['h2', 'http/1.1'] : undefined,
    ...(input.certChainPem && input.keyPem ? { cert: input.certChainPem, key: input.keyPem } : {}),
    ...(session ? { session } : {}),
  };
}

/**
 * Over h2 the client speaks first with the connection preface and a SETTINGS frame (RFC 9113 §3.4);
 * the server's SETTINGS answer is the data that shows the connection is up (tickets precede it).
 */
const H2_PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

function request(input: SessionProbeInput): string {
  const name = input.servername ?? input.host;
  const host = isIP(input.host) === 6 ? `[${input.host}]:${input.port}` : `${name}:${input.port}`;
  return `${input.httpMethod} ${input.httpPath} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: mtls-conformance\r\nAccept: */*\r\nConnection: close\r\n\r\n`;
}

/** One full handshake at `version` and the sessions the target issued on it. */
export function captureSessions(input: SessionProbeInput, version: SessionVersion): Promise<SessionCapture> {
  return new Promise((resolve) => {
    const sessions: Buffer[] = [];
    let secure = false;
    let settled = false;
    let socket: tls.TLSSocket | undefined;
    const timers: NodeJS.Timeout[] = [];
    const finish = (status: SessionVersionFacts['status'], detail: string) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      socket?.destroy();
      const lifetimes: number[] = [];
      let tickets = 0;
      const unreadable: string[] = [];
      for (const s of sessions) {
        const parsed = parseSession(s);
        if (!parsed.ok) {
          unreadable.push(parsed.reason);
          continue;
        }
        if (parsed.info.ticketLength > 0) {
          tickets++;
          // OpenSSL omits a zero hint from the DER: a TLS 1.2 ticket "of unspecified lifetime" (RFC 5077 §3.3).
          lifetimes.push(parsed.info.ticketLifetimeHint ?? 0);
        }
      }
      const note = unreadable.length ? `; ${unreadable.length} session(s) unreadable: ${unreadable[0]}` : '';
      resolve({ facts: { version, status, sessions: sessions.length, tickets, lifetimes, detail: detail + note }, sessions });
    };

    timers.push(setTimeout(() => finish(secure ? 'negotiated' : 'failed', `no ${secure ? 'answer' : 'handshake'} within ${input.timeoutMs} ms`), input.timeoutMs));
    try {
      socket = tls.connect(connectOptions(input, version));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      finish('failed', `the harness could not build its TLS context: ${e.code ?? ''} ${e.message}`.trim());
      return;
    }
    socket.on('session', (s: Buffer) => sessions.push(s));
    socket.once('secureConnect', () => {
      secure = true;
      if (input.protocol === 'https') socket!.write(socket!.alpnProtocol === 'h2' ? H2_PREFACE : request(input));
      else timers.push(setTimeout(() => finish('negotiated', `${version} handshake completed; read for ${input.readWindowMs} ms`), input.readWindowMs));
    });
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      // The tickets precede the response; a short grace catches a server that sends them later.
      if (input.protocol === 'https') timers.push(setTimeout(() => finish('negotiated', `${version} handshake and request completed`), TICKET_GRACE_MS));
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (secure) return finish('negotiated', `${version} handshake completed, then ${err.code ?? 'error'}: ${err.message}`);
      const alert = alertFromError(err);
      if (alert) return finish('not-spoken', `the target refused a ${version} handshake with alert ${alert.code} ${alert.name}`);
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return finish('not-spoken', `the target closed a ${version} handshake without an alert`);
      finish('failed', `${err.code ?? 'error'}: ${err.message}`);
    });
    socket.on('close', () => {
      if (secure) finish('negotiated', `${version} handshake completed${received ? '' : ', the connection closed without a response'}`);
      else finish('not-spoken', `the target closed a ${version} handshake without an alert`);
    });
  });
}

export interface ResumeResult {
  /** Whether the target resumed the session; null when the attempt itself did not complete. */
  resumed: boolean | null;
  detail: string;
}

/**
 * Offer `session` in a new handshake at `version` and report whether the target resumed it. The
 * client's copy gets a lifetime that outlasts any wait, so that the harness's OpenSSL offers the
 * ticket and the verdict is the target's (see withTicketLifetime).
 */
export function resumeSession(input: SessionProbeInput, version: SessionVersion, session: Buffer): Promise<ResumeResult> {
  return new Promise((resolve) => {
    let settled = false;
    let socket: tls.TLSSocket | undefined;
    const finish = (r: ResumeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ resumed: null, detail: `no handshake within ${input.timeoutMs} ms` }), input.timeoutMs);
    let offered: Buffer;
    try {
      offered = version === 'TLSv1.3' ? withTicketLifetime(session, MAX_TICKET_LIFETIME) : session;
      socket = tls.connect(connectOptions(input, version, offered));
    } catch (err) {
      finish({ resumed: null, detail: `the harness could not offer the session: ${(err as Error).message}` });
      return;
    }
    socket.once('secureConnect', () => {
      const resumed = socket!.isSessionReused();
      finish({ resumed, detail: resumed ? `the target resumed the ${version} session` : `the target made a full ${version} handshake instead of resuming` });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const alert = alertFromError(err);
      // Refusing the handshake altogether also refuses the resumption.
      finish({ resumed: false, detail: `the target refused the handshake offering the session (${alert ? `alert ${alert.code} ${alert.name}` : (err.code ?? err.message)})` });
    });
    socket.on('close', () => finish({ resumed: false, detail: 'the target closed the connection offering the session' }));
  });
}
