/**
 * The session a node:tls client gets from its `session` event: OpenSSL's SSL_SESSION in DER
 * (ssl/ssl_asn1.c, `SSL_SESSION_ASN1`), which Node 24 prefixes with `\0nodejs:tls:session:1\0`,
 * a u16 length and the server name it was authenticated for. Read here for the one thing the
 * harness needs, the ticket the server issued and the lifetime it announced with it:
 *
 *   SSL_SESSION_ASN1 ::= SEQUENCE {
 *     version INTEGER, ssl_version INTEGER, cipher OCTET STRING, session_id OCTET STRING,
 *     master_key OCTET STRING, key_arg [0] OPTIONAL, time [1] OPTIONAL, timeout [2] OPTIONAL,
 *     peer [3] OPTIONAL, session_id_context [4] OPTIONAL, verify_result [5] OPTIONAL,
 *     tlsext_hostname [6] OPTIONAL, psk_identity_hint [7] OPTIONAL, psk_identity [8] OPTIONAL,
 *     tlsext_tick_lifetime_hint [9] EXPLICIT INTEGER OPTIONAL,
 *     tlsext_tick [10] EXPLICIT OCTET STRING OPTIONAL, ... }
 *
 * [9] holds ticket_lifetime of a TLS 1.3 NewSessionTicket (RFC 8446 §4.6.1) or ticket_lifetime_hint
 * of a TLS 1.2 one (RFC 5077 §3.3), in seconds. Pure and bounds-checked: every length is checked
 * against the bytes that hold it, and anything unexpected is a parse failure, never an exception.
 */

/** Node ≥ 24's wrapper (lib/_tls_wrap.js `kTLSSessionStatePrefix`). */
const NODE_PREFIX = Buffer.from('\0nodejs:tls:session:1\0', 'latin1');

// DER tags (X.690 §8): universal primitives, and context-specific constructed [n].
const TAG_INTEGER = 0x02;
const TAG_OCTET_STRING = 0x04;
const TAG_SEQUENCE = 0x30;
const context = (n: number) => 0xa0 | n;
const TICKET_LIFETIME = 9;
const TICKET = 10;
/** A session is a few kilobytes (the peer certificate is the bulk); anything far larger is not one. */
const MAX_SESSION_BYTES = 256 * 1024;

export interface SessionInfo {
  /** Wire version of the session (0x0304 TLS 1.3, 0x0303 TLS 1.2). */
  protocolVersion: number;
  /** The announced ticket lifetime in seconds, null when the session holds none. */
  ticketLifetimeHint: number | null;
  /** Length of the ticket the server issued; 0 when it issued none (resumption by session id only). */
  ticketLength: number;
  sessionIdLength: number;
}

export type SessionParse = { ok: true; info: SessionInfo } | { ok: false; reason: string };

interface Tlv {
  tag: number;
  start: number;
  /** First byte of the contents. */
  body: number;
  end: number;
}

/** One DER TLV at `pos`, wholly inside `[pos, limit)`, or why not. */
function readTlv(buf: Buffer, pos: number, limit: number): Tlv | string {
  if (pos + 2 > limit) return `truncated TLV header at offset ${pos}`;
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) return `multi-byte tag at offset ${pos}`;
  const first = buf[pos + 1]!;
  let length: number;
  let body: number;
  if (first < 0x80) {
    length = first;
    body = pos + 2;
  } else {
    const n = first & 0x7f;
    // 0x80 is BER's indefinite length, which DER forbids; more than 4 bytes is no session.
    if (n === 0 || n > 4) return `length of ${n === 0 ? 'indefinite form' : `${n} bytes`} at offset ${pos}`;
    if (pos + 2 + n > limit) return `truncated length at offset ${pos}`;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[pos + 2 + i]!;
    body = pos + 2 + n;
  }
  if (body + length > limit) return `element at offset ${pos} claims ${length} bytes, ${limit - body} remain`;
  return { tag, start: pos, body, end: body + length };
}

/** A non-negative INTEGER of at most 6 bytes (safe in a JS number), or why not. */
function readUnsigned(buf: Buffer, tlv: Tlv): number | string {
  if (tlv.tag !== TAG_INTEGER) return `expected INTEGER, found tag 0x${tlv.tag.toString(16)}`;
  const len = tlv.end - tlv.body;
  if (len < 1 || len > 7) return `INTEGER of ${len} bytes`;
  if (buf[tlv.body]! & 0x80) return 'negative INTEGER';
  let v = 0;
  for (let i = tlv.body; i < tlv.end; i++) v = v * 256 + buf[i]!;
  return Number.isSafeInteger(v) ? v : 'INTEGER too large';
}

/** The DER part of a session buffer: after Node's wrapper when there is one. */
function splitHeader(buf: Buffer): { header: Buffer; der: Buffer } | string {
  if (buf.length >= NODE_PREFIX.length && buf.subarray(0, NODE_PREFIX.length).equals(NODE_PREFIX)) {
    const at = NODE_PREFIX.length;
    if (buf.length < at + 2) return 'Node session header ends before the server name length';
    const end = at + 2 + buf.readUInt16BE(at);
    if (end > buf.length) return 'Node session header: the server name overruns the buffer';
    return { header: buf.subarray(0, end), der: buf.subarray(end) };
  }
  return { header: Buffer.alloc(0), der: buf };
}

interface Parsed {
  header: Buffer;
  der: Buffer;
  /** Top-level SEQUENCE's children, in order. */
  children: Tlv[];
}

function parseDer(buf: Buffer): Parsed | string {
  if (buf.length > MAX_SESSION_BYTES) return `${buf.length} bytes, more than a session holds`;
  const split = splitHeader(buf);
  if (typeof split === 'string') return split;
  const { header, der } = split;
  const top = readTlv(der, 0, der.length);
  if (typeof top === 'string') return top;
  if (top.tag !== TAG_SEQUENCE) return `not a SEQUENCE (tag 0x${top.tag.toString(16)})`;
  if (top.end !== der.length) return `${der.length - top.end} stray bytes after the SEQUENCE`;
  const children: Tlv[] = [];
  for (let pos = top.body; pos < top.end; ) {
    const t = readTlv(der, pos, top.end);
    if (typeof t === 'string') return t;
    children.push(t);
    pos = t.end;
  }
  return { header, der, children };
}

export function parseSession(buf: Buffer): SessionParse {
  const fail = (reason: string): SessionParse => ({ ok: false, reason: `not an SSL_SESSION: ${reason}` });
  const p = parseDer(buf);
  if (typeof p === 'string') return fail(p);
  const { der, children } = p;
  // version, ssl_version, cipher, session_id, master_key: the fixed head.
  if (children.length < 5) return fail(`${children.length} fields, at least 5 expected`);
  const version = readUnsigned(der, children[0]!);
  if (typeof version === 'string') return fail(`version: ${version}`);
  if (version !== 1) return fail(`ASN.1 version ${version}, expected 1`);
  const protocolVersion = readUnsigned(der, children[1]!);
  if (typeof protocolVersion === 'string') return fail(`ssl_version: ${protocolVersion}`);
  const sid = children[3]!;
  if (sid.tag !== TAG_OCTET_STRING) return fail('session_id is not an OCTET STRING');

  let ticketLifetimeHint: number | null = null;
  let ticketLength = 0;
  for (const c of children.slice(5)) {
    if (c.tag !== context(TICKET_LIFETIME) && c.tag !== context(TICKET)) continue;
    // EXPLICIT tagging: the [n] wrapper holds exactly one inner element.
    const inner = readTlv(der, c.body, c.end);
    if (typeof inner === 'string') return fail(inner);
    if (inner.end !== c.end) return fail(`[${c.tag & 0x1f}] holds more than one element`);
    if (c.tag === context(TICKET_LIFETIME)) {
      const v = readUnsigned(der, inner);
      if (typeof v === 'string') return fail(`ticket lifetime hint: ${v}`);
      ticketLifetimeHint = v;
    } else {
      if (inner.tag !== TAG_OCTET_STRING) return fail('ticket is not an OCTET STRING');
      ticketLength = inner.end - inner.body;
    }
  }
  return { ok: true, info: { protocolVersion, ticketLifetimeHint, ticketLength, sessionIdLength: sid.end - sid.body } };
}

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function encodeUnsigned(v: number): Buffer {
  const bytes: number[] = [];
  for (let x = v; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
  if (bytes.length === 0 || bytes[0]! & 0x80) bytes.unshift(0);
  return Buffer.concat([Buffer.from([TAG_INTEGER]), encodeLength(bytes.length), Buffer.from(bytes)]);
}

/**
 * The same session with its announced ticket lifetime set to `seconds`: the OpenSSL client drops a
 * TLS 1.3 ticket older than its lifetime instead of offering it (tls_construct_ctos_psk), so a
 * late resumption that tests the *server's* expiry must carry a copy whose lifetime outlasts the
 * wait. Only the client's copy changes; the ticket the server decrypts is untouched.
 */
export function withTicketLifetime(buf: Buffer, seconds: number): Buffer {
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > 0xffffffff) throw new RangeError(`ticket lifetime ${seconds} is not a u32`);
  const p = parseDer(buf);
  if (typeof p === 'string') throw new Error(`not an SSL_SESSION: ${p}`);
  const value = encodeUnsigned(seconds);
  const field = Buffer.concat([Buffer.from([context(TICKET_LIFETIME)]), encodeLength(value.length), value]);
  const parts: Buffer[] = [];
  let placed = false;
  for (const [i, c] of p.children.entries()) {
    const isContext = i >= 5 && (c.tag & 0xe0) === 0xa0;
    if (!placed && isContext && (c.tag & 0x1f) >= TICKET_LIFETIME) {
      parts.push(field);
      placed = true;
      if ((c.tag & 0x1f) === TICKET_LIFETIME) continue;
    }
    parts.push(p.der.subarray(c.start, c.end));
  }
  if (!placed) parts.push(field);
  const body = Buffer.concat(parts);
  return Buffer.concat([p.header, Buffer.from([TAG_SEQUENCE]), encodeLength(body.length), body]);
}
