import { createCipheriv, createDecipheriv, createHash, createHmac, timingSafeEqual, type CipherGCMTypes } from 'node:crypto';

/**
 * The TLS 1.3 key schedule and record protection, node:crypto only: what the certificate-verify
 * prober needs to finish a handshake of its own. Not a TLS stack: no PSK, no 0-RTT, no export.
 * Pure functions and small stateful record protectors; no sockets. Checked against RFC 8448 §3.
 */

export type HashName = 'sha256' | 'sha384';

export interface Tls13Suite {
  code: number;
  name: string;
  hash: HashName;
  /** Hash.length (RFC 8446 §7.1). */
  hashLength: number;
  /** node:crypto AEAD name. */
  aead: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
  keyLength: number;
}

/** RFC 8446 §B.4; all three AEADs have a 12-byte nonce and a 16-byte tag (RFC 5116, RFC 8439). */
export const TLS13_SUITES: readonly Tls13Suite[] = [
  { code: 0x1301, name: 'TLS_AES_128_GCM_SHA256', hash: 'sha256', hashLength: 32, aead: 'aes-128-gcm', keyLength: 16 },
  { code: 0x1302, name: 'TLS_AES_256_GCM_SHA384', hash: 'sha384', hashLength: 48, aead: 'aes-256-gcm', keyLength: 32 },
  { code: 0x1303, name: 'TLS_CHACHA20_POLY1305_SHA256', hash: 'sha256', hashLength: 32, aead: 'chacha20-poly1305', keyLength: 32 },
];

export function tls13Suite(code: number): Tls13Suite | undefined {
  return TLS13_SUITES.find((s) => s.code === code);
}

const IV_LENGTH = 12;
const TAG_LENGTH = 16;

// --- HKDF (RFC 5869) and the TLS 1.3 labels (RFC 8446 §7.1)

export function hkdfExtract(hash: HashName, salt: Buffer, ikm: Buffer): Buffer {
  return createHmac(hash, salt).update(ikm).digest();
}

export function hkdfExpand(hash: HashName, prk: Buffer, info: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  let total = 0;
  for (let i = 1; total < length; i++) {
    previous = createHmac(hash, prk).update(Buffer.concat([previous, info, Buffer.from([i])])).digest();
    blocks.push(previous);
    total += previous.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/**
 * RFC 8446 §7.1: HKDF-Expand-Label(Secret, Label, Context, Length) = HKDF-Expand(Secret,
 * HkdfLabel, Length), HkdfLabel = uint16 length || opaque label<7..255> = "tls13 " + Label ||
 * opaque context<0..255>.
 */
export function hkdfExpandLabel(hash: HashName, secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([context.length]), context]);
  return hkdfExpand(hash, secret, info, length);
}

/** RFC 8446 §7.1: Derive-Secret(Secret, Label, Messages), given Transcript-Hash(Messages). */
export function deriveSecret(hash: HashName, secret: Buffer, label: string, transcriptHash: Buffer): Buffer {
  return hkdfExpandLabel(hash, secret, label, transcriptHash, transcriptHash.length);
}

export function digest(hash: HashName, data: Buffer): Buffer {
  return createHash(hash).update(data).digest();
}

/** The running transcript (RFC 8446 §4.4.1): handshake messages as sent, headers included. */
export class Transcript {
  private readonly messages: Buffer[] = [];
  add(message: Buffer): void {
    this.messages.push(message);
  }
  hash(hash: HashName): Buffer {
    const h = createHash(hash);
    for (const m of this.messages) h.update(m);
    return h.digest();
  }
  /** The messages themselves: what a TLS 1.2 CertificateVerify signs (RFC 5246 §7.4.8). */
  bytes(): Buffer {
    return Buffer.concat(this.messages);
  }
}

export interface HandshakeSecrets {
  handshakeSecret: Buffer;
  clientHandshakeTraffic: Buffer;
  serverHandshakeTraffic: Buffer;
  masterSecret: Buffer;
}

/**
 * RFC 8446 §7.1 without a PSK: early secret from zeros, then the (EC)DHE secret, with the
 * transcript hash of ClientHello..ServerHello.
 */
export function handshakeSecrets(suite: Tls13Suite, sharedSecret: Buffer, helloHash: Buffer): HandshakeSecrets {
  const h = suite.hash;
  const zeros = Buffer.alloc(suite.hashLength);
  const emptyHash = digest(h, Buffer.alloc(0));
  const early = hkdfExtract(h, zeros, zeros);
  const handshakeSecret = hkdfExtract(h, deriveSecret(h, early, 'derived', emptyHash), sharedSecret);
  return {
    handshakeSecret,
    clientHandshakeTraffic: deriveSecret(h, handshakeSecret, 'c hs traffic', helloHash),
    serverHandshakeTraffic: deriveSecret(h, handshakeSecret, 's hs traffic', helloHash),
    masterSecret: hkdfExtract(h, deriveSecret(h, handshakeSecret, 'derived', emptyHash), zeros),
  };
}

/** RFC 8446 §7.1: application traffic secrets, with the transcript hash of ClientHello..server Finished. */
export function applicationSecrets(suite: Tls13Suite, masterSecret: Buffer, serverFinishedHash: Buffer): { client: Buffer; server: Buffer } {
  return {
    client: deriveSecret(suite.hash, masterSecret, 'c ap traffic', serverFinishedHash),
    server: deriveSecret(suite.hash, masterSecret, 's ap traffic', serverFinishedHash),
  };
}

/** RFC 8446 §7.2: application_traffic_secret_N+1 after a KeyUpdate. */
export function nextTrafficSecret(suite: Tls13Suite, secret: Buffer): Buffer {
  return hkdfExpandLabel(suite.hash, secret, 'traffic upd', Buffer.alloc(0), suite.hashLength);
}

/** RFC 8446 §4.4.4: verify_data = HMAC(finished_key, Transcript-Hash(...)), finished_key from the traffic secret. */
export function finishedVerifyData(suite: Tls13Suite, trafficSecret: Buffer, transcriptHash: Buffer): Buffer {
  const finishedKey = hkdfExpandLabel(suite.hash, trafficSecret, 'finished', Buffer.alloc(0), suite.hashLength);
  return createHmac(suite.hash, finishedKey).update(transcriptHash).digest();
}

/** Constant-time comparison of two MACs of possibly different lengths. */
export function macEquals(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** RFC 8446 §7.3: [sender]_write_key and [sender]_write_iv from a traffic secret. */
export function trafficKeys(suite: Tls13Suite, secret: Buffer): { key: Buffer; iv: Buffer } {
  return {
    key: hkdfExpandLabel(suite.hash, secret, 'key', Buffer.alloc(0), suite.keyLength),
    iv: hkdfExpandLabel(suite.hash, secret, 'iv', Buffer.alloc(0), IV_LENGTH),
  };
}

// --- record protection (RFC 8446 §5.2-5.3)

/** RFC 8446 §5.1/§5.2: content types; the outer type of a protected record is always application_data. */
export const CONTENT = { change_cipher_spec: 20, alert: 21, handshake: 22, application_data: 23 } as const;
/** RFC 8446 §5.2: TLSCiphertext.length must not exceed 2^14 + 256. */
export const MAX_CIPHERTEXT = 2 ** 14 + 256;
/** RFC 8446 §5.1/§5.4: TLSInnerPlaintext content is at most 2^14 bytes (padding and type excluded). */
export const MAX_PLAINTEXT = 2 ** 14;

export type Opened = { type: number; content: Buffer } | { error: string };

/**
 * One direction's protection with one traffic secret: a sequence number starting at 0 (RFC 8446
 * §5.3), the per-record nonce the IV XOR the padded sequence number, the record header as AAD.
 */
export class RecordProtection {
  private seq = 0n;
  private readonly key: Buffer;
  private readonly iv: Buffer;

  constructor(
    readonly suite: Tls13Suite,
    secret: Buffer,
  ) {
    ({ key: this.key, iv: this.iv } = trafficKeys(suite, secret));
  }

  /** RFC 8446 §5.3: the 64-bit sequence number, left-padded to iv_length, XORed with the IV. */
  nonce(seq: bigint): Buffer {
    const n = Buffer.from(this.iv);
    const s = Buffer.alloc(8);
    s.writeBigUInt64BE(seq);
    for (let i = 0; i < 8; i++) n[IV_LENGTH - 8 + i]! ^= s[i]!;
    return n;
  }

  /** A whole TLSCiphertext record holding `content` of inner type `type`, no padding. */
  seal(type: number, content: Buffer): Buffer {
    if (content.length > MAX_PLAINTEXT) throw new Error(`record content of ${content.length} bytes exceeds 2^14`);
    const inner = Buffer.concat([content, Buffer.from([type])]);
    const header = Buffer.from([CONTENT.application_data, 0x03, 0x03, 0, 0]);
    header.writeUInt16BE(inner.length + TAG_LENGTH, 3);
    // Typed as GCM: chacha20-poly1305 has the same AEAD surface (setAAD, getAuthTag) in node:crypto.
    const cipher = createCipheriv(this.suite.aead as CipherGCMTypes, this.key, this.nonce(this.seq++), { authTagLength: TAG_LENGTH });
    cipher.setAAD(header, { plaintextLength: inner.length });
    const body = Buffer.concat([cipher.update(inner), cipher.final(), cipher.getAuthTag()]);
    return Buffer.concat([header, body]);
  }

  /**
   * Decrypt one record, `header` its 5 bytes and `body` the encrypted_record. Never throws: a bad
   * tag, an oversized or all-padding plaintext is `{ error }`.
   */
  open(header: Buffer, body: Buffer): Opened {
    if (body.length < TAG_LENGTH + 1) return { error: `protected record of ${body.length} bytes, shorter than the tag and a content type` };
    if (body.length > MAX_CIPHERTEXT) return { error: `protected record of ${body.length} bytes exceeds 2^14 + 256 (RFC 8446 §5.2)` };
    const seq = this.seq++;
    let inner: Buffer;
    try {
      const decipher = createDecipheriv(this.suite.aead as CipherGCMTypes, this.key, this.nonce(seq), { authTagLength: TAG_LENGTH });
      decipher.setAAD(header, { plaintextLength: body.length - TAG_LENGTH });
      decipher.setAuthTag(body.subarray(body.length - TAG_LENGTH));
      inner = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_LENGTH)), decipher.final()]);
    } catch {
      return { error: `record ${seq} does not decrypt under the ${this.suite.name} keys (bad_record_mac)` };
    }
    // RFC 8446 §5.4: the content type is the last non-zero byte; all zeros is unexpected_message.
    let end = inner.length;
    while (end > 0 && inner[end - 1] === 0) end--;
    if (end === 0) return { error: `record ${seq} is all padding, no content type (RFC 8446 §5.4)` };
    if (end - 1 > MAX_PLAINTEXT) return { error: `record ${seq} holds ${end - 1} bytes of plaintext, more than 2^14 (record_overflow)` };
    return { type: inner[end - 1]!, content: inner.subarray(0, end - 1) };
  }
}
