import { createDecipheriv } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { finished12, keyBlock, masterSecret, prf, Tls12RecordProtection, tls12Suite, TLS12_SUITES } from './tls12-keys.js';
import { digest } from './tls13-keys.js';

/**
 * TLS 1.2 key derivation against the PRF test vectors published on the IETF TLS list (P_SHA256 and
 * P_SHA384, "test label"), and GCM records against an independent decryption written out here.
 */
const h = (s: string) => Buffer.from(s, 'hex');

describe('TLS 1.2 PRF (RFC 5246 §5)', () => {
  test('P_SHA256 test vector', () => {
    expect(prf('sha256', h('9bbe436ba940f017b17652849a71db35'), 'test label', h('a0ba9f936cda311827a6f796ffd5198c'), 100).toString('hex')).toBe(
      'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66',
    );
  });

  test('P_SHA384 test vector', () => {
    expect(prf('sha384', h('b80b733d6ceefcdc71566ea48e5567df'), 'test label', h('cd665cf6a8447dd6ff8b27555edb7465'), 148).toString('hex')).toBe(
      '7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f',
    );
  });

  test('master secret, extended master secret, key block and Finished are the PRF with their labels and seeds', () => {
    const suite = tls12Suite(0xc02f)!;
    const pms = Buffer.alloc(32, 1);
    const cr = Buffer.alloc(32, 2);
    const sr = Buffer.alloc(32, 3);
    const master = masterSecret(suite, pms, { clientRandom: cr, serverRandom: sr });
    expect(master).toEqual(prf('sha256', pms, 'master secret', Buffer.concat([cr, sr]), 48));
    const sessionHash = digest('sha256', Buffer.from('messages'));
    expect(masterSecret(suite, pms, { sessionHash })).toEqual(prf('sha256', pms, 'extended master secret', sessionHash, 48));
    // RFC 5246 §6.3: the server random first in the key expansion seed; keys, then the 4-byte GCM salts (RFC 5288 §3).
    const block = prf('sha256', master, 'key expansion', Buffer.concat([sr, cr]), 40);
    expect(keyBlock(suite, master, cr, sr)).toEqual({ clientKey: block.subarray(0, 16), serverKey: block.subarray(16, 32), clientIv: block.subarray(32, 36), serverIv: block.subarray(36, 40) });
    // RFC 7905 §2: ChaCha20-Poly1305 takes a 12-byte IV from the key block.
    const chacha = prf('sha256', master, 'key expansion', Buffer.concat([sr, cr]), 88);
    expect(keyBlock(tls12Suite(0xcca8)!, master, cr, sr)).toEqual({ clientKey: chacha.subarray(0, 32), serverKey: chacha.subarray(32, 64), clientIv: chacha.subarray(64, 76), serverIv: chacha.subarray(76, 88) });
    expect(keyBlock(tls12Suite(0xc030)!, master, cr, sr).clientKey.length).toBe(32);
    const fin = finished12(suite, master, 'client finished', Buffer.from('messages'));
    expect(fin).toEqual(prf('sha256', master, 'client finished', sessionHash, 12));
    expect(finished12(suite, master, 'server finished', Buffer.from('messages')).equals(fin)).toBe(false);
  });
});

describe('TLS 1.2 AES-GCM records (RFC 5288 §3)', () => {
  for (const suite of TLS12_SUITES.filter((s, i, all) => s.ivLength === 4 && all.findIndex((t) => t.aead === s.aead) === i)) {
    test(`${suite.aead}: explicit nonce, additional data and round trip`, () => {
      const key = Buffer.alloc(suite.keyLength, 9);
      const salt = h('01020304');
      const w = new Tls12RecordProtection(suite, key, salt);
      w.seal(23, Buffer.from('first'));
      const rec = w.seal(23, Buffer.from('GET / HTTP/1.1\r\n\r\n'));
      // Record 1: the explicit nonce is the sequence number; decrypt it independently with nonce salt || explicit and
      // additional data seq || type || version || length (RFC 5246 §6.2.3.3).
      expect(rec.subarray(0, 3)).toEqual(Buffer.from([23, 3, 3]));
      expect(rec.readUInt16BE(3)).toBe(rec.length - 5);
      const explicit = rec.subarray(5, 13);
      expect(explicit.readBigUInt64BE()).toBe(1n);
      const d = createDecipheriv(suite.aead, key, Buffer.concat([salt, explicit]), { authTagLength: 16 });
      d.setAAD(Buffer.concat([h('0000000000000001'), Buffer.from([23, 3, 3, 0, 18])]));
      d.setAuthTag(rec.subarray(rec.length - 16));
      expect(Buffer.concat([d.update(rec.subarray(13, rec.length - 16)), d.final()]).toString()).toBe('GET / HTTP/1.1\r\n\r\n');

      const r = new Tls12RecordProtection(suite, key, salt);
      const first = new Tls12RecordProtection(suite, key, salt).seal(22, Buffer.from('hello'));
      expect(r.open(first.subarray(0, 5), first.subarray(5))).toEqual({ type: 22, content: Buffer.from('hello') });
      // The sequence number is in the additional data: the same record read as record 1 fails.
      expect(r.open(first.subarray(0, 5), first.subarray(5))).toHaveProperty('error');
      // So is the type.
      const other = new Tls12RecordProtection(suite, key, salt);
      expect(other.open(Buffer.from([21, 3, 3, 0, first.length - 5]), first.subarray(5))).toHaveProperty('error');
      expect(new Tls12RecordProtection(suite, key, salt).open(first.subarray(0, 5), first.subarray(5, 20))).toHaveProperty('error');
    });
  }
});

describe('TLS 1.2 ChaCha20-Poly1305 records (RFC 7905 §2)', () => {
  test('no explicit nonce: the IV XOR the sequence number; round trip; out of sequence fails', () => {
    const suite = tls12Suite(0xcca9)!;
    const key = Buffer.alloc(32, 5);
    const iv = h('000102030405060708090a0b');
    const w = new Tls12RecordProtection(suite, key, iv);
    w.seal(23, Buffer.from('first'));
    const rec = w.seal(23, Buffer.from('second'));
    expect(rec.readUInt16BE(3)).toBe(6 + 16);
    const nonce = Buffer.from(iv);
    nonce[11]! ^= 1;
    const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    d.setAAD(Buffer.concat([h('0000000000000001'), Buffer.from([23, 3, 3, 0, 6])]), { plaintextLength: 6 });
    d.setAuthTag(rec.subarray(rec.length - 16));
    expect(Buffer.concat([d.update(rec.subarray(5, rec.length - 16)), d.final()]).toString()).toBe('second');
    const r = new Tls12RecordProtection(suite, key, iv);
    expect(r.open(rec.subarray(0, 5), rec.subarray(5))).toHaveProperty('error');
    const r2 = new Tls12RecordProtection(suite, key, iv);
    const first = new Tls12RecordProtection(suite, key, iv).seal(22, Buffer.from('hello'));
    expect(r2.open(first.subarray(0, 5), first.subarray(5))).toEqual({ type: 22, content: Buffer.from('hello') });
  });
});
