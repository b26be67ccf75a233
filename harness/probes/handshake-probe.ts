import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { alertFromError } from './alerts.js';
import type { Observation, Outcome, PeerCertificateFacts, TlsVersion } from '../model.js';

/**
 * One exchange with a target server, the harness playing the client. Never throws for the
 * target's behaviour: a refusal is an Observation. Every wait is bounded by `timeoutMs`.
 */
export interface HandshakeProbeInput {
  host: string;
  port: number;
  /** Name for SNI and the hostname check; defaults to host. */
  servername?: string;
  /** PEM chain to present (leaf first) and its key; absent: present no certificate. */
  certChainPem?: string;
  keyPem?: string;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
  /** OpenSSL cipher string; TLS 1.3 suite names go here too (node:tls has no ciphersuites option). */
  ciphers?: string;
  /** Run the harness side at OpenSSL security level 0 to present weak or legacy material on purpose. */
  legacy?: boolean;
  /**
   * CA bundle (PEM strings) that verifies the target's certificate. Only a probe whose peer facts
   * are judged passes it: building a context from a full bundle costs ~9 ms of CPU per connection.
   */
  ca?: string[];
  protocol: 'https' | 'tls';
  httpPath: string;
  httpMethod: string;
  timeoutMs: number;
  /** For protocol tls: how long the connection must stay open and error-free to count as accepted. */
  readWindowMs: number;
}

const HTTP_STATUS_LINE = /^HTTP\/\d(?:\.\d)? (\d{3})/;

export function probeHandshake(input: HandshakeProbeInput): Promise<Observation> {
  const started = performance.now();
  return new Promise<Observation>((resolve) => {
    let settled = false;
    let secure = false;
    let received = Buffer.alloc(0);
    let tlsVersion: string | null = null;
    let cipher: string | null = null;
    let peer: PeerCertificateFacts | undefined;
    let socket: tls.TLSSocket | undefined;
    const timers: NodeJS.Timeout[] = [];

    const finish = (outcome: Outcome, detail: string, extra: Partial<Observation> = {}) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      socket?.destroy();
      resolve({
        outcome,
        alert: null,
        httpStatus: null,
        tlsVersion,
        cipher,
        detail,
        durationMs: Math.round(performance.now() - started),
        ...(peer ? { peer } : {}),
        ...extra,
      });
    };

    const baseCiphers = input.ciphers ?? 'DEFAULT';
    const options: tls.ConnectionOptions = {
      host: input.host,
      port: input.port,
      minVersion: input.minVersion,
      maxVersion: input.maxVersion,
      ciphers: input.legacy ? `${baseCiphers}:@SECLEVEL=0` : baseCiphers,
      ...(input.ca ? { ca: input.ca } : {}),
      rejectUnauthorized: false,
      // Resumption would skip the certificate exchange the case is about.
      session: undefined,
      ALPNProtocols: input.protocol === 'https' ? ['http/1.1'] : undefined,
      checkServerIdentity: () => undefined,
    };
    const name = input.servername ?? input.host;
    if (!isIP(name)) options.servername = name;
    if (input.certChainPem && input.keyPem) {
      options.cert = input.certChainPem;
      options.key = input.keyPem;
    }

    timers.push(
      setTimeout(() => {
        const awaited = !secure ? 'the TLS handshake to complete' : input.protocol === 'https' ? 'an HTTP response' : 'the read window';
        finish('timeout', `no answer within ${input.timeoutMs} ms while waiting for ${awaited}`);
      }, input.timeoutMs),
    );

    try {
      socket = tls.connect(options);
    } catch (err) {
      // tls.connect throws synchronously while building its context (ERR_SSL_EE_KEY_TOO_SMALL, ...).
      const e = err as NodeJS.ErrnoException;
      finish('harness-error', `the harness could not build its TLS context: ${e.code ?? ''} ${e.message}`.trim());
      return;
    }

    socket.once('secureConnect', () => {
      secure = true;
      tlsVersion = socket!.getProtocol() ?? null;
      cipher = socket!.getCipher()?.standardName ?? null;
      if (input.ca) peer = peerFacts(socket!, name);
      if (input.protocol === 'https') {
        const hostHeader = isIP(input.host) === 6 ? `[${input.host}]:${input.port}` : `${name}:${input.port}`;
        socket!.write(
          `${input.httpMethod} ${input.httpPath} HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: mtls-conformance\r\nAccept: */*\r\nConnection: close\r\n\r\n`,
        );
      } else {
        timers.push(setTimeout(() => finish('accepted', `connection stayed open for ${input.readWindowMs} ms after the handshake`), input.readWindowMs));
      }
    });

    socket.on('data', (chunk: Buffer) => {
      // Bounded: only the status line matters.
      if (received.length < 8192) received = Buffer.concat([received, chunk]);
      if (input.protocol === 'tls') {
        finish('accepted', `the target sent ${received.length} bytes of application data`);
        return;
      }
      const text = received.toString('latin1');
      const eol = text.indexOf('\r\n');
      if (eol === -1 && received.length < 8192) return;
      const m = HTTP_STATUS_LINE.exec(text);
      if (m) {
        const status = Number(m[1]);
        const body = text.slice(text.indexOf('\r\n\r\n') + 4).replace(/\s+/g, ' ').trim().slice(0, 120);
        finish('http-status', `HTTP ${status}${body ? `: ${body}` : ''}`, { httpStatus: status });
      } else {
        finish('accepted', `the target answered with non-HTTP data: ${JSON.stringify(text.slice(0, 40))}`);
      }
    });

    socket.on('error', (err: NodeJS.ErrnoException) => {
      const alert = alertFromError(err);
      if (alert) {
        const outcome = secure ? 'post-handshake-alert' : 'handshake-alert';
        finish(outcome, `alert ${alert.code} ${alert.name}${secure ? ' after the handshake' : ' during the handshake'}`, { alert });
        return;
      }
      if (err.code === 'ERR_SSL_UNSUPPORTED_PROTOCOL' && !secure) {
        // The server answered with a version the harness did not offer: it does not speak the
        // pinned version. The harness's OpenSSL aborts with protocol_version (RFC 8446 §4.2.1).
        finish('handshake-alert', `the server answered with a protocol version outside ${input.minVersion}..${input.maxVersion}; the harness aborted with alert 70 protocol_version`, {
          alert: { code: 70, name: 'protocol_version' },
        });
        return;
      }
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
        // Node reports a peer that closed mid-handshake as ECONNRESET without a syscall.
        if (!err.syscall) finish('closed-no-data', `the target closed the connection ${secure ? 'after' : 'during'} the handshake without an alert`);
        else finish('tcp-reset', `the target reset the connection ${secure ? 'after' : 'during'} the handshake`);
        return;
      }
      finish('harness-error', `${err.code ?? 'error'}: ${err.message}`);
    });

    socket.on('end', () => {
      if (received.length === 0) finish('closed-no-data', `the target closed the connection ${secure ? 'after' : 'during'} the handshake without sending data`);
    });
    socket.on('close', () => {
      if (received.length === 0) finish('closed-no-data', `the connection closed ${secure ? 'after' : 'during'} the handshake without data`);
      else finish('accepted', 'the target answered and closed the connection');
    });
  });
}

function peerFacts(socket: tls.TLSSocket, name: string): PeerCertificateFacts | undefined {
  const raw = socket.getPeerCertificate(false);
  if (!raw || !raw.raw) return undefined;
  const cert = new X509Certificate(raw.raw);
  const hostError = tls.checkServerIdentity(name, raw);
  return {
    authorized: socket.authorized,
    authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
    hostnameMatches: hostError === undefined,
    hostnameError: hostError ? hostError.message : null,
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    validTo: cert.validToDate.toISOString(),
    certPem: cert.toString(),
    observedAt: new Date().toISOString(),
  };
}

/**
 * The certificates the target actually sends, leaf first. Node completes `getPeerCertificate(true)`
 * from the client's own CA list (PLATFORM.md), so this connection trusts only `unrelatedCaPem`, a
 * CA no target chains to: what comes back is then exactly what the server sent.
 */
export function probeSentChain(input: {
  host: string;
  port: number;
  servername?: string;
  certChainPem?: string;
  keyPem?: string;
  unrelatedCaPem: string;
  timeoutMs: number;
}): Promise<string[] | null> {
  return new Promise((resolve) => {
    const name = input.servername ?? input.host;
    let socket: tls.TLSSocket;
    const done = (chain: string[] | null) => {
      clearTimeout(timer);
      socket?.destroy();
      resolve(chain);
    };
    const timer = setTimeout(() => done(null), input.timeoutMs);
    try {
      socket = tls.connect({
        host: input.host,
        port: input.port,
        ...(isIP(name) ? {} : { servername: name }),
        ca: [input.unrelatedCaPem],
        cert: input.certChainPem,
        key: input.keyPem,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
      });
    } catch {
      done(null);
      return;
    }
    socket.once('secureConnect', () => {
      const chain: string[] = [];
      const seen = new Set<string>();
      let c: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      while (c?.raw && !seen.has(c.fingerprint256)) {
        seen.add(c.fingerprint256);
        chain.push(new X509Certificate(c.raw).toString());
        c = c.issuerCertificate;
      }
      done(chain);
    });
    socket.on('error', () => done(null));
  });
}
