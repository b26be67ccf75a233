import { hexCode, suiteName, TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV } from '../tls/suite-codes.js';
import { EXT, versionName } from './raw-hello.js';

/**
 * The ClientHello a client under test sends, read by the harness before its TLS server sees it:
 * which protocol versions and cipher suites the client offers. The counterpart of raw-hello.ts's
 * ServerHelloReader, on the server side. Every byte is the client's and untrusted: each length is
 * checked against what was received and against fixed bounds, and garbage is an answer, never an
 * exception.
 */

// RFC 5246 §6.2.1 / RFC 8446 §5.1: content type handshake; a plaintext fragment is at most 2^14.
const CT_HANDSHAKE = 22;
const HS_CLIENT_HELLO = 1;
const MAX_PLAINTEXT = 2 ** 14;
/** A ClientHello this large is no ClientHello (a few post-quantum key shares stay under 8 KiB). */
export const MAX_CLIENT_HELLO_BYTES = 64 * 1024;

export interface ClientHelloFacts {
  /** legacy_version (client_version before TLS 1.3). */
  legacyVersion: number;
  /** Offered versions: supported_versions when present (RFC 8446 §4.2.1), else legacy_version; GREASE left out. */
  versions: number[];
  /** Cipher suite code points in the client's order, GREASE and SCSVs included. */
  suites: number[];
  /** Extension types in the client's order. */
  extensions: number[];
}

export type ClientHelloRead =
  | { kind: 'client-hello'; hello: ClientHelloFacts; bytes: number }
  /** The client's first bytes are not a TLS ClientHello: `detail` says why. */
  | { kind: 'not-client-hello'; detail: string; bytes: number };

/** RFC 8701: GREASE values are 0x?a?a with both bytes equal. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

/** What a ClientHello offers, as names: versions (`TLSv1.2`) and suites (IANA names, `0x…` when unknown), without GREASE or SCSVs. */
export function offeredNames(hello: ClientHelloFacts): { versions: string[]; suites: string[] } {
  const scsv = new Set([TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV]);
  return {
    versions: hello.versions.map(versionName),
    suites: hello.suites.filter((s) => !isGrease(s) && !scsv.has(s)).map((s) => suiteName(s) ?? hexCode(s)),
  };
}

/**
 * Parse a ClientHello body (RFC 5246 §7.4.1.2, RFC 8446 §4.1.2), the 4-byte handshake header
 * already removed. A string says what is wrong.
 */
export function parseClientHello(body: Buffer): ClientHelloFacts | string {
  let p = 0;
  const left = () => body.length - p;
  const u8 = () => (left() >= 1 ? body[p++]! : null);
  const u16 = () => {
    if (left() < 2) return null;
    p += 2;
    return body.readUInt16BE(p - 2);
  };
  const skip = (n: number) => {
    if (n > left()) return false;
    p += n;
    return true;
  };

  const legacyVersion = u16();
  if (legacyVersion === null || !skip(32)) return `${body.length} bytes, too short for version and random`;
  const sid = u8();
  if (sid === null || sid > 32 || !skip(sid)) return 'bad session id';
  const suitesLength = u16();
  if (suitesLength === null || suitesLength % 2 !== 0 || suitesLength === 0 || suitesLength > left()) return `bad cipher suites length ${suitesLength}`;
  const suites: number[] = [];
  for (let i = 0; i < suitesLength; i += 2) suites.push(body.readUInt16BE(p + i));
  p += suitesLength;
  const compression = u8();
  if (compression === null || compression === 0 || !skip(compression)) return 'bad compression methods';

  const extensions: number[] = [];
  let supported: number[] | null = null;
  if (left() > 0) {
    const extLength = u16();
    if (extLength === null || extLength !== left()) return `extensions length ${extLength} but ${left()} bytes remain`;
    while (left() > 0) {
      const type = u16();
      const len = u16();
      if (type === null || len === null || len > left()) return 'truncated extension';
      // RFC 8446 §4.2: no more than one extension of each type.
      if (extensions.includes(type)) return `extension ${type} appears twice`;
      extensions.push(type);
      if (type === EXT.supported_versions) {
        // RFC 8446 §4.2.1: ProtocolVersion versions<2..254>, one length byte.
        const n = body[p];
        if (len < 3 || n === undefined || n !== len - 1 || n % 2 !== 0) return `malformed supported_versions (${len} bytes)`;
        supported = [];
        for (let i = 0; i < n; i += 2) supported.push(body.readUInt16BE(p + 1 + i));
      }
      p += len;
    }
  }
  const versions = (supported ?? [legacyVersion]).filter((v) => !isGrease(v));
  return { legacyVersion, versions, suites, extensions };
}

/**
 * Incremental reader of a client's first flight: `push` bytes as they arrive until it answers.
 * The ClientHello may span several handshake records (RFC 8446 §5.1 allows fragmenting it).
 */
export class ClientHelloReader {
  private pending: Buffer = Buffer.alloc(0);
  private handshake: Buffer = Buffer.alloc(0);
  private total = 0;

  push(chunk: Buffer): ClientHelloRead | null {
    this.total += chunk.length;
    this.pending = Buffer.concat([this.pending, chunk]);
    const no = (detail: string): ClientHelloRead => ({ kind: 'not-client-hello', detail, bytes: this.total });
    for (;;) {
      if (this.pending.length >= 1 && this.pending[0] !== CT_HANDSHAKE && this.handshake.length === 0) {
        return no(`first byte 0x${this.pending[0]!.toString(16)} is not a TLS handshake record`);
      }
      if (this.pending.length < 5) return null;
      const type = this.pending[0]!;
      const major = this.pending[1]!;
      const length = this.pending.readUInt16BE(3);
      if (type !== CT_HANDSHAKE) return no(`record of content type ${type} before the ClientHello was complete`);
      if (major !== 3) return no(`record version major ${major}`);
      if (length === 0 || length > MAX_PLAINTEXT) return no(`handshake record of ${length} bytes`);
      if (this.pending.length < 5 + length) return null;
      this.handshake = Buffer.concat([this.handshake, this.pending.subarray(5, 5 + length)]);
      this.pending = this.pending.subarray(5 + length);
      if (this.handshake[0] !== HS_CLIENT_HELLO) return no(`first handshake message is type ${this.handshake[0]}, not ClientHello (1)`);
      if (this.handshake.length >= 4) {
        const len = (this.handshake[1]! << 16) | (this.handshake[2]! << 8) | this.handshake[3]!;
        if (len > MAX_CLIENT_HELLO_BYTES) return no(`ClientHello claims ${len} bytes, more than ${MAX_CLIENT_HELLO_BYTES}`);
        if (this.handshake.length >= 4 + len) {
          const hello = parseClientHello(this.handshake.subarray(4, 4 + len));
          return typeof hello === 'string' ? no(`malformed ClientHello: ${hello}`) : { kind: 'client-hello', hello, bytes: this.total };
        }
      }
      if (this.total > MAX_CLIENT_HELLO_BYTES + 5 * Math.ceil(MAX_CLIENT_HELLO_BYTES / MAX_PLAINTEXT) + 5) return no(`more than ${MAX_CLIENT_HELLO_BYTES} bytes without a complete ClientHello`);
    }
  }
}
