import { createCipheriv, createDecipheriv, createHmac, type CipherGCMTypes } from 'node:crypto';
import { digest, MAX_PLAINTEXT, type HashName } from './tls13-keys.js';

/**
 * TLS 1.2 key derivation and AES-GCM record protection, node:crypto only, for the
 * certificate-verify prober's TLS 1.2 handshake: the PRF (RFC 5246 §5), the master secret
 * (§8.1, or RFC 7627's extended master secret), the key block (§6.3), Finished (§7.4.9) and
 * AEAD records (RFC 5288 §3, RFC 7905). ECDHE suites only (RFC 8422).
 */

export interface Tls12Suite {
  code: number;
  name: string;
  /** The PRF hash (RFC 5289 §3: SHA-384 for the *_SHA384 suites). */
  hash: HashName;
  aead: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
  keyLength: number;
  /** Write IV length from the key block: the 4-byte GCM salt (RFC 5288 §3) or ChaCha20-Poly1305's 12-byte IV (RFC 7905 §2). */
  ivLength: 4 | 12;
}

/** ECDHE with AES-GCM (RFC 5289 §3) and ChaCha20-Poly1305 (RFC 7905): the AEAD suites a modern TLS 1.2 server offers. */
export const TLS12_SUITES: readonly Tls12Suite[] = [
  { code: 0xc02b, name: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', hash: 'sha256', aead: 'aes-128-gcm', keyLength: 16, ivLength: 4 },
  { code: 0xc02f, name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', hash: 'sha256', aead: 'aes-128-gcm', keyLength: 16, ivLength: 4 },
  { code: 0xc02c, name: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', hash: 'sha384', aead: 'aes-256-gcm', keyLength: 32, ivLength: 4 },
  { code: 0xc030, name: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', hash: 'sha384', aead: 'aes-256-gcm', keyLength: 32, ivLength: 4 },
  { code: 0xcca9, name: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', hash: 'sha256', aead: 'chacha20-poly1305', keyLength: 32, ivLength: 12 },
  { code: 0xcca8, name: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', hash: 'sha256', aead: 'chacha20-poly1305', keyLength: 32, ivLength: 12 },
];

export function tls12Suite(code: number): Tls12Suite | undefined {
  return TLS12_SUITES.find((s) => s.code === code);
}

/** RFC 5246 §5: PRF(secret, label, seed) = P_hash(secret, label + seed). */
export function prf(hash: HashName, secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const labelSeed = Buffer.concat([Buffer.from(label, 'ascii'), seed]);
  const out: Buffer[] = [];
  let total = 0;
  let a = labelSeed;
  while (total < length) {
    a = createHmac(hash, secret).update(a).digest();
    const block = createHmac(hash, secret).update(Buffer.concat([a, labelSeed])).digest();
    out.push(block);
    total += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/**
 * RFC 5246 §8.1: master_secret = PRF(pre_master_secret, "master secret", ClientHello.random +
 * ServerHello.random)[0..47]; with RFC 7627 §4, PRF(pre_master_secret, "extended master secret",
 * session_hash), session_hash the hash of the handshake messages through ClientKeyExchange.
 */
export function masterSecret(suite: Tls12Suite, preMaster: Buffer, from: { clientRandom: Buffer; serverRandom: Buffer } | { sessionHash: Buffer }): Buffer {
  return 'sessionHash' in from
    ? prf(suite.hash, preMaster, 'extended master secret', from.sessionHash, 48)
    : prf(suite.hash, preMaster, 'master secret', Buffer.concat([from.clientRandom, from.serverRandom]), 48);
}

/** RFC 5246 §6.3: an AEAD suite has no MAC keys; then the two write keys and the two write IVs. */
export function keyBlock(suite: Tls12Suite, master: Buffer, clientRandom: Buffer, serverRandom: Buffer): { clientKey: Buffer; serverKey: Buffer; clientIv: Buffer; serverIv: Buffer } {
  const k = suite.keyLength;
  const iv = suite.ivLength;
  const block = prf(suite.hash, master, 'key expansion', Buffer.concat([serverRandom, clientRandom]), 2 * k + 2 * iv);
  return { clientKey: block.subarray(0, k), serverKey: block.subarray(k, 2 * k), clientIv: block.subarray(2 * k, 2 * k + iv), serverIv: block.subarray(2 * k + iv, 2 * k + 2 * iv) };
}

/** RFC 5246 §7.4.9: verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11]. */
export function finished12(suite: Tls12Suite, master: Buffer, label: 'client finished' | 'server finished', handshakeMessages: Buffer): Buffer {
  return prf(suite.hash, master, label, digest(suite.hash, handshakeMessages), 12);
}

const TAG = 16;
const EXPLICIT = 8;

/**
 * One direction's record protection. AES-GCM (RFC 5288 §3): nonce = 4-byte salt || 8-byte
 * explicit nonce (the sequence number here, sent before the ciphertext). ChaCha20-Poly1305 (RFC
 * 7905 §2): nonce = the 12-byte IV XOR the padded sequence number, nothing sent. Additional data =
 * seq_num || type || version || plaintext length (RFC 5246 §6.2.3.3).
 */
export class Tls12RecordProtection {
  private seq = 0n;
  private readonly explicit: number;

  constructor(
    private readonly suite: Tls12Suite,
    private readonly key: Buffer,
    private readonly iv: Buffer,
  ) {
    this.explicit = suite.ivLength === 4 ? EXPLICIT : 0;
  }

  private aad(seq: bigint, type: number, length: number): Buffer {
    const a = Buffer.alloc(13);
    a.writeBigUInt64BE(seq);
    a[8] = type;
    a[9] = 3;
    a[10] = 3;
    a.writeUInt16BE(length, 11);
    return a;
  }

  private nonce(seq: bigint, explicit: Buffer): Buffer {
    if (this.explicit) return Buffer.concat([this.iv, explicit]);
    const n = Buffer.from(this.iv);
    const s = Buffer.alloc(8);
    s.writeBigUInt64BE(seq);
    for (let i = 0; i < 8; i++) n[4 + i]! ^= s[i]!;
    return n;
  }

  seal(type: number, content: Buffer): Buffer {
    if (content.length > MAX_PLAINTEXT) throw new Error(`record content of ${content.length} bytes exceeds 2^14`);
    const seq = this.seq++;
    const explicit = Buffer.alloc(this.explicit);
    if (this.explicit) explicit.writeBigUInt64BE(seq);
    // Typed as GCM: chacha20-poly1305 has the same AEAD surface in node:crypto.
    const cipher = createCipheriv(this.suite.aead as CipherGCMTypes, this.key, this.nonce(seq, explicit), { authTagLength: TAG });
    cipher.setAAD(this.aad(seq, type, content.length), { plaintextLength: content.length });
    const body = Buffer.concat([explicit, cipher.update(content), cipher.final(), cipher.getAuthTag()]);
    return Buffer.concat([Buffer.from([type, 3, 3, body.length >> 8, body.length & 0xff]), body]);
  }

  /** Decrypt one record; never throws: a bad tag or a short record is `{ error }`. */
  open(header: Buffer, body: Buffer): { type: number; content: Buffer } | { error: string } {
    if (body.length < this.explicit + TAG) return { error: `protected record of ${body.length} bytes, shorter than ${this.explicit ? 'the explicit nonce and ' : ''}the tag` };
    const seq = this.seq++;
    const length = body.length - this.explicit - TAG;
    if (length > MAX_PLAINTEXT) return { error: `record ${seq} holds ${length} bytes of plaintext, more than 2^14 (record_overflow)` };
    try {
      const decipher = createDecipheriv(this.suite.aead as CipherGCMTypes, this.key, this.nonce(seq, body.subarray(0, this.explicit)), { authTagLength: TAG });
      decipher.setAAD(this.aad(seq, header[0]!, length), { plaintextLength: length });
      decipher.setAuthTag(body.subarray(body.length - TAG));
      const content = Buffer.concat([decipher.update(body.subarray(this.explicit, body.length - TAG)), decipher.final()]);
      return { type: header[0]!, content };
    } catch {
      return { error: `record ${seq} does not decrypt under the ${this.suite.name} keys (bad_record_mac)` };
    }
  }
}
