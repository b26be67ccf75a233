import { isIP } from 'node:net';
import * as tls from 'node:tls';
import type { RenegotiationFacts } from '../model.js';
import { alertByCode, alertFromError } from '../tls/alerts.js';

/**
 * Client-initiated renegotiation (RFC 5246 §7.4.1.2, RFC 5746): a TLS 1.2 handshake with the
 * valid client certificate, then `renegotiate()` before any request. A server that allows it does
 * a full handshake's work whenever a client asks (CVE-2011-1473), which is why OpenSSL 3 servers
 * refuse it by default and TLS 1.3 removed renegotiation altogether (RFC 8446 §1.2). Refused means
 * an error or alert (no_renegotiation, 100) or the connection closing; accepted means the second
 * handshake completed. Never throws for the target's behaviour; every wait is bounded by `timeoutMs`.
 */

export interface RenegotiationProbeInput {
  host: string;
  port: number;
  servername?: string;
  certChainPem?: string;
  keyPem?: string;
  timeoutMs: number;
}

export interface RenegotiationObservation extends RenegotiationFacts {
  tlsVersion: string | null;
  cipher: string | null;
  durationMs: number;
}

export function probeRenegotiation(input: RenegotiationProbeInput): Promise<RenegotiationObservation> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    let secure = false;
    let renegotiating = false;
    let tlsVersion: string | null = null;
    let cipher: string | null = null;
    let socket: tls.TLSSocket | undefined;
    const timers: NodeJS.Timeout[] = [];
    const finish = (result: RenegotiationFacts['result'], detail: string, alert: RenegotiationFacts['alert'] = null) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      socket?.destroy();
      resolve({ result, alert, detail, tlsVersion, cipher, durationMs: Math.round(performance.now() - started) });
    };
    timers.push(
      setTimeout(
        () =>
          renegotiating
            ? finish('ignored', `the target neither renegotiated nor refused within ${input.timeoutMs} ms of the renegotiation ClientHello`)
            : finish('failed', `no TLS 1.2 handshake within ${input.timeoutMs} ms`),
        input.timeoutMs,
      ),
    );
    const name = input.servername ?? input.host;
    try {
      socket = tls.connect({
        host: input.host,
        port: input.port,
        ...(isIP(name) ? {} : { servername: name }),
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.2',
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
        ...(input.certChainPem && input.keyPem ? { cert: input.certChainPem, key: input.keyPem } : {}),
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      finish('failed', `the harness could not build its TLS context: ${e.code ?? ''} ${e.message}`.trim());
      return;
    }
    // Read whatever comes, so the renegotiation's records are processed.
    socket.on('data', () => undefined);
    socket.once('secureConnect', () => {
      secure = true;
      tlsVersion = socket!.getProtocol() ?? null;
      cipher = socket!.getCipher()?.standardName ?? null;
      renegotiating = true;
      const started = socket!.renegotiate({ rejectUnauthorized: false }, (err) => {
        // Called on the next tick with an error when node:tls could not even start one: our fault, not the target's.
        if (!started) return finish('failed', `the harness could not start a renegotiation: ${err?.message ?? 'renegotiate() returned false'}`);
        if (err) refused(err as NodeJS.ErrnoException);
        else finish('accepted', 'the target completed a client-initiated renegotiation of the TLS 1.2 connection');
      });
    });
    const refused = (err: NodeJS.ErrnoException) => {
      // OpenSSL turns a warning-level no_renegotiation alert into this error (ssl3_read_bytes).
      const alert = err.code === 'ERR_SSL_NO_RENEGOTIATION' ? alertByCode(100) : alertFromError(err);
      const how = alert ? `alert ${alert.code} ${alert.name}` : `${err.code ?? 'error'}: ${err.message.split('\n')[0]}`;
      finish('refused', `the target refused the renegotiation (${how})`, alert);
    };
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (renegotiating) return refused(err);
      if (secure) return finish('failed', `the harness could not start a renegotiation: ${err.code ?? ''} ${err.message.split('\n')[0]}`.trim());
      const alert = alertFromError(err);
      if (alert || err.code === 'ECONNRESET' || err.code === 'EPIPE') {
        return finish('not-applicable', `the target refused a TLS 1.2 handshake (${alert ? `alert ${alert.code} ${alert.name}` : 'closed without an alert'}), so there is no TLS 1.2 connection to renegotiate`, alert);
      }
      finish('failed', `${err.code ?? 'error'}: ${err.message.split('\n')[0]}`);
    });
    socket.on('close', () => {
      if (renegotiating) finish('refused', 'the target closed the connection on the renegotiation ClientHello');
      else if (!secure) finish('not-applicable', 'the target closed a TLS 1.2 handshake without an alert, so there is no TLS 1.2 connection to renegotiate');
      else finish('failed', 'the connection closed before the renegotiation started');
    });
  });
}
