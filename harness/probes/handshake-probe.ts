import { isIP } from 'node:net';
import * as tls from 'node:tls';
import * as http2 from 'node:http2';
import { X509Certificate } from 'node:crypto';
import { alertFromError } from '../tls/alerts.js';
import { DEFAULT_GRPC_PATH, EMPTY_GRPC_MESSAGE, decodeGrpcMessage, grpcStatusName, parseGrpcStatus } from '../tls/grpc-status.js';
import type { AppProtocol, Observation, Outcome, PeerCertificateFacts, TlsVersion } from '../model.js';

/**
 * One exchange with a target server, the harness playing the client. Never throws for the
 * target's behaviour: a refusal is an Observation. Every wait is bounded by `timeoutMs`.
 */

/** OpenSSL's codes for a peer that breaks the TLS framing (RFC 8446 §5), in a user's words. */
const MALFORMED_TLS: Record<string, string> = {
  PACKET_LENGTH_TOO_LONG: 'a TLS record longer than TLS allows (RFC 8446 §5.1: 2^14 bytes plus overhead)',
  DATA_LENGTH_TOO_LONG: 'a TLS record longer than TLS allows (RFC 8446 §5.1: 2^14 bytes plus overhead)',
  ENCRYPTED_LENGTH_TOO_LONG: 'an encrypted TLS record longer than TLS allows (RFC 8446 §5.2)',
  EXCESSIVE_MESSAGE_SIZE: 'a handshake message larger than a TLS client accepts (a certificate chain or message of megabytes)',
  RECORD_LENGTH_MISMATCH: 'a TLS record whose length does not match its content',
  BAD_LENGTH: 'a handshake message whose length field does not match its content',
  LENGTH_MISMATCH: 'a handshake message whose length field does not match its content',
  BAD_PACKET_LENGTH: 'a record of an impossible length',
  UNEXPECTED_MESSAGE: 'a handshake message out of order',
  UNEXPECTED_RECORD: 'a TLS record of a type not allowed at that point',
  WRONG_VERSION_NUMBER: 'a record that is not TLS (wrong version number)',
  DECRYPTION_FAILED_OR_BAD_RECORD_MAC: 'a record that does not decrypt (bad record MAC)',
  BAD_RECORD_TYPE: 'a record of an unknown type',
};

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
  /**
   * https: offer ALPN h2 and http/1.1 and send a request over whichever the server selects;
   * grpc: offer h2 and make a gRPC call to `httpPath` (`/` means DEFAULT_GRPC_PATH);
   * tls: no ALPN, the connection must stay open for `readWindowMs`.
   */
  protocol: AppProtocol;
  httpPath: string;
  httpMethod: string;
  timeoutMs: number;
  /** For protocol tls: how long the connection must stay open and error-free to count as accepted. */
  readWindowMs: number;
}

/** The ALPN list the harness offers, like a real client of that protocol (RFC 7301, RFC 9113 §3.2). */
export function alpnFor(protocol: AppProtocol): string[] | undefined {
  return protocol === 'https' ? ['h2', 'http/1.1'] : protocol === 'grpc' ? ['h2'] : undefined;
}

const HTTP_STATUS_LINE = /^HTTP\/\d(?:\.\d)? (\d{3})/;
/** How long an HTTP/2 response body is read for its first words once the headers are in. */
const BODY_GRACE_MS = 100;

export function probeHandshake(input: HandshakeProbeInput): Promise<Observation> {
  const started = performance.now();
  return new Promise<Observation>((resolve) => {
    let settled = false;
    let secure = false;
    let answered = false;
    let received = Buffer.alloc(0);
    let tlsVersion: string | null = null;
    let cipher: string | null = null;
    let alpn: string | null | undefined;
    let peer: PeerCertificateFacts | undefined;
    let socket: tls.TLSSocket | undefined;
    let session: http2.ClientHttp2Session | undefined;
    const timers: NodeJS.Timeout[] = [];

    const finish = (outcome: Outcome, detail: string, extra: Partial<Observation> = {}) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      session?.destroy();
      socket?.destroy();
      resolve({
        outcome,
        alert: null,
        httpStatus: null,
        tlsVersion,
        cipher,
        detail,
        durationMs: Math.round(performance.now() - started),
        ...(alpn !== undefined ? { alpn } : {}),
        ...(peer ? { peer } : {}),
        ...extra,
      });
    };
    // A TLS alert and the HTTP/2 stream's end can race; the alert (read from the socket) is the
    // more precise fact, so stream-level endings wait one turn of the event loop.
    const finishSoon = (outcome: Outcome, detail: string, extra: Partial<Observation> = {}) => {
      timers.push(setTimeout(() => finish(outcome, detail, extra), 20));
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
      ALPNProtocols: alpnFor(input.protocol),
      checkServerIdentity: () => undefined,
    };
    const name = input.servername ?? input.host;
    if (!isIP(name)) options.servername = name;
    if (input.certChainPem && input.keyPem) {
      options.cert = input.certChainPem;
      options.key = input.keyPem;
    }
    const authority = isIP(input.host) === 6 ? `[${input.host}]:${input.port}` : `${name}:${input.port}`;

    timers.push(
      setTimeout(() => {
        const awaited = !secure ? 'the TLS handshake to complete' : input.protocol === 'grpc' ? 'a gRPC response' : input.protocol === 'https' ? 'an HTTP response' : 'the read window';
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

    const onError = (err: NodeJS.ErrnoException) => {
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
      if (secure && err.code?.startsWith('ERR_HTTP2_')) {
        // The HTTP/2 session failed after the handshake (GOAWAY with an error, a protocol error): no answer to the request.
        finishSoon('closed-no-data', `the HTTP/2 session ended without a response (${err.code}: ${err.message})`);
        return;
      }
      const malformed = err.code ? MALFORMED_TLS[err.code.replace(/^ERR_SSL_/, '')] : undefined;
      if (malformed) {
        // The target broke TLS itself: said so in a sentence, not OpenSSL's text alone; nothing to judge.
        finish('harness-error', `the target sent malformed TLS ${secure ? 'after' : 'during'} the handshake: ${malformed}; the harness aborted the connection (${err.code})`);
        return;
      }
      finish('harness-error', `${err.code ?? 'error'}: ${err.message}`);
    };

    socket.once('secureConnect', () => {
      secure = true;
      tlsVersion = socket!.getProtocol() ?? null;
      cipher = socket!.getCipher()?.standardName ?? null;
      alpn = socket!.alpnProtocol || null;
      if (input.ca) peer = peerFacts(socket!, name);
      if (input.protocol === 'tls') {
        socket!.on('data', onHttp1Data);
        timers.push(setTimeout(() => finish('accepted', `connection stayed open for ${input.readWindowMs} ms after the handshake`), input.readWindowMs));
      } else if (alpn === 'h2' || input.protocol === 'grpc') {
        // gRPC is HTTP/2 only (gRPC over HTTP/2 spec): without a selected protocol, prior knowledge.
        requestOverHttp2();
      } else {
        socket!.on('data', onHttp1Data);
        socket!.write(`${input.httpMethod} ${input.httpPath} HTTP/1.1\r\nHost: ${authority}\r\nUser-Agent: mtls-conformance\r\nAccept: */*\r\nConnection: close\r\n\r\n`);
      }
    });

    const onHttp1Data = (chunk: Buffer) => {
      answered = true;
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
    };

    /** One request on one stream of an HTTP/2 session over the TLS connection already made (RFC 9113 §8). */
    const requestOverHttp2 = () => {
      const grpc = input.protocol === 'grpc';
      const path = grpc && input.httpPath === '/' ? DEFAULT_GRPC_PATH : input.httpPath;
      const over = alpn === 'h2' ? 'HTTP/2' : 'HTTP/2 (prior knowledge: the server selected no ALPN protocol)';
      try {
        session = http2.connect(`https://${authority}`, { createConnection: () => socket! });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        finish('harness-error', `the harness could not start an HTTP/2 session: ${e.code ?? ''} ${e.message}`.trim());
        return;
      }
      session.on('error', onError);
      session.on('goaway', (code: number) => {
        if (!answered) finishSoon('closed-no-data', `the target ended the HTTP/2 session (GOAWAY, error code ${code}) without answering the ${grpc ? 'gRPC call' : 'request'}`);
      });
      const headers: http2.OutgoingHttpHeaders = grpc
        ? { ':method': 'POST', ':path': path, ':scheme': 'https', ':authority': authority, 'content-type': 'application/grpc', te: 'trailers', 'user-agent': 'mtls-conformance' }
        : { ':method': input.httpMethod, ':path': path, ':scheme': 'https', ':authority': authority, 'user-agent': 'mtls-conformance', accept: '*/*' };
      const bodyless = !grpc && (input.httpMethod === 'GET' || input.httpMethod === 'HEAD');
      let stream: http2.ClientHttp2Stream;
      try {
        stream = session.request(headers, { endStream: bodyless });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        finishSoon('closed-no-data', `the HTTP/2 session closed before the request could be sent (${e.code ?? e.message})`);
        return;
      }
      if (grpc) stream.end(EMPTY_GRPC_MESSAGE);
      else if (!bodyless) stream.end();

      let status: number | null = null;
      let body = '';
      let grpcStatus: number | null = null;
      // A grpc-status that is not a status code: what was seen, for a malformed answer.
      let grpcMalformed: string | null = null;
      let grpcMessage = '';
      const readGrpc = (h: http2.IncomingHttpHeaders) => {
        const s = h['grpc-status'];
        if (s !== undefined && grpcStatus === null && grpcMalformed === null) {
          const parsed = parseGrpcStatus(s);
          if ('code' in parsed) grpcStatus = parsed.code;
          else grpcMalformed = parsed.malformed;
          grpcMessage = decodeGrpcMessage(h['grpc-message']);
        }
      };
      const grpcAnswered = () => grpcStatus !== null || grpcMalformed !== null;
      const finishGrpc = () => {
        const message = grpcMessage ? `: ${grpcMessage.slice(0, 120)}` : '';
        if (grpcMalformed !== null) return finish('malformed-answer', `${grpcMalformed}${message} (HTTP ${status}, ${over}, POST ${path})`, { httpStatus: status, grpcStatus: null });
        const code = grpcStatus!;
        finish('grpc-status', `gRPC status ${code} ${grpcStatusName(code)}${message} (${over}, POST ${path})`, { httpStatus: status, grpcStatus: code });
      };
      const finishHttp = () => {
        const text = body.replace(/\s+/g, ' ').trim().slice(0, 120);
        // A gRPC call must end with a grpc-status (gRPC over HTTP/2, Response): an answer without one
        // (HTTP 500 from a proxy, a bare 200) is malformed, and says what was seen.
        if (grpc) return finish('malformed-answer', `the gRPC call was answered with HTTP ${status} and no grpc-status${text ? `: ${text}` : ''} (${over}, POST ${path})`, { httpStatus: status, grpcStatus: null });
        finish('http-status', `HTTP ${status}${text ? `: ${text}` : ''} (${over})`, { httpStatus: status });
      };
      stream.on('response', (h) => {
        answered = true;
        status = Number(h[':status']);
        readGrpc(h);
        // A trailers-only gRPC answer carries grpc-status with the headers (gRPC over HTTP/2, Response).
        if (grpcAnswered()) return finishGrpc();
        // A gRPC answer is HTTP 200 (gRPC over HTTP/2, Response) and ends with trailers; any other status has no trailers to wait for.
        const isGrpc = (grpc || String(h['content-type'] ?? '').startsWith('application/grpc')) && status === 200;
        // An HTTP answer: read the first words of the body, bounded; a gRPC answer: wait for its trailers.
        if (!isGrpc) timers.push(setTimeout(finishHttp, BODY_GRACE_MS));
      });
      stream.on('trailers', (h) => {
        readGrpc(h);
        if (grpcAnswered()) finishGrpc();
      });
      stream.on('data', (chunk: Buffer) => {
        if (body.length < 8192) body += chunk.toString('latin1');
      });
      stream.on('end', () => {
        if (grpcAnswered()) return finishGrpc();
        if (status !== null) return finishHttp();
      });
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (status !== null) return grpcAnswered() ? finishGrpc() : finishHttp();
        finishSoon('closed-no-data', `the HTTP/2 stream ended without a response (${err.code ?? 'error'}: ${err.message})`);
      });
      stream.on('close', () => {
        if (status !== null) return grpcAnswered() ? finishGrpc() : finishHttp();
        finishSoon('closed-no-data', `the target closed the HTTP/2 stream without a response${stream.rstCode ? ` (RST_STREAM error code ${stream.rstCode})` : ''}`);
      });
    };

    socket.on('error', onError);
    socket.on('end', () => {
      if (!answered) finish('closed-no-data', `the target closed the connection ${secure ? 'after' : 'during'} the handshake without sending data`);
    });
    socket.on('close', () => {
      if (!answered) finish('closed-no-data', `the connection closed ${secure ? 'after' : 'during'} the handshake without data`);
      else if (!session) finish('accepted', 'the target answered and closed the connection');
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
