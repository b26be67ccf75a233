import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { connect, isIP } from 'node:net';
import { HarnessError, quote } from '../errors.js';
import { hexCode, suiteName, TLS_EMPTY_RENEGOTIATION_INFO_SCSV, type SuiteVersion } from '../tls/suite-codes.js';
import { alertByCode } from '../tls/alerts.js';

/**
 * A ClientHello written byte by byte by the harness, and the server's first answer read by the
 * harness: ServerHello or alert, nothing more. Node's bundled OpenSSL cannot offer SSLv3, RC4,
 * 3DES, DES or EXPORT suites, so asking a server whether it accepts them needs our own bytes.
 * No handshake is completed: the socket closes as soon as the answer is parsed.
 *
 * Every byte from the server is untrusted: each length is checked against what was received and
 * against fixed bounds, reads stop at `maxBytes`, and whatever the server does is an observation.
 */

export type HelloVersion = SuiteVersion;

/** Wire values (RFC 6101 §5.1, RFC 2246, RFC 4346, RFC 5246, RFC 8446 §4.2.1). */
export const VERSION_CODES: Readonly<Record<HelloVersion, number>> = {
  SSLv3: 0x0300,
  TLSv1: 0x0301,
  'TLSv1.1': 0x0302,
  'TLSv1.2': 0x0303,
  'TLSv1.3': 0x0304,
};

/** `TLSv1.2` for 0x0303; `0x7f1c` for a value that is not a released version. */
export function versionName(code: number): string {
  for (const [name, c] of Object.entries(VERSION_CODES)) if (c === code) return name;
  return hexCode(code);
}

// Content types (RFC 5246 §6.2.1) and handshake types (RFC 8446 §4).
const CT_CHANGE_CIPHER_SPEC = 20;
const CT_ALERT = 21;
const CT_HANDSHAKE = 22;
const CT_APPLICATION_DATA = 23;
const HS_CLIENT_HELLO = 1;
const HS_SERVER_HELLO = 2;

// Extension types (IANA "TLS ExtensionType Values").
export const EXT = {
  server_name: 0,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  signature_algorithms_cert: 50,
  key_share: 51,
  application_layer_protocol_negotiation: 16,
  extended_master_secret: 23,
  renegotiation_info: 0xff01,
} as const;

// RFC 8446 §4.2.7 / RFC 8422 §5.1.1
export const GROUP_X25519 = 0x001d;
export const GROUP_SECP256R1 = 0x0017;
export const GROUP_SECP384R1 = 0x0018;
const GROUPS = [GROUP_X25519, GROUP_SECP256R1, GROUP_SECP384R1];
/** RFC 8446 §4.2.8.2 / RFC 7748: key share lengths of the groups offered. */
const SHARE_LENGTH: Record<number, number> = { [GROUP_X25519]: 32, [GROUP_SECP256R1]: 65, [GROUP_SECP384R1]: 97 };

/**
 * RFC 8446 §4.2.3 / RFC 5246 §7.4.1.4.1: broad on purpose, SHA-1 and DSA included, so that a
 * legacy server finds something it can sign with and answers; the prober never verifies a
 * signature, so offering weak ones costs nothing.
 */
const SIGNATURE_ALGORITHMS = [
  0x0403, 0x0503, 0x0603, // ecdsa_secp256r1_sha256, ecdsa_secp384r1_sha384, ecdsa_secp521r1_sha512
  0x0807, 0x0808, // ed25519, ed448
  0x0804, 0x0805, 0x0806, // rsa_pss_rsae_sha256/384/512
  0x0809, 0x080a, 0x080b, // rsa_pss_pss_sha256/384/512
  0x0401, 0x0501, 0x0601, // rsa_pkcs1_sha256/384/512
  0x0303, 0x0301, 0x0302, // ecdsa_sha224, rsa_sha224, dsa_sha224
  0x0402, 0x0502, 0x0602, // dsa_sha256/384/512
  0x0203, 0x0201, 0x0202, // ecdsa_sha1, rsa_pkcs1_sha1, dsa_sha1
];

/** RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest"). */
export const HELLO_RETRY_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');
/** RFC 8446 §4.1.3: the last 8 bytes of the server random when a newer server negotiates 1.2, or 1.1 and below. */
const DOWNGRADE_TLS12 = Buffer.from('444f574e47524401', 'hex');
const DOWNGRADE_TLS11 = Buffer.from('444f574e47524400', 'hex');

/** RFC 5246 §6.2.3: TLSCiphertext.length must not exceed 2^14 + 2048. */
export const MAX_RECORD_LENGTH = 2 ** 14 + 2048;
/** A handshake message must fit one plaintext record here: RFC 5246 §6.2.1 limit for a fragment. */
const MAX_PLAINTEXT = 2 ** 14;
export const DEFAULT_MAX_BYTES = 16 * 1024;

export interface ClientHelloInput {
  version: HelloVersion;
  /** Cipher suite code points, offered in this order. */
  suites: number[];
  /** SNI; left out when absent or an IP address (RFC 6066 §3: literal IPs are not permitted). */
  servername?: string;
  /** 32 bytes; random by default. */
  random?: Buffer;
  /**
   * TLS 1.3: the key share to offer (RFC 8446 §4.2.8): an X25519 key (32 bytes) or an uncompressed
   * P-256/P-384 point. Absent: a fresh X25519 key whose private half is thrown away, enough to read
   * a ServerHello; a prober that completes the handshake passes its own.
   */
  keyShare?: { group: number; key: Buffer };
  /** TLS 1.3: legacy_session_id (RFC 8446 §4.1.2, 32 bytes); random by default. A second ClientHello repeats the first's. */
  sessionId?: Buffer;
  /** TLS 1.3: the cookie a HelloRetryRequest sent, echoed in the second ClientHello (RFC 8446 §4.2.2). */
  cookie?: Buffer;
  /** ALPN protocol names to offer (RFC 7301 §3.1); absent: no ALPN extension. */
  alpn?: string[];
  /** TLS 1.0-1.2: offer extended_master_secret (RFC 7627 §5.1), for a prober that completes the handshake. */
  extendedMasterSecret?: boolean;
}

// --- writing

export function u8(n: number): Buffer {
  return Buffer.from([n & 0xff]);
}
export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
export function u24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}
/** `opaque data<0..2^8-1>` */
export function vec8(data: Buffer): Buffer {
  return Buffer.concat([u8(data.length), data]);
}
/** `opaque data<0..2^16-1>` */
export function vec16(data: Buffer): Buffer {
  return Buffer.concat([u16(data.length), data]);
}
export function list16(values: number[]): Buffer {
  // One buffer, not a 2-byte Buffer per value: a sweep's hello lists ~350 suites, many times a run.
  const out = Buffer.allocUnsafe(values.length * 2);
  values.forEach((v, i) => out.writeUInt16BE(v, i * 2));
  return out;
}
export function extension(type: number, data: Buffer): Buffer {
  return Buffer.concat([u16(type), vec16(data)]);
}

/** The 32-byte raw X25519 public key: the last 32 bytes of its SPKI DER (RFC 8410 §4). */
function x25519PublicKey(): Buffer {
  const { publicKey } = generateKeyPairSync('x25519');
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return Buffer.from(spki.subarray(spki.length - 32));
}

function inputError(what: string): HarnessError {
  return new HarnessError('raw-hello-input', `cannot build a ClientHello: ${what}.`);
}

function sniOf(servername: string | undefined): Buffer | null {
  if (!servername || isIP(servername)) return null;
  const name = servername.replace(/\.$/, '');
  // RFC 6066 §3: HostName is ASCII (A-labels), at most 2^16-1 bytes; DNS caps it at 253.
  if (!/^[\x21-\x7e]{1,253}$/.test(name)) throw inputError(`servername ${quote(servername)} is not an ASCII host name of at most 253 characters`);
  return vec16(Buffer.concat([u8(0 /* host_name */), vec16(Buffer.from(name, 'ascii'))]));
}

/**
 * One TLS record (content type handshake) holding one ClientHello. TLS ≤ 1.2: client_version is
 * the version asked for and the server negotiates by it; SSLv3 carries no extensions (RFC 6101
 * has none) and signals secure renegotiation with the SCSV instead (RFC 5746 §3.3). TLS 1.3:
 * legacy_version 1.2 and supported_versions [1.3] with an X25519 key share (RFC 8446 §4.1.2).
 * The record version is 1.0 (SSLv3 for SSLv3), as clients send for compatibility (RFC 8446 §5.1).
 */
export function buildClientHello(input: ClientHelloInput): Buffer {
  const code = VERSION_CODES[input.version];
  if (code === undefined) throw inputError(`unknown version ${quote(input.version)}; use SSLv3, TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3`);
  if (!Array.isArray(input.suites) || input.suites.length === 0) throw inputError('no cipher suites given');
  for (const s of input.suites) {
    if (!Number.isInteger(s) || s < 0 || s > 0xffff) throw inputError(`cipher suite ${quote(s)} is not a 16-bit code point`);
  }
  const random = input.random ?? randomBytes(32);
  if (random.length !== 32) throw inputError(`random must be 32 bytes, got ${random.length}`);
  const tls13 = input.version === 'TLSv1.3';
  const ssl3 = input.version === 'SSLv3';
  if (input.keyShare !== undefined && SHARE_LENGTH[input.keyShare.group] !== input.keyShare.key.length) {
    throw inputError(`a key share of group 0x${input.keyShare.group.toString(16)} cannot be ${input.keyShare.key.length} bytes (X25519: 32, P-256: 65, P-384: 97)`);
  }
  if (input.sessionId !== undefined && input.sessionId.length > 32) throw inputError(`a session id is at most 32 bytes, got ${input.sessionId.length}`);
  for (const p of input.alpn ?? []) {
    // RFC 7301 §3.1: ProtocolName<1..2^8-1>.
    if (typeof p !== 'string' || p.length === 0 || Buffer.byteLength(p) > 255) throw inputError(`ALPN protocol ${quote(p)} must be 1 to 255 bytes`);
  }

  const suites = ssl3 && !input.suites.includes(TLS_EMPTY_RENEGOTIATION_INFO_SCSV) ? [...input.suites, TLS_EMPTY_RENEGOTIATION_INFO_SCSV] : input.suites;
  const parts: Buffer[] = [
    u16(tls13 ? VERSION_CODES['TLSv1.2'] : code),
    random,
    // RFC 8446 §D.4: a non-empty legacy_session_id makes middleboxes see a resumption attempt.
    vec8(tls13 ? (input.sessionId ?? randomBytes(32)) : Buffer.alloc(0)),
    vec16(list16(suites)),
    vec8(Buffer.from([0 /* null compression */])),
  ];

  if (!ssl3) {
    const exts: Buffer[] = [];
    const sni = sniOf(input.servername);
    if (sni) exts.push(extension(EXT.server_name, sni));
    exts.push(extension(EXT.supported_groups, vec16(list16(GROUPS))));
    if (!tls13) exts.push(extension(EXT.ec_point_formats, vec8(Buffer.from([0 /* uncompressed */]))));
    exts.push(extension(EXT.signature_algorithms, vec16(list16(SIGNATURE_ALGORITHMS))));
    if (input.alpn?.length) exts.push(extension(EXT.application_layer_protocol_negotiation, vec16(Buffer.concat(input.alpn.map((p) => vec8(Buffer.from(p)))))));
    if (tls13) {
      exts.push(extension(EXT.signature_algorithms_cert, vec16(list16(SIGNATURE_ALGORITHMS))));
      exts.push(extension(EXT.supported_versions, vec8(u16(VERSION_CODES['TLSv1.3']))));
      exts.push(extension(EXT.psk_key_exchange_modes, vec8(Buffer.from([1 /* psk_dhe_ke */]))));
      const share = input.keyShare ?? { group: GROUP_X25519, key: x25519PublicKey() };
      exts.push(extension(EXT.key_share, vec16(Buffer.concat([u16(share.group), vec16(share.key)]))));
      if (input.cookie) exts.push(extension(EXT.cookie, vec16(input.cookie)));
    } else {
      // RFC 5746 §3.4: an empty renegotiated_connection on the initial handshake.
      exts.push(extension(EXT.renegotiation_info, vec8(Buffer.alloc(0))));
      if (input.extendedMasterSecret) exts.push(extension(EXT.extended_master_secret, Buffer.alloc(0)));
    }
    parts.push(vec16(Buffer.concat(exts)));
  }

  const body = Buffer.concat(parts);
  const handshake = Buffer.concat([u8(HS_CLIENT_HELLO), u24(body.length), body]);
  if (handshake.length > MAX_PLAINTEXT) throw inputError(`${input.suites.length} suites make a ClientHello of ${handshake.length} bytes, more than one record holds (${MAX_PLAINTEXT})`);
  return Buffer.concat([u8(CT_HANDSHAKE), u16(ssl3 ? VERSION_CODES.SSLv3 : VERSION_CODES.TLSv1), u16(handshake.length), handshake]);
}

// --- reading

/** The server's answer to one ClientHello. */
export type HelloAnswer =
  | {
      kind: 'server-hello';
      /** Negotiated version: supported_versions when present (RFC 8446 §4.2.1), else server_version. */
      version: string;
      suite: number;
      suiteName?: string;
      /** A HelloRetryRequest (RFC 8446 §4.1.4): the server picked this suite but wants another key share. */
      helloRetry: boolean;
      compression: number;
      /** Extension types in the order the server sent them. */
      extensions: number[];
      /**
       * RFC 8446 §4.1.3 sentinel in the server random: the server supports more than it negotiated
       * (TLS 1.3 servers must set it, TLS 1.2 servers should when they answer 1.1 or below).
       */
      downgradeSentinel?: 'TLSv1.2' | 'TLSv1.1-or-below';
      /** Warning-level alerts the server sent before its ServerHello. */
      warnings?: { code: number; name: string }[];
    }
  | { kind: 'alert'; level: 'warning' | 'fatal'; code: number; name: string }
  | { kind: 'closed' }
  | { kind: 'reset' }
  | { kind: 'timeout' }
  | { kind: 'malformed'; detail: string }
  /** The TCP connection itself failed (refused, unreachable): no TLS answer at all. */
  | { kind: 'connect-failed'; code: string; detail: string };

export type HelloObservation = HelloAnswer & {
  /** Bytes the server sent before the prober stopped reading. */
  bytesReceived: number;
  durationMs: number;
};

export type ServerHelloAnswer = Extract<HelloAnswer, { kind: 'server-hello' }>;
type Malformed = Extract<HelloAnswer, { kind: 'malformed' }>;

/** A cursor over an untrusted buffer: every read is checked, none throws. */
export class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  get left(): number {
    return this.buf.length - this.pos;
  }
  u8(): number | null {
    if (this.left < 1) return null;
    return this.buf[this.pos++];
  }
  u16(): number | null {
    if (this.left < 2) return null;
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  bytes(n: number): Buffer | null {
    if (n < 0 || this.left < n) return null;
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

/**
 * Parse a ServerHello body (RFC 5246 §7.4.1.3, RFC 8446 §4.1.3), the 4-byte handshake header
 * already removed. Any inconsistency is `malformed`, never an exception.
 */
export function parseServerHello(body: Buffer): ServerHelloAnswer | Malformed {
  const bad = (detail: string): Malformed => ({ kind: 'malformed', detail: `ServerHello: ${detail}` });
  const r = new Reader(body);
  const legacyVersion = r.u16();
  const random = r.bytes(32);
  if (legacyVersion === null || random === null) return bad(`${body.length} bytes, too short for version and random`);
  const sidLen = r.u8();
  if (sidLen === null) return bad('ends before the session id');
  if (sidLen > 32) return bad(`session id length ${sidLen} exceeds 32`);
  if (r.bytes(sidLen) === null) return bad(`session id of ${sidLen} bytes overruns the message`);
  const suite = r.u16();
  const compression = r.u8();
  if (suite === null || compression === null) return bad('ends before cipher suite and compression method');
  const extensions: number[] = [];
  let selected: number | null = null;
  if (r.left > 0) {
    const extLen = r.u16();
    if (extLen === null) return bad('one stray byte after the compression method');
    if (extLen !== r.left) return bad(`extensions length ${extLen} but ${r.left} bytes remain`);
    while (r.left > 0) {
      const type = r.u16();
      const len = r.u16();
      if (type === null || len === null) return bad('truncated extension header');
      const data = r.bytes(len);
      if (data === null) return bad(`extension ${type} claims ${len} bytes, ${r.left} remain`);
      // RFC 8446 §4.2: no more than one extension of each type.
      if (extensions.includes(type)) return bad(`extension ${type} appears twice`);
      extensions.push(type);
      if (type === EXT.supported_versions) {
        if (len !== 2) return bad(`supported_versions of ${len} bytes, expected 2`);
        selected = data.readUInt16BE(0);
      }
    }
  }
  const helloRetry = random.equals(HELLO_RETRY_RANDOM);
  const tail = random.subarray(24);
  const downgradeSentinel = tail.equals(DOWNGRADE_TLS12) ? 'TLSv1.2' : tail.equals(DOWNGRADE_TLS11) ? 'TLSv1.1-or-below' : undefined;
  const name = suiteName(suite);
  return {
    kind: 'server-hello',
    version: versionName(selected ?? legacyVersion),
    suite,
    ...(name ? { suiteName: name } : {}),
    helloRetry,
    compression,
    extensions,
    ...(downgradeSentinel ? { downgradeSentinel } : {}),
  };
}

/** A short printable rendering of bytes that are not TLS, for a `malformed` detail. */
function preview(buf: Buffer): string {
  const head = buf.subarray(0, 24);
  const printable = head.every((b) => (b >= 0x20 && b < 0x7f) || b === 0x0d || b === 0x0a);
  return printable ? JSON.stringify(head.toString('latin1')) : head.toString('hex');
}

type Step = { done: false } | { done: true; result: HelloAnswer };

/**
 * Incremental reader of the server's first flight. `push` bytes as they arrive; it answers once
 * it has a ServerHello, a fatal alert or proof of garbage. Handshake records are consumed as they
 * stream in, so a ServerHello at the head of a large coalesced record is found without waiting
 * for the rest of that record.
 */
export class ServerHelloReader {
  private pending: Buffer = Buffer.alloc(0);
  /** The record being consumed: its type and how many body bytes are still to come. */
  private record: { type: number; remaining: number; body: Buffer } | null = null;
  private handshake: Buffer = Buffer.alloc(0);
  private sawRecord = false;
  readonly warnings: { code: number; name: string }[] = [];
  lastWarning: { code: number; name: string } | null = null;

  constructor(private readonly maxHandshakeBytes = DEFAULT_MAX_BYTES) {}

  /** Whether bytes were received that do not yet make a whole message. */
  get midMessage(): boolean {
    return this.pending.length > 0 || this.record !== null || this.handshake.length > 0;
  }

  push(chunk: Buffer): Step {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    for (;;) {
      if (!this.record) {
        if (this.pending.length === 0) return { done: false };
        const first = this.pending[0];
        // SSLv2 (draft-hickman §"Record Header"): a 2-byte header with the top bit set; SERVER-HELLO is message type 4.
        if (!this.sawRecord && first & 0x80) {
          const v2Hello = this.pending.length >= 3 && this.pending[2] === 4;
          return this.fail(`${v2Hello ? 'SSLv2 SERVER-HELLO' : 'SSLv2-style record header'} (${preview(this.pending)}), not a TLS record`);
        }
        if (first !== CT_HANDSHAKE && first !== CT_ALERT && first !== CT_CHANGE_CIPHER_SPEC && first !== CT_APPLICATION_DATA) {
          return this.fail(`not a TLS record: content type ${first}, data ${preview(this.pending)}`);
        }
        if (this.pending.length >= 2 && this.pending[1] !== 3) return this.fail(`not a TLS record: version major ${this.pending[1]}, data ${preview(this.pending)}`);
        if (this.pending.length < 5) return { done: false };
        const minor = this.pending[2];
        if (minor > 4) return this.fail(`record version 3.${minor} is not SSLv3 or TLS`);
        const length = this.pending.readUInt16BE(3);
        if (length > MAX_RECORD_LENGTH) return this.fail(`record of type ${first} claims ${length} bytes, more than the ${MAX_RECORD_LENGTH} TLS allows`);
        // RFC 5246 §6.2.1: no zero-length handshake, alert or change_cipher_spec fragments.
        if (length === 0 && first !== CT_APPLICATION_DATA) return this.fail(`zero-length record of type ${first}`);
        if (first === CT_CHANGE_CIPHER_SPEC) return this.fail('change_cipher_spec before any ServerHello');
        if (first === CT_APPLICATION_DATA) return this.fail('application_data before any ServerHello');
        this.sawRecord = true;
        this.record = { type: first, remaining: length, body: Buffer.alloc(0) };
        this.pending = this.pending.subarray(5);
      }

      const rec = this.record;
      const take = Math.min(rec.remaining, this.pending.length);
      const bytes = this.pending.subarray(0, take);
      this.pending = this.pending.subarray(take);
      rec.remaining -= take;

      if (rec.type === CT_ALERT) {
        rec.body = Buffer.concat([rec.body, bytes]);
        if (rec.remaining > 0) return { done: false };
        this.record = null;
        // RFC 5246 §7.2: an alert is two bytes; a record may hold several, the first decides.
        if (rec.body.length < 2) return this.fail(`alert record of ${rec.body.length} byte(s)`);
        if (rec.body.length % 2 !== 0) return this.fail(`alert record of ${rec.body.length} bytes, not a whole number of alerts`);
        const level = rec.body[0];
        const alert = alertByCode(rec.body[1]);
        if (level === 2) return { done: true, result: { kind: 'alert', level: 'fatal', ...alert } };
        if (level !== 1) return this.fail(`alert with level ${level} (neither warning nor fatal), description ${alert.code}`);
        // A warning (unrecognized_name from some servers) does not end the handshake: keep reading.
        this.warnings.push(alert);
        this.lastWarning = alert;
        if (alert.code === 0) return { done: true, result: { kind: 'alert', level: 'warning', ...alert } };
        continue;
      }

      // Handshake: feed the message buffer as bytes arrive.
      this.handshake = Buffer.concat([this.handshake, bytes]);
      if (rec.remaining === 0) this.record = null;
      if (this.handshake.length >= 1 && this.handshake[0] !== HS_SERVER_HELLO) {
        return this.fail(`first handshake message is type ${this.handshake[0]}, expected ServerHello (2)`);
      }
      if (this.handshake.length >= 4) {
        const len = (this.handshake[1] << 16) | (this.handshake[2] << 8) | this.handshake[3];
        if (len > this.maxHandshakeBytes) return this.fail(`ServerHello claims ${len} bytes, more than the ${this.maxHandshakeBytes} read`);
        if (this.handshake.length >= 4 + len) {
          const parsed = parseServerHello(this.handshake.subarray(4, 4 + len));
          if (parsed.kind === 'malformed') return this.fail(parsed.detail);
          return { done: true, result: { ...parsed, ...(this.warnings.length ? { warnings: [...this.warnings] } : {}) } };
        }
      }
      if (this.pending.length === 0) return { done: false };
    }
  }

  private fail(detail: string): Step {
    return { done: true, result: { kind: 'malformed', detail } };
  }
}

export interface ProbeHelloInput {
  host: string;
  port: number;
  /** The bytes to send, usually from buildClientHello. */
  hello: Buffer;
  /** Bound on the whole exchange, connect included. */
  timeoutMs: number;
  /** Stop reading after this many bytes; default 16 KiB. */
  maxBytes?: number;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * Send one ClientHello and classify the first answer. Never rejects for anything the server
 * does: refusal, silence, garbage and resets are all observations.
 */
export function probeHello(input: ProbeHelloInput): Promise<HelloObservation> {
  const started = performance.now();
  const maxBytes = input.maxBytes ?? DEFAULT_MAX_BYTES;
  return new Promise<HelloObservation>((resolve) => {
    const reader = new ServerHelloReader(maxBytes);
    let received = 0;
    let connected = false;
    let settled = false;
    const finish = (result: HelloAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...result, bytesReceived: received, durationMs: Math.round(performance.now() - started) });
    };
    /** The connection ended: what we have so far decides. */
    const ended = (how: 'closed' | 'reset' | 'timeout') => {
      if (reader.midMessage) {
        const what = how === 'timeout' ? `no more data within ${input.timeoutMs} ms` : how === 'reset' ? 'connection reset' : 'connection closed';
        return finish({ kind: 'malformed', detail: `truncated: ${what} after ${received} byte(s), mid-message` });
      }
      if (reader.lastWarning) return finish({ kind: 'alert', level: 'warning', ...reader.lastWarning });
      finish({ kind: how });
    };

    // connect() throws synchronously only for input the harness gave (a bad port): a harness fault.
    const socket = connect({ host: input.host, port: input.port });
    const timer = setTimeout(() => ended('timeout'), input.timeoutMs);
    socket.setNoDelay(true);
    socket.on('connect', () => {
      connected = true;
      socket.write(input.hello);
    });
    socket.on('data', (chunk: Buffer) => {
      if (settled) return;
      const room = maxBytes - received;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      received += part.length;
      let step: Step;
      try {
        step = reader.push(part);
      } catch (err) {
        // A bug of ours, not the server's: report it rather than crash the run.
        step = { done: true, result: { kind: 'malformed', detail: `internal parser error: ${(err as Error).message}` } };
      }
      if (step.done) return finish(step.result);
      if (chunk.length > room || received >= maxBytes) finish({ kind: 'malformed', detail: `more than ${maxBytes} bytes without a complete ServerHello` });
    });
    socket.on('end', () => ended('closed'));
    socket.on('close', () => ended('closed'));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'ERROR';
      if (!connected) return finish({ kind: 'connect-failed', code, detail: `cannot connect to ${input.host}:${input.port}: ${err.message}` });
      ended(RESET_CODES.has(code) ? 'reset' : 'closed');
    });
  });
}
