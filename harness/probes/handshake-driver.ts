import type { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1 from '@peculiar/asn1-x509';
import type { Observation, Outcome } from '../model.js';
import { formatName } from '../policy/certificate-facts.js';
import { Reader, u24, u8 } from './raw-hello.js';
import type { Signer } from './handshake-signer.js';
import { MAX_PLAINTEXT } from './tls13-keys.js';

/** What either handshake (TLS 1.3 or 1.2) is driven with: the offer, the chain and its signer, the request. */
export interface HandshakeOptions {
  suites: number[];
  servername?: string;
  alpn: string[];
  chain: X509Certificate[];
  signer: Signer;
  /** The application request, sent right after the client Finished. */
  request: Buffer;
}

/**
 * What the certificate-verify probe's connection shell (certificate-verify-probe.ts) and its
 * per-version handshakes (tls13-handshake.ts, tls12-handshake.ts) share: the facts they record,
 * the interface between them, and the small readers and writers of handshake messages.
 */

/** What the server's CertificateRequest asked for (RFC 8446 §4.3.2; RFC 5246 §7.4.4). */
export interface CertificateRequestFacts {
  /** certificate_request_context length: 0 in a TLS 1.3 handshake; 0 in TLS 1.2, which has none. */
  contextLength: number;
  /** signature_algorithms (supported_signature_algorithms in TLS 1.2), names (`ecdsa_secp256r1_sha256`, `0x0201` when unknown), in the server's order. */
  signatureAlgorithms: string[];
  /** signature_algorithms_cert when sent, else null. */
  signatureAlgorithmsCert: string[] | null;
  /** certificate_authorities (RFC 8446 §4.2.4; RFC 5246 §7.4.4) as RFC 4514 strings; [] when none. */
  certificateAuthorities: string[];
  /** The same names, DER hex, for an exact comparison with a CA certificate's subject. */
  certificateAuthoritiesDer: string[];
  /** TLS 1.3: extension types in the server's order; TLS 1.2: []. */
  extensions: number[];
  /** TLS 1.2 only: certificate_types (RFC 5246 §7.4.4: 1 rsa_sign, 64 ecdsa_sign). */
  certificateTypes?: number[];
}

export type CertificateVerifyStage = 'connect' | 'server-hello' | 'server-flight' | 'client-flight' | 'answer';

export interface CertificateVerifyFacts {
  /** The protocol version the harness spoke. */
  version: 'TLSv1.3' | 'TLSv1.2';
  /** The scheme the harness signed CertificateVerify with; null when it signed none. */
  scheme: string | null;
  /** The signing key's type: `ec-p256`, `ec-p384`, `ec-p521`, `ed25519`, `ed448`, `rsa-2048`, `rsa-pss-2048`. */
  keyType: string;
  /** Whether the signing key is the public key of the leaf: true for a control, false for a wrong-key run. */
  keyMatchesCertificate: boolean;
  /** Null: no CertificateRequest was received (not asked for, or the handshake stopped before it). */
  certificateRequest: CertificateRequestFacts | null;
  /** Whether the server's Finished verified (RFC 8446 §4.4.4, RFC 5246 §7.4.9): false only before it arrived. */
  serverFinishedVerified: boolean;
  /** The key exchange group (`x25519`, `secp256r1`, `secp384r1`), null before it was chosen. */
  group: string | null;
  /** TLS 1.3: whether the target sent a HelloRetryRequest for another group (RFC 8446 §4.1.4). */
  helloRetry: boolean;
  /** Certificates in the server's Certificate message, null before it arrived. */
  serverCertificates: number | null;
  /**
   * The furthest point reached. `answer`: the handshake is complete from the client's side (TLS
   * 1.3: the client Finished is sent; TLS 1.2: the server Finished is verified) and the request is out.
   */
  stage: CertificateVerifyStage;
  /** Milliseconds from the start of the probe: TCP connected, server Finished verified, client flight sent, end. */
  timings: { connectMs: number | null; serverFlightMs: number | null; clientFlightMs: number | null; totalMs: number };
}

/** Decrypts the server's records once keys are in place. */
export interface RecordOpener {
  open(header: Buffer, body: Buffer): { type: number; content: Buffer } | { error: string };
}

/** What a handshake may do to the connection the shell owns. */
export interface HandshakeHost {
  readonly facts: CertificateVerifyFacts;
  write(bytes: Buffer): void;
  /** The server broke TLS: ends the probe with a harness-error. Returns false, to end a message handler. */
  malformed(what: string): false;
  /** Ends the probe with an observation. */
  finish(outcome: Outcome, detail: string, extra?: Partial<Observation>): void;
  negotiated(what: { tlsVersion?: string; cipher?: string | null; alpn?: string | null }): void;
  /** Milliseconds since the probe started. */
  since(): number;
}

/** One protocol version's client handshake, driven by the shell with the server's messages. */
export interface HandshakeDriver {
  /** The ClientHello record, sent on connect. */
  readonly clientHello: Buffer;
  /** Keys for the server's protected records; null while they come in the clear. */
  readonly readKeys: RecordOpener | null;
  /**
   * TLS 1.3: only application_data records are protected, the true type inside (RFC 8446 §5.2).
   * TLS 1.2: every record after the server's change_cipher_spec is, under its own type.
   */
  readonly innerTypes: boolean;
  /** Whether application data from the server is expected now. */
  readonly application: boolean;
  /** A whole handshake message; false when the probe ended. */
  onHandshake(type: number, body: Buffer, raw: Buffer): boolean;
  /** A change_cipher_spec record (its one 0x01 byte checked); false when the probe ended. */
  onChangeCipherSpec(): boolean;
  /** What the handshake waits for, in words, for timeout and close details. */
  awaiting(): string;
  /**
   * The client's close_notify alert (RFC 8446 §6.1, RFC 5246 §7.2.1), a record protected under its
   * current write keys, once the handshake is complete; null before (nothing to close cleanly).
   */
  closeNotify(): Buffer | null;
}

/** An alert's two bytes: close_notify, level warning (RFC 5246 §7.2; TLS 1.3 ignores the level, RFC 8446 §6). */
export const CLOSE_NOTIFY = Buffer.from([1, 0]);

// --- handshake messages

/** Handshake types (RFC 8446 §4, RFC 5246 §7.4). */
export const HS = {
  hello_request: 0,
  server_hello: 2,
  new_session_ticket: 4,
  encrypted_extensions: 8,
  certificate: 11,
  server_key_exchange: 12,
  certificate_request: 13,
  server_hello_done: 14,
  certificate_verify: 15,
  client_key_exchange: 16,
  finished: 20,
  key_update: 24,
} as const;

const HS_NAMES: Record<number, string> = {
  0: 'HelloRequest',
  1: 'ClientHello',
  2: 'ServerHello',
  4: 'NewSessionTicket',
  5: 'EndOfEarlyData',
  8: 'EncryptedExtensions',
  11: 'Certificate',
  12: 'ServerKeyExchange',
  13: 'CertificateRequest',
  14: 'ServerHelloDone',
  15: 'CertificateVerify',
  16: 'ClientKeyExchange',
  20: 'Finished',
  22: 'CertificateStatus',
  24: 'KeyUpdate',
};

export function hsName(type: number): string {
  return HS_NAMES[type] ?? `handshake type ${type}`;
}

/** Split bytes into records of at most 2^14 bytes each (RFC 8446 §5.1, RFC 5246 §6.2.1), each made by `p`. */
export function protectAll(p: { seal(type: number, content: Buffer): Buffer }, type: number, data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += MAX_PLAINTEXT) out.push(p.seal(type, data.subarray(i, i + MAX_PLAINTEXT)));
  return out;
}

export function handshakeMessage(type: number, body: Buffer): Buffer {
  return Buffer.concat([u8(type), u24(body.length), body]);
}

/** `opaque data<0..2^16-1>` read from `r`, or null when it overruns. */
export function vector16(r: Reader): Buffer | null {
  const n = r.u16();
  return n === null ? null : r.bytes(n);
}

/** `opaque data<0..2^24-1>` read from `r`, or null when it overruns. */
export function vector24(r: Reader): Buffer | null {
  const n = r.bytes(3);
  return n === null ? null : r.bytes(n.readUIntBE(0, 3));
}

/** Extensions<..> as a list of [type, data], duplicates refused (RFC 8446 §4.2). A string says what is malformed. */
export function extensionsOf(data: Buffer, where: string): [number, Buffer][] | string {
  const r = new Reader(data);
  const list: [number, Buffer][] = [];
  while (r.left > 0) {
    const type = r.u16();
    const body = r.bytes(r.u16() ?? -1);
    if (type === null || body === null) return `${where}: extensions are truncated`;
    if (list.some(([t]) => t === type)) return `${where}: extension ${type} appears twice`;
    list.push([type, body]);
  }
  return list;
}

/** A `SignatureScheme supported_signature_algorithms<2..2^16-2>` list. */
export function schemeList(data: Buffer, where: string): number[] | string {
  const r = new Reader(data);
  const list = vector16(r);
  if (!list || r.left !== 0 || list.length < 2 || list.length % 2 !== 0) return `${where} is malformed`;
  const out: number[] = [];
  for (let i = 0; i < list.length; i += 2) out.push(list.readUInt16BE(i));
  return out;
}

/** `DistinguishedName authorities<3..2^16-1>` (RFC 8446 §4.2.4, RFC 5246 §7.4.4), each name DER. */
export function distinguishedNames(list: Buffer, where: string): Buffer[] | string {
  const r = new Reader(list);
  const names: Buffer[] = [];
  while (r.left > 0) {
    const dn = vector16(r);
    if (!dn || dn.length === 0) return `${where} holds a truncated name`;
    names.push(dn);
  }
  return names;
}

/** A DER Name as an RFC 4514 string, formatted as the policy layer formats subjects. */
export function dnString(der: Buffer): string {
  try {
    return formatName(AsnConvert.parse(der, asn1.Name));
  } catch {
    return `unparsable name ${der.toString('hex').slice(0, 64)}`;
  }
}
