import { createECDH, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { GROUP_SECP256R1, GROUP_SECP384R1, GROUP_X25519 } from './raw-hello.js';

/**
 * One ephemeral (EC)DH key pair of a group the harness's ClientHello lists (RFC 8446 §4.2.7,
 * RFC 8422 §5.1.1), and its shared secret with a peer's share: the same for TLS 1.3 key_share and
 * TLS 1.2 ServerKeyExchange / ClientKeyExchange.
 */
export interface KeyExchange {
  group: number;
  /** X25519: the raw 32 bytes (RFC 7748); P-256/P-384: the uncompressed point (RFC 8446 §4.2.8.2). */
  publicKey: Buffer;
  /** The shared secret (RFC 8446 §7.4, RFC 8422 §5.10); throws for a share that is not a valid point of the group. */
  shared(peer: Buffer): Buffer;
}

export const GROUP_NAMES: Readonly<Record<number, string>> = { [GROUP_X25519]: 'x25519', [GROUP_SECP256R1]: 'secp256r1', [GROUP_SECP384R1]: 'secp384r1' };

export function groupName(g: number | null): string {
  return g === null ? 'none' : (GROUP_NAMES[g] ?? `0x${g.toString(16).padStart(4, '0')}`);
}

/** RFC 8410 §4: an X25519 SubjectPublicKeyInfo is this prefix and the raw key. */
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export function keyExchange(group: number): KeyExchange {
  if (group === GROUP_X25519) {
    const { privateKey, publicKey } = generateKeyPairSync('x25519');
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    return {
      group,
      publicKey: Buffer.from(spki.subarray(spki.length - 32)),
      shared: (peer) => {
        if (peer.length !== 32) throw new Error(`an X25519 share is 32 bytes, got ${peer.length}`);
        // RFC 8446 §7.4.2: an all-zero result must be refused; OpenSSL throws for it.
        const key = createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, peer]), format: 'der', type: 'spki' });
        return diffieHellman({ privateKey, publicKey: key });
      },
    };
  }
  if (group !== GROUP_SECP256R1 && group !== GROUP_SECP384R1) throw new Error(`group ${groupName(group)} is not one the harness offers`);
  // RFC 8446 §4.2.8.2: uncompressed points only; §7.4.2: the shared secret is the x coordinate (what computeSecret gives).
  const ecdh = createECDH(group === GROUP_SECP256R1 ? 'prime256v1' : 'secp384r1');
  const length = group === GROUP_SECP256R1 ? 65 : 97;
  return {
    group,
    publicKey: ecdh.generateKeys(),
    shared: (peer) => {
      if (peer.length !== length || peer[0] !== 4) throw new Error(`a ${groupName(group)} share is an uncompressed point of ${length} bytes`);
      return ecdh.computeSecret(peer);
    },
  };
}
