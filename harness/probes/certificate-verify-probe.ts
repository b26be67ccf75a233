import { createPublicKey, X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1 from '@peculiar/asn1-x509';
import { connect, isIP } from 'node:net';
import type { Observation, Outcome } from '../model.js';
import { alertByCode, type Alert } from '../tls/alerts.js';
import { hsName, type CertificateRequestFacts, type CertificateVerifyFacts, type HandshakeDriver, type HandshakeHost } from './handshake-driver.js';
import { chainOf, signerFor, probeInputError } from './handshake-signer.js';
import { CONTENT, MAX_CIPHERTEXT, MAX_PLAINTEXT, TLS13_SUITES, tls13Suite } from './tls13-keys.js';
import { Tls13Handshake } from './tls13-handshake.js';
import { TLS12_SUITES, tls12Suite } from './tls12-keys.js';
import { Tls12Handshake } from './tls12-handshake.js';

export type { CertificateRequestFacts, CertificateVerifyFacts, CertificateVerifyStage } from './handshake-driver.js';
export { freshKeyLike, schemeName, SIGNATURE_SCHEMES } from './handshake-signer.js';
export { clientVerifyContent, parseCertificateRequest } from './tls13-handshake.js';

/**
 * A client handshake written by the harness, to present a valid certificate and sign the
 * CertificateVerify with a key of the caller's choosing (RFC 8446 §4.4.3, RFC 5246 §7.4.8): a
 * server that does not check the signature admits anyone who holds the public certificate.
 * node:tls always signs with the certificate's own key, so this needs our own bytes: the ClientHello
 * from raw-hello.ts, the key schedules and record protection from tls13-keys.ts and tls12-keys.ts.
 * Not a TLS stack: no resumption, no renegotiation, no check of the server's signature. The
 * server's Finished is checked, so a broken key schedule shows as a harness error, never as the
 * target's verdict.
 *
 * This file is the connection: socket, bounds, records, alerts and the answer. The handshakes are
 * tls13-handshake.ts and tls12-handshake.ts. Every byte from the server is untrusted: reads are
 * bounded in bytes (`maxBytes`) and time (`timeoutMs`), each length is checked, and whatever the
 * server does is an Observation.
 */

export interface CertificateVerifyProbeInput {
  /** 127.0.0.1, ::1 or a name that resolves there. */
  host: string;
  port: number;
  /** SNI and the Host header; left out of SNI when absent or an IP address. */
  servername?: string;
  /** The chain to present, leaf first, PEM. */
  certChainPem: string;
  /** The key that signs CertificateVerify: the leaf's own (control) or another of the same type (wrong-key run). */
  signingKeyPem: string;
  /**
   * ALPN protocols offered (RFC 7301); default ['http/1.1'], [] for no ALPN extension. The request
   * is always HTTP/1.1: offer ['h2'] to an HTTP/2-only (gRPC) target that refuses http/1.1 with
   * alert 120, and its first frames come back as `accepted` (non-HTTP data) after a good handshake.
   */
  alpn?: string[];
  httpPath: string;
  httpMethod: string;
  /** Bound on the whole exchange, connect included. */
  timeoutMs: number;
  /** Default TLSv1.3. TLSv1.2: ECDHE with AES-GCM (RFC 5289), for targets that allow TLS 1.2. */
  version?: 'TLSv1.3' | 'TLSv1.2';
  /** Suites offered, in order; default every suite the prober implements for the version. */
  suites?: number[];
  /** Stop reading after this many bytes from the server; default 512 KiB. */
  maxBytes?: number;
}

export type CertificateVerifyObservation = Observation & { certificateVerify: CertificateVerifyFacts };

export const DEFAULT_MAX_BYTES = 512 * 1024;
/** One handshake message from the server: a long chain or a long CA list fits, a 16 MiB claim does not. */
const MAX_HANDSHAKE_MESSAGE = 256 * 1024;
/** Only the status line and the first words of the body are read. */
const MAX_ANSWER_BYTES = 8192;
const HTTP_STATUS_LINE = /^HTTP\/\d(?:\.\d)? (\d{3})/;
/** Outcomes after which the connection is still the harness's to close: an answer, the server's own close_notify, a silence. */
const CLEAN_CLOSE: ReadonlySet<Outcome> = new Set(['http-status', 'accepted', 'closed-no-data', 'timeout']);
/** How long a closed probe's socket may wait for the server's side of the close. */
const CLOSE_WAIT_MS = 1000;

/**
 * Whether a CertificateRequest names the CA of `caCertPem` among its certificate_authorities
 * (RFC 8446 §4.2.4, RFC 5246 §7.4.4): the DER of the CA's subject, compared byte for byte, as a
 * client picking a certificate by issuer would. False when the request names no CA at all.
 */
export function requestNamesCa(request: CertificateRequestFacts, caCertPem: string): boolean {
  const cert = AsnConvert.parse(new X509Certificate(caCertPem).raw, asn1.Certificate);
  const subject = Buffer.from(AsnConvert.serialize(cert.tbsCertificate.subject)).toString('hex');
  return request.certificateAuthoritiesDer.includes(subject);
}

/**
 * One handshake presenting `certChainPem` with CertificateVerify signed by `signingKeyPem`, then
 * one HTTP/1.1 request. Never rejects for what the server does; rejects with a HarnessError
 * (code `certificate-verify-input`) only for unusable input: a chain or key that does not parse,
 * a suite the prober does not implement.
 */
export async function probeCertificateVerify(input: CertificateVerifyProbeInput): Promise<CertificateVerifyObservation> {
  const version = input.version ?? 'TLSv1.3';
  if (version !== 'TLSv1.3' && version !== 'TLSv1.2') throw probeInputError(`version ${JSON.stringify(version)} is not TLSv1.3 or TLSv1.2`);
  const chain = chainOf(input.certChainPem);
  const signer = signerFor(input.signingKeyPem);
  const spki = (k: Parameters<typeof createPublicKey>[0]) => createPublicKey(k).export({ type: 'spki', format: 'der' });
  const keyMatchesCertificate = chain[0]!.publicKey.export({ type: 'spki', format: 'der' }).equals(spki(input.signingKeyPem));
  const known = version === 'TLSv1.3' ? TLS13_SUITES : TLS12_SUITES;
  const suites = input.suites ?? known.map((s) => s.code);
  for (const s of suites) {
    if (!(version === 'TLSv1.3' ? tls13Suite(s) : tls12Suite(s))) {
      throw probeInputError(`suite 0x${s.toString(16)} is not a ${version} suite the prober implements (${known.map((k) => `0x${k.code.toString(16)}`).join(', ')})`);
    }
  }
  // RFC 9110 §9.1 / §4.1: a method is a token, a request target has no whitespace; anything else would split the request.
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(input.httpMethod)) throw probeInputError(`httpMethod ${JSON.stringify(input.httpMethod)} is not an HTTP method token`);
  if (!/^[\x21-\x7e]+$/.test(input.httpPath)) throw probeInputError(`httpPath ${JSON.stringify(input.httpPath)} is not a request target (printable ASCII, no spaces)`);
  const maxBytes = input.maxBytes ?? DEFAULT_MAX_BYTES;
  const alpnOffer = input.alpn ?? ['http/1.1'];
  const name = input.servername ?? input.host;
  const authority = `${isIP(name) === 6 ? `[${name}]` : name}:${input.port}`;
  const request = Buffer.from(`${input.httpMethod} ${input.httpPath} HTTP/1.1\r\nHost: ${authority}\r\nUser-Agent: mtls-conformance\r\nAccept: */*\r\nConnection: close\r\n\r\n`, 'latin1');

  const started = performance.now();
  const since = () => Math.round(performance.now() - started);

  return new Promise<CertificateVerifyObservation>((resolve) => {
    const facts: CertificateVerifyFacts = {
      version,
      scheme: null,
      keyType: signer.keyType,
      keyMatchesCertificate,
      certificateRequest: null,
      serverFinishedVerified: false,
      group: null,
      helloRetry: false,
      serverCertificates: null,
      stage: 'connect',
      timings: { connectMs: null, serverFlightMs: null, clientFlightMs: null, totalMs: 0 },
    };
    let tlsVersion: string | null = null;
    let cipher: string | null = null;
    let alpn: string | null | undefined;
    let pending: Buffer = Buffer.alloc(0);
    let handshake: Buffer = Buffer.alloc(0);
    let answer: Buffer = Buffer.alloc(0);
    let received = 0;
    let connected = false;
    let settled = false;
    /** The last warning alert: what the server said, if it then closes without another word. */
    let lastWarning: Alert | null = null;

    const finish = (outcome: Outcome, detail: string, extra: Partial<Observation> = {}) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      close(outcome);
      facts.timings.totalMs = since();
      resolve({
        outcome,
        alert: null,
        httpStatus: null,
        tlsVersion,
        cipher,
        detail,
        durationMs: facts.timings.totalMs,
        ...(alpn !== undefined ? { alpn } : {}),
        ...extra,
        certificateVerify: facts,
      });
    };
    const complete = () => facts.stage === 'answer';
    /**
     * RFC 8446 §6.1 (RFC 5246 §7.2.1 alike): a party closing the connection sends close_notify
     * first, or the peer sees a truncation. Sent once the handshake is complete and the connection
     * still stands (not after the server's fatal alert or reset); the socket then ends, destroyed
     * at the latest CLOSE_WAIT_MS later. The observation does not wait for it.
     */
    const close = (outcome: Outcome) => {
      const goodbye = CLEAN_CLOSE.has(outcome) && !socket.destroyed && socket.writable ? driver.closeNotify() : null;
      if (!goodbye) return void socket.destroy();
      const bound = setTimeout(() => socket.destroy(), CLOSE_WAIT_MS);
      bound.unref();
      socket.once('close', () => clearTimeout(bound));
      socket.end(goodbye);
    };
    /** The server broke TLS: nothing to judge, the harness says what it saw. */
    const malformed = (what: string): false => {
      finish('harness-error', `the target sent malformed TLS ${complete() ? 'after' : 'during'} the handshake: ${what}`);
      return false;
    };

    const host: HandshakeHost = {
      facts,
      write: (bytes) => {
        if (!settled) socket.write(bytes);
      },
      malformed,
      finish,
      negotiated: (n) => {
        if (n.tlsVersion !== undefined) tlsVersion = n.tlsVersion;
        if (n.cipher !== undefined) cipher = n.cipher;
        if (n.alpn !== undefined) alpn = n.alpn;
      },
      since,
    };
    const options = { suites, ...(input.servername ? { servername: input.servername } : {}), alpn: alpnOffer, chain, signer, request };
    const driver: HandshakeDriver = version === 'TLSv1.3' ? new Tls13Handshake(host, options) : new Tls12Handshake(host, options);

    /** What the answer bytes say, once the status line is in or the connection ended. */
    const judgeAnswer = (final: boolean) => {
      const text = answer.toString('latin1');
      if (!text.includes('\r\n') && !final && answer.length < MAX_ANSWER_BYTES) return;
      const m = HTTP_STATUS_LINE.exec(text);
      if (m) {
        const status = Number(m[1]);
        const at = text.indexOf('\r\n\r\n');
        const body = at === -1 ? '' : text.slice(at + 4).replace(/\s+/g, ' ').trim().slice(0, 120);
        finish('http-status', `HTTP ${status}${body ? `: ${body}` : ''}`, { httpStatus: status });
      } else {
        finish('accepted', `the target answered with non-HTTP data: ${JSON.stringify(text.slice(0, 40))}`);
      }
    };

    const onAlert = (body: Buffer) => {
      // RFC 8446 §6 / RFC 5246 §7.2: two bytes. TLS 1.3 treats all but close_notify and user_canceled as fatal;
      // a TLS 1.2 warning other than those has no place in this exchange, so it ends the probe the same way.
      if (body.length !== 2) return malformed(`an alert record of ${body.length} bytes`);
      const alert = alertByCode(body[1]!);
      if (alert.code === 90) return; // user_canceled: a close_notify should follow.
      // A warning (unrecognized_name from some servers, before the ServerHello) does not end the handshake;
      // TLS 1.3 allows none after the ServerHello (RFC 8446 §6).
      if (body[0] === 1 && alert.code !== 0 && (version === 'TLSv1.2' || facts.stage === 'server-hello')) {
        lastWarning = alert;
        return;
      }
      if (alert.code === 0) {
        if (answer.length > 0) return judgeAnswer(true);
        return finish('closed-no-data', `the target sent close_notify ${complete() ? 'after the handshake without answering' : `during the handshake (waiting for ${driver.awaiting()})`}`);
      }
      const outcome: Outcome = complete() ? 'post-handshake-alert' : 'handshake-alert';
      const when = complete() ? (version === 'TLSv1.3' ? 'after the client Finished' : 'after the handshake') : `during the handshake (waiting for ${driver.awaiting()})`;
      finish(outcome, `alert ${alert.code} ${alert.name} ${when}`, { alert });
    };

    /** Reassemble handshake messages from record contents (RFC 8446 §5.1, RFC 5246 §6.2.1: they may span records). */
    const pushHandshake = (content: Buffer): boolean => {
      handshake = handshake.length ? Buffer.concat([handshake, content]) : content;
      while (handshake.length >= 4) {
        const len = handshake.readUIntBE(1, 3);
        if (len > MAX_HANDSHAKE_MESSAGE) return malformed(`${hsName(handshake[0]!)} claims ${len} bytes, more than the ${MAX_HANDSHAKE_MESSAGE} read`);
        if (handshake.length < 4 + len) return true;
        const raw = handshake.subarray(0, 4 + len);
        handshake = handshake.subarray(4 + len);
        const keysBefore = driver.readKeys;
        if (!driver.onHandshake(raw[0]!, raw.subarray(4), raw) || settled) return false;
        // RFC 8446 §5.1: handshake messages must not span a key change (after ServerHello, after the server Finished).
        if (driver.readKeys !== keysBefore && handshake.length > 0) return malformed(`handshake data follows ${hsName(raw[0]!)} in its record, across a key change`);
      }
      return true;
    };

    const onRecords = () => {
      while (!settled && pending.length >= 5) {
        const type = pending[0]!;
        const length = pending.readUInt16BE(3);
        if (pending[1] !== 3) return malformed(`not a TLS record (content type ${type}, version byte ${pending[1]})`);
        if (type < CONTENT.change_cipher_spec || type > CONTENT.application_data) return malformed(`record of unknown content type ${type}`);
        const protectedRecord = driver.readKeys !== null && (type === CONTENT.application_data || !driver.innerTypes);
        // RFC 8446 §5.1-5.2, RFC 5246 §6.2: plaintext at most 2^14, a protected record at most 2^14 + 256 (1.3) or 2^14 + 2048 (1.2).
        const limit = protectedRecord ? (driver.innerTypes ? MAX_CIPHERTEXT : MAX_PLAINTEXT + 2048) : MAX_PLAINTEXT;
        if (length > limit) return malformed(`a record of ${length} bytes, more than ${limit} (RFC 8446 §5, RFC 5246 §6.2)`);
        if (pending.length < 5 + length) return;
        const header = pending.subarray(0, 5);
        const body = pending.subarray(5, 5 + length);
        pending = pending.subarray(5 + length);
        if (type === CONTENT.change_cipher_spec) {
          if (length !== 1 || body[0] !== 1) return malformed('a change_cipher_spec record that is not the single byte 1');
          if (handshake.length > 0) return malformed('a change_cipher_spec in the middle of a handshake message');
          if (!driver.onChangeCipherSpec()) return;
          continue;
        }
        let inner = type;
        let content = body;
        if (protectedRecord) {
          const opened = driver.readKeys!.open(header, body);
          // Our key schedules are tested against RFC vectors: a record that does not open is the target's garbage or a disagreement, no verdict.
          if ('error' in opened) return finish('harness-error', `a record from the target does not decrypt: ${opened.error}`);
          inner = opened.type;
          content = opened.content;
        } else if (type === CONTENT.application_data) {
          return malformed('application_data before the keys were agreed');
        } else if (type === CONTENT.handshake && driver.readKeys !== null) {
          return malformed('an unprotected handshake record after the ServerHello');
        }
        if (inner === CONTENT.alert) {
          onAlert(content);
        } else if (inner === CONTENT.handshake) {
          if (content.length === 0) return malformed('an empty handshake record');
          if (!pushHandshake(content)) return;
        } else if (inner === CONTENT.application_data) {
          if (!driver.application) return malformed('application data before the handshake completed');
          answer = Buffer.concat([answer, content.subarray(0, MAX_ANSWER_BYTES - answer.length)]);
          judgeAnswer(false);
        } else {
          return malformed(`a protected record of inner content type ${inner}`);
        }
      }
    };

    const ended = (how: 'closed' | 'reset') => {
      if (settled) return;
      if (answer.length > 0) return judgeAnswer(true);
      if (pending.length > 0 || handshake.length > 0) return malformed(`the connection ${how === 'reset' ? 'was reset' : 'closed'} mid-record after ${received} bytes`);
      const when = !connected ? 'before connecting' : complete() ? 'after the handshake' : `during the handshake (waiting for ${driver.awaiting()})`;
      if (lastWarning) return finish(complete() ? 'post-handshake-alert' : 'handshake-alert', `warning alert ${lastWarning.code} ${lastWarning.name}, then the connection ${how === 'reset' ? 'was reset' : 'closed'} ${when}`, { alert: lastWarning });
      if (how === 'reset') return finish('tcp-reset', `the target reset the connection ${when}`);
      finish('closed-no-data', `the target closed the connection ${when} without an alert or data`);
    };

    const socket = connect({ host: input.host, port: input.port });
    const timer = setTimeout(() => {
      const waited = facts.stage === 'connect' ? 'the TCP connection' : driver.awaiting();
      finish('timeout', `no answer within ${input.timeoutMs} ms while waiting for ${waited}`);
    }, input.timeoutMs);
    socket.setNoDelay(true);
    socket.on('connect', () => {
      connected = true;
      facts.timings.connectMs = since();
      facts.stage = 'server-hello';
      socket.write(driver.clientHello);
    });
    socket.on('data', (chunk: Buffer) => {
      if (settled) return;
      received += chunk.length;
      if (received > maxBytes) return void malformed(`more than ${maxBytes} bytes from the target`);
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      try {
        onRecords();
      } catch (err) {
        // A bug of ours, not the target's: reported, never a crash of the run.
        finish('harness-error', `internal error of the certificate-verify prober: ${(err as Error).message}`);
      }
    });
    socket.on('end', () => ended('closed'));
    socket.on('close', () => ended('closed'));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected) return finish('harness-error', `cannot connect to ${input.host}:${input.port}: ${err.code ?? ''} ${err.message}`.trim());
      ended(err.code === 'ECONNRESET' || err.code === 'EPIPE' || err.code === 'ECONNABORTED' ? 'reset' : 'closed');
    });
  });
}
