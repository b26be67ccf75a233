import { constants, createECDH, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { connect, isIP } from 'node:net';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1 from '@peculiar/asn1-x509';
import { HarnessError, quote } from '../errors.js';
import type { Observation, Outcome } from '../model.js';
import { formatName } from '../policy/certificate-facts.js';
import { alertByCode, type Alert } from './alerts.js';
import { buildClientHello, EXT, GROUP_SECP256R1, GROUP_SECP384R1, GROUP_X25519, parseServerHello, Reader, u16, u24, u8, vec16, vec8 } from './raw-hello.js';
import {
  applicationSecrets,
  CONTENT,
  digest,
  finishedVerifyData,
  handshakeSecrets,
  macEquals,
  MAX_CIPHERTEXT,
  MAX_PLAINTEXT,
  nextTrafficSecret,
  RecordProtection,
  tls13Suite,
  TLS13_SUITES,
  Transcript,
  type Tls13Suite,
} from './tls13-keys.js';

/**
 * A TLS 1.3 client handshake written by the harness, to present a valid certificate and sign the
 * CertificateVerify with a key of the caller's choosing (RFC 8446 §4.4.3): a server that does not
 * check the signature admits anyone who holds the public certificate. node:tls always signs with
 * the certificate's own key, so this needs our own bytes: x25519, the key schedule and record
 * protection from tls13-keys.ts, the ClientHello from raw-hello.ts. Not a TLS stack: no PSK, no
 * HelloRetryRequest, no server signature check (its Finished MAC is checked, so a broken key
 * schedule shows as a harness error, never as the target's verdict).
 *
 * Every byte from the server is untrusted: reads are bounded in bytes (`maxBytes`) and time
 * (`timeoutMs`), each length is checked, and whatever the server does is an Observation.
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
  /** ALPN protocols offered (RFC 7301); default ['http/1.1'], [] for no ALPN extension. */
  alpn?: string[];
  httpPath: string;
  httpMethod: string;
  /** Bound on the whole exchange, connect included. */
  timeoutMs: number;
  /** TLS 1.3 suites offered, in order; default all three of RFC 8446 §B.4 that this prober implements. */
  suites?: number[];
  /** Stop reading after this many bytes from the server; default 512 KiB. */
  maxBytes?: number;
}

/** What the server's CertificateRequest asked for (RFC 8446 §4.3.2). */
export interface CertificateRequestFacts {
  /** certificate_request_context length: 0 in a handshake (RFC 8446 §4.3.2). */
  contextLength: number;
  /** signature_algorithms, names (`ecdsa_secp256r1_sha256`, `0x0201` when unknown), in the server's order. */
  signatureAlgorithms: string[];
  /** signature_algorithms_cert when sent, else null. */
  signatureAlgorithmsCert: string[] | null;
  /** certificate_authorities (RFC 8446 §4.2.4) as RFC 4514 strings; [] when the extension is absent. */
  certificateAuthorities: string[];
  /** The same names, DER hex, for an exact comparison with a CA certificate's subject. */
  certificateAuthoritiesDer: string[];
  /** Extension types in the server's order. */
  extensions: number[];
}

export type CertificateVerifyStage = 'connect' | 'server-hello' | 'server-flight' | 'client-flight' | 'answer';

export interface CertificateVerifyFacts {
  /** The scheme the harness signed CertificateVerify with; null when it signed none. */
  scheme: string | null;
  /** The signing key's type: `ec-p256`, `ec-p384`, `ec-p521`, `ed25519`, `ed448`, `rsa-2048`, `rsa-pss-2048`. */
  keyType: string;
  /** Whether the signing key is the public key of the leaf: true for a control, false for a wrong-key run. */
  keyMatchesCertificate: boolean;
  /** Null: no CertificateRequest was received (not asked for, or the handshake stopped before it). */
  certificateRequest: CertificateRequestFacts | null;
  /** Whether the server's Finished MAC verified (RFC 8446 §4.4.4): false only before it arrived. */
  serverFinishedVerified: boolean;
  /** The key exchange group of the handshake (`x25519`, `secp256r1`, `secp384r1`), null before the ServerHello. */
  group: string | null;
  /** Whether the target sent a HelloRetryRequest for another group (RFC 8446 §4.1.4). */
  helloRetry: boolean;
  /** Certificates in the server's Certificate message, null before it arrived. */
  serverCertificates: number | null;
  /** The furthest point reached: the server's answer is judged knowing how far the harness got. */
  stage: CertificateVerifyStage;
  /** Milliseconds from the start of the probe: TCP connected, server Finished verified, client flight sent, end. */
  timings: { connectMs: number | null; serverFlightMs: number | null; clientFlightMs: number | null; totalMs: number };
}

export type CertificateVerifyObservation = Observation & { certificateVerify: CertificateVerifyFacts };

export const DEFAULT_MAX_BYTES = 512 * 1024;
/** One handshake message from the server: a long chain or a long CA list fits, a 16 MiB claim does not. */
const MAX_HANDSHAKE_MESSAGE = 256 * 1024;
/** Only the status line and the first words of the body are read. */
const MAX_ANSWER_BYTES = 8192;
const HTTP_STATUS_LINE = /^HTTP\/\d(?:\.\d)? (\d{3})/;

// Handshake types (RFC 8446 §4).
const HS = { new_session_ticket: 4, encrypted_extensions: 8, certificate: 11, certificate_request: 13, certificate_verify: 15, finished: 20, key_update: 24 } as const;
const HS_NAMES: Record<number, string> = {
  1: 'ClientHello',
  2: 'ServerHello',
  4: 'NewSessionTicket',
  5: 'EndOfEarlyData',
  8: 'EncryptedExtensions',
  11: 'Certificate',
  13: 'CertificateRequest',
  15: 'CertificateVerify',
  20: 'Finished',
  24: 'KeyUpdate',
};
const hsName = (t: number) => HS_NAMES[t] ?? `handshake type ${t}`;
const EXT_SIGNATURE_ALGORITHMS_CERT = 50;
const CCS_RECORD = Buffer.from([CONTENT.change_cipher_spec, 3, 3, 0, 1, 1]);
const EXT_CERTIFICATE_AUTHORITIES = 47;

/** RFC 8446 §4.2.3 SignatureScheme names. */
export const SIGNATURE_SCHEMES: Readonly<Record<number, string>> = {
  0x0401: 'rsa_pkcs1_sha256',
  0x0501: 'rsa_pkcs1_sha384',
  0x0601: 'rsa_pkcs1_sha512',
  0x0403: 'ecdsa_secp256r1_sha256',
  0x0503: 'ecdsa_secp384r1_sha384',
  0x0603: 'ecdsa_secp521r1_sha512',
  0x0804: 'rsa_pss_rsae_sha256',
  0x0805: 'rsa_pss_rsae_sha384',
  0x0806: 'rsa_pss_rsae_sha512',
  0x0807: 'ed25519',
  0x0808: 'ed448',
  0x0809: 'rsa_pss_pss_sha256',
  0x080a: 'rsa_pss_pss_sha384',
  0x080b: 'rsa_pss_pss_sha512',
  0x0201: 'rsa_pkcs1_sha1',
  0x0203: 'ecdsa_sha1',
};
export function schemeName(code: number): string {
  return SIGNATURE_SCHEMES[code] ?? `0x${code.toString(16).padStart(4, '0')}`;
}

// --- the signing key

interface Signer {
  keyType: string;
  /** Schemes this key can sign in TLS 1.3 (RFC 8446 §4.2.3), harness preference first. */
  schemes: number[];
  sign(scheme: number, content: Buffer): Buffer;
}

const CURVES: Record<string, { kind: string; scheme: number; hash: string }> = {
  prime256v1: { kind: 'ec-p256', scheme: 0x0403, hash: 'sha256' },
  secp384r1: { kind: 'ec-p384', scheme: 0x0503, hash: 'sha384' },
  secp521r1: { kind: 'ec-p521', scheme: 0x0603, hash: 'sha512' },
};
const PSS_HASH: Record<number, { hash: string; saltLength: number }> = {
  0x0804: { hash: 'sha256', saltLength: 32 },
  0x0805: { hash: 'sha384', saltLength: 48 },
  0x0806: { hash: 'sha512', saltLength: 64 },
  0x0809: { hash: 'sha256', saltLength: 32 },
  0x080a: { hash: 'sha384', saltLength: 48 },
  0x080b: { hash: 'sha512', saltLength: 64 },
};

function inputError(what: string): HarnessError {
  return new HarnessError('certificate-verify-input', `error: the certificate-verify probe cannot run: ${what}.`);
}

function signerFor(key: KeyObject): Signer {
  const type = key.asymmetricKeyType;
  if (type === 'ec') {
    const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!curve) throw inputError(`the signing key is on curve ${quote(key.asymmetricKeyDetails?.namedCurve)}; TLS 1.3 signs with P-256, P-384 or P-521 (RFC 8446 §4.2.3)`);
    // RFC 8446 §4.2.3: ECDSA signatures are DER ECDSA-Sig-Value, the curve fixed by the scheme.
    return { keyType: curve.kind, schemes: [curve.scheme], sign: (_s, content) => sign(curve.hash, content, { key, dsaEncoding: 'der' }) };
  }
  if (type === 'ed25519' || type === 'ed448') {
    return { keyType: type, schemes: [type === 'ed25519' ? 0x0807 : 0x0808], sign: (_s, content) => sign(null, content, key) };
  }
  if (type === 'rsa' || type === 'rsa-pss') {
    // RFC 8446 §4.2.3: RSA signs CertificateVerify with PSS only, salt as long as the digest; an
    // rsaEncryption key uses rsa_pss_rsae_*, an RSASSA-PSS key rsa_pss_pss_*.
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    const schemes = type === 'rsa' ? [0x0804, 0x0805, 0x0806] : [0x0809, 0x080a, 0x080b];
    return {
      keyType: `${type}-${bits}`,
      schemes,
      sign: (scheme, content) => {
        const p = PSS_HASH[scheme]!;
        return sign(p.hash, content, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: p.saltLength });
      },
    };
  }
  throw inputError(`the signing key is of type ${quote(type)}; use an EC (P-256/P-384/P-521), Ed25519, Ed448 or RSA key`);
}

/** A fresh private key (PKCS#8 PEM) of the same type and size as `keyPem`: the "other key" of a wrong-key run. */
export function freshKeyLike(keyPem: string): string {
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw inputError(`the key to imitate is not a PEM private key (${(err as Error).message})`);
  }
  const d = key.asymmetricKeyDetails ?? {};
  const pem = (k: KeyObject) => k.export({ type: 'pkcs8', format: 'pem' }) as string;
  switch (key.asymmetricKeyType) {
    case 'ec':
      return pem(generateKeyPairSync('ec', { namedCurve: d.namedCurve! }).privateKey);
    case 'ed25519':
      return pem(generateKeyPairSync('ed25519').privateKey);
    case 'ed448':
      return pem(generateKeyPairSync('ed448').privateKey);
    case 'rsa':
      return pem(generateKeyPairSync('rsa', { modulusLength: d.modulusLength! }).privateKey);
    case 'rsa-pss':
      return pem(generateKeyPairSync('rsa-pss', { modulusLength: d.modulusLength! }).privateKey);
    default:
      throw inputError(`cannot make a key like one of type ${quote(key.asymmetricKeyType)}`);
  }
}

/** The certificates of a PEM bundle, DER, in order. */
function chainDer(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw inputError('certChainPem holds no PEM certificate');
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (err) {
      throw inputError(`certificate ${i + 1} of certChainPem does not parse (${(err as Error).message})`);
    }
  });
}

// --- parsing the server's messages (a string says what is malformed)

interface ServerHelloKeys {
  sessionId: Buffer;
  group: number | null;
  /** The server's share; null in a HelloRetryRequest, whose key_share names a group only (RFC 8446 §4.2.8). */
  key: Buffer | null;
  /** A HelloRetryRequest's cookie (RFC 8446 §4.2.2). */
  cookie: Buffer | null;
}

/** legacy_session_id_echo, key_share and cookie of a ServerHello body (RFC 8446 §4.1.3, §4.2.8); parseServerHello has vetted its framing. */
function serverHelloKeys(body: Buffer, helloRetry: boolean): ServerHelloKeys | string {
  const r = new Reader(body);
  r.bytes(2 + 32);
  const sid = r.bytes(r.u8() ?? -1);
  if (!sid || r.bytes(3) === null) return 'ServerHello ends early';
  const out: ServerHelloKeys = { sessionId: sid, group: null, key: null, cookie: null };
  if (r.left === 0) return out;
  r.u16();
  while (r.left > 0) {
    const type = r.u16();
    const data = r.bytes(r.u16() ?? -1);
    if (type === null || data === null) return 'ServerHello extensions are truncated';
    if (type === EXT.key_share) {
      const k = new Reader(data);
      out.group = k.u16();
      out.key = helloRetry ? null : vector16(k);
      if (out.group === null || (!helloRetry && out.key === null) || k.left !== 0) return `${helloRetry ? 'HelloRetryRequest' : 'ServerHello'} key_share is malformed`;
    } else if (type === EXT.cookie && helloRetry) {
      const c = new Reader(data);
      out.cookie = vector16(c);
      if (!out.cookie || out.cookie.length === 0 || c.left !== 0) return 'HelloRetryRequest cookie is malformed';
    }
  }
  return out;
}

/** One (EC)DHE key pair of a group the ClientHello lists (RFC 8446 §4.2.7), and its shared secret with a peer's share. */
interface KeyExchange {
  group: number;
  publicKey: Buffer;
  /** RFC 8446 §7.4: the shared secret; throws for a share that is not a valid point of the group. */
  shared(peer: Buffer): Buffer;
}

const GROUP_NAMES: Record<number, string> = { [GROUP_X25519]: 'x25519', [GROUP_SECP256R1]: 'secp256r1', [GROUP_SECP384R1]: 'secp384r1' };
const groupName = (g: number | null) => (g === null ? 'none' : (GROUP_NAMES[g] ?? `0x${g.toString(16).padStart(4, '0')}`));

function keyExchange(group: number): KeyExchange {
  if (group === GROUP_X25519) {
    const { privateKey, publicKey } = generateKeyPairSync('x25519');
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    return {
      group,
      publicKey: Buffer.from(spki.subarray(spki.length - 32)),
      shared: (peer) => {
        if (peer.length !== 32) throw new Error(`an X25519 share is 32 bytes, got ${peer.length}`);
        // RFC 8410 §4: the raw key behind a fixed SPKI prefix; an all-zero result is refused by OpenSSL (RFC 8446 §7.4.2).
        const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), peer]), format: 'der', type: 'spki' });
        return diffieHellman({ privateKey, publicKey: key });
      },
    };
  }
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

/** Extensions<..> as a list of [type, data], duplicates refused (RFC 8446 §4.2). */
function extensionsOf(data: Buffer, where: string): [number, Buffer][] | string {
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

function vector16(r: Reader): Buffer | null {
  const n = r.u16();
  return n === null ? null : r.bytes(n);
}

function schemeList(data: Buffer, where: string): number[] | string {
  const r = new Reader(data);
  const list = vector16(r);
  if (!list || r.left !== 0 || list.length < 2 || list.length % 2 !== 0) return `${where} is malformed`;
  const out: number[] = [];
  for (let i = 0; i < list.length; i += 2) out.push(list.readUInt16BE(i));
  return out;
}

function dnString(der: Buffer): string {
  try {
    return formatName(AsnConvert.parse(der, asn1.Name));
  } catch {
    return `unparsable name ${der.toString('hex').slice(0, 64)}`;
  }
}

/** RFC 8446 §4.3.2 CertificateRequest; signature_algorithms is mandatory there. */
export function parseCertificateRequest(body: Buffer): { facts: CertificateRequestFacts; context: Buffer; schemes: number[] } | string {
  const r = new Reader(body);
  const context = r.bytes(r.u8() ?? -1);
  const extData = context ? vector16(r) : null;
  if (!context || !extData || r.left !== 0) return 'CertificateRequest framing is malformed';
  const exts = extensionsOf(extData, 'CertificateRequest');
  if (typeof exts === 'string') return exts;
  const sigExt = exts.find(([t]) => t === EXT.signature_algorithms);
  if (!sigExt) return 'CertificateRequest has no signature_algorithms (RFC 8446 §4.3.2: it MUST)';
  const schemes = schemeList(sigExt[1], 'CertificateRequest signature_algorithms');
  if (typeof schemes === 'string') return schemes;
  const certExt = exts.find(([t]) => t === EXT_SIGNATURE_ALGORITHMS_CERT);
  const certSchemes = certExt ? schemeList(certExt[1], 'CertificateRequest signature_algorithms_cert') : null;
  if (typeof certSchemes === 'string') return certSchemes;
  const cas: Buffer[] = [];
  const caExt = exts.find(([t]) => t === EXT_CERTIFICATE_AUTHORITIES);
  if (caExt) {
    const cr = new Reader(caExt[1]);
    const list = vector16(cr);
    if (!list || cr.left !== 0) return 'CertificateRequest certificate_authorities is malformed';
    const lr = new Reader(list);
    while (lr.left > 0) {
      const dn = vector16(lr);
      if (!dn || dn.length === 0) return 'CertificateRequest certificate_authorities holds a truncated name';
      cas.push(dn);
    }
  }
  return {
    context,
    schemes,
    facts: {
      contextLength: context.length,
      signatureAlgorithms: schemes.map(schemeName),
      signatureAlgorithmsCert: certSchemes ? certSchemes.map(schemeName) : null,
      certificateAuthorities: cas.map(dnString),
      certificateAuthoritiesDer: cas.map((c) => c.toString('hex')),
      extensions: exts.map(([t]) => t),
    },
  };
}

/** The number of entries of a TLS 1.3 Certificate message (RFC 8446 §4.4.2). */
function certificateCount(body: Buffer): number | string {
  const r = new Reader(body);
  if (r.bytes(r.u8() ?? -1) === null) return 'Certificate context is truncated';
  const lenBytes = r.bytes(3);
  if (!lenBytes) return 'Certificate ends early';
  const list = r.bytes(lenBytes.readUIntBE(0, 3));
  if (!list || r.left !== 0) return 'Certificate list length does not match the message';
  const lr = new Reader(list);
  let n = 0;
  while (lr.left > 0) {
    const l = lr.bytes(3);
    const cert = l ? lr.bytes(l.readUIntBE(0, 3)) : null;
    const ext = cert ? vector16(lr) : null;
    if (!cert || !ext) return 'Certificate entry is truncated';
    n++;
  }
  return n;
}

/** EncryptedExtensions: the ALPN protocol selected, if any (RFC 7301 §3.1). */
function selectedAlpn(body: Buffer): string | null | { error: string } {
  const r = new Reader(body);
  const data = vector16(r);
  if (!data || r.left !== 0) return { error: 'EncryptedExtensions framing is malformed' };
  const exts = extensionsOf(data, 'EncryptedExtensions');
  if (typeof exts === 'string') return { error: exts };
  const alpn = exts.find(([t]) => t === EXT.application_layer_protocol_negotiation);
  if (!alpn) return null;
  const ar = new Reader(alpn[1]);
  const list = vector16(ar);
  const name = list ? new Reader(list) : null;
  const proto = name ? name.bytes(name.u8() ?? -1) : null;
  if (!proto || proto.length === 0 || name!.left !== 0 || ar.left !== 0) return { error: 'EncryptedExtensions ALPN must name exactly one protocol (RFC 7301 §3.1)' };
  return proto.toString('latin1');
}

// --- writing the client's messages

function handshakeMessage(type: number, body: Buffer): Buffer {
  return Buffer.concat([u8(type), u24(body.length), body]);
}

/** RFC 8446 §4.4.2: Certificate with the request's context, each entry without extensions. */
function certificateMessage(context: Buffer, chain: X509Certificate[]): Buffer {
  const entries = chain.map((c) => Buffer.concat([u24(c.raw.length), c.raw, vec16(Buffer.alloc(0))]));
  const list = Buffer.concat(entries);
  return handshakeMessage(HS.certificate, Buffer.concat([vec8(context), u24(list.length), list]));
}

/** RFC 8446 §4.4.3: the content a client's CertificateVerify signs. */
export function clientVerifyContent(transcriptHash: Buffer): Buffer {
  return Buffer.concat([Buffer.alloc(64, 0x20), Buffer.from('TLS 1.3, client CertificateVerify', 'ascii'), Buffer.from([0]), transcriptHash]);
}

/** Split handshake bytes into protected records of at most 2^14 bytes each (RFC 8446 §5.1). */
function protectAll(p: RecordProtection, type: number, data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += MAX_PLAINTEXT) out.push(p.seal(type, data.subarray(i, i + MAX_PLAINTEXT)));
  return out;
}

// --- the probe

type Phase = 'server-hello' | 'encrypted-extensions' | 'certificate-request' | 'certificate' | 'certificate-verify' | 'finished' | 'application';

/**
 * One TLS 1.3 handshake presenting `certChainPem` with CertificateVerify signed by
 * `signingKeyPem`, then one HTTP/1.1 request. Never rejects for what the server does; rejects
 * with a HarnessError only for unusable input (a chain or key that does not parse).
 */
export async function probeCertificateVerify(input: CertificateVerifyProbeInput): Promise<CertificateVerifyObservation> {
  const chain = chainDer(input.certChainPem);
  let key: KeyObject;
  try {
    key = createPrivateKey(input.signingKeyPem);
  } catch (err) {
    throw inputError(`signingKeyPem is not a PEM private key (${(err as Error).message})`);
  }
  const signer = signerFor(key);
  const keyMatchesCertificate = chain[0]!.publicKey.export({ type: 'spki', format: 'der' }).equals(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  const suites = input.suites ?? TLS13_SUITES.map((s) => s.code);
  for (const s of suites) if (!tls13Suite(s)) throw inputError(`suite 0x${s.toString(16)} is not one the prober implements (0x1301, 0x1302, 0x1303)`);
  const maxBytes = input.maxBytes ?? DEFAULT_MAX_BYTES;
  const alpnOffer = input.alpn ?? ['http/1.1'];

  // One random and session id for both ClientHellos of a HelloRetryRequest exchange (RFC 8446 §4.1.2).
  const random = randomBytes(32);
  const sentSessionId = randomBytes(32);
  const helloRecord = (kex: KeyExchange, cookie?: Buffer) =>
    buildClientHello({
      version: 'TLSv1.3',
      suites,
      ...(input.servername ? { servername: input.servername } : {}),
      random,
      sessionId: sentSessionId,
      keyShare: { group: kex.group, key: kex.publicKey },
      ...(cookie ? { cookie } : {}),
      alpn: alpnOffer,
    });
  let kex = keyExchange(GROUP_X25519);
  const clientHelloRecord = helloRecord(kex);
  const clientHello = clientHelloRecord.subarray(5);

  const name = input.servername ?? input.host;
  const authority = `${isIP(name) === 6 ? `[${name}]` : name}:${input.port}`;
  const request = Buffer.from(`${input.httpMethod} ${input.httpPath} HTTP/1.1\r\nHost: ${authority}\r\nUser-Agent: mtls-conformance\r\nAccept: */*\r\nConnection: close\r\n\r\n`, 'latin1');

  const started = performance.now();
  const since = () => Math.round(performance.now() - started);

  return new Promise<CertificateVerifyObservation>((resolve) => {
    const facts: CertificateVerifyFacts = {
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
    let phase: Phase = 'server-hello';
    let tlsVersion: string | null = null;
    let cipher: string | null = null;
    let alpn: string | null | undefined;
    let suite: Tls13Suite | null = null;
    const transcript = new Transcript();
    let readKeys: RecordProtection | null = null;
    let serverAppSecret: Buffer | null = null;
    let clientAppSecret: Buffer | null = null;
    let hsSecrets: ReturnType<typeof handshakeSecrets> | null = null;
    let request13: { context: Buffer; schemes: number[] } | null = null;
    let pending: Buffer = Buffer.alloc(0);
    let handshake: Buffer = Buffer.alloc(0);
    let answer: Buffer = Buffer.alloc(0);
    let received = 0;
    let connected = false;
    let settled = false;
    /** The suite of a HelloRetryRequest: the ServerHello must repeat it (RFC 8446 §4.1.4). */
    let retrySuite: number | null = null;
    let sentCcs = false;

    const finish = (outcome: Outcome, detail: string, extra: Partial<Observation> = {}) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
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
    /** The server broke TLS: nothing to judge, the harness says what it saw. */
    const malformed = (what: string) => finish('harness-error', `the target sent malformed TLS ${facts.stage === 'answer' ? 'after' : 'during'} the handshake: ${what}`);
    const clientDone = () => facts.stage === 'answer';

    /** What the answer bytes say, once the status line is in or the connection ended. */
    const judgeAnswer = (final: boolean) => {
      const text = answer.toString('latin1');
      const eol = text.indexOf('\r\n');
      if (eol === -1 && !final && answer.length < MAX_ANSWER_BYTES) return;
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
      // RFC 8446 §6: an alert record holds one alert; in TLS 1.3 all but close_notify and user_canceled are fatal.
      if (body.length !== 2) return malformed(`an alert record of ${body.length} bytes`);
      const alert: Alert = alertByCode(body[1]!);
      if (alert.code === 90) return; // user_canceled: a close_notify should follow.
      if (alert.code === 0) {
        if (answer.length > 0) return judgeAnswer(true);
        return finish('closed-no-data', `the target sent close_notify ${clientDone() ? 'after the handshake without answering' : 'during the handshake'}`);
      }
      const outcome: Outcome = clientDone() ? 'post-handshake-alert' : 'handshake-alert';
      finish(outcome, `alert ${alert.code} ${alert.name}${clientDone() ? ' after the client Finished' : ` during the handshake (waiting for ${phase})`}`, { alert });
    };

    const sendClientFlight = () => {
      const s = suite!;
      const hs = hsSecrets!;
      const flight: Buffer[] = [];
      let signed: string | null = null;
      if (request13) {
        const cert = certificateMessage(request13.context, chain);
        transcript.add(cert);
        flight.push(cert);
        // RFC 8446 §4.4.3: the scheme must be one the server listed in signature_algorithms.
        const scheme = request13.schemes.find((c) => signer.schemes.includes(c));
        if (scheme === undefined) {
          finish('harness-error', `the target's CertificateRequest lists no signature scheme a ${signer.keyType} key can sign (${request13.schemes.map(schemeName).join(', ')}): present a certificate of another key type`);
          return;
        }
        const signature = signer.sign(scheme, clientVerifyContent(transcript.hash(s.hash)));
        const cv = handshakeMessage(HS.certificate_verify, Buffer.concat([u16(scheme), vec16(signature)]));
        transcript.add(cv);
        flight.push(cv);
        signed = schemeName(scheme);
      }
      const fin = handshakeMessage(HS.finished, finishedVerifyData(s, hs.clientHandshakeTraffic, transcript.hash(s.hash)));
      flight.push(fin);
      const write = new RecordProtection(s, hs.clientHandshakeTraffic);
      const appWrite = new RecordProtection(s, clientAppSecret!);
      facts.scheme = signed;
      // RFC 8446 §D.4: in middlebox compatibility mode (a non-empty legacy_session_id) the client
      // sends a change_cipher_spec before its second flight.
      const records = [...(sentCcs ? [] : [CCS_RECORD]), ...protectAll(write, CONTENT.handshake, Buffer.concat(flight)), ...protectAll(appWrite, CONTENT.application_data, request)];
      socket.write(Buffer.concat(records));
      facts.stage = 'answer';
      facts.timings.clientFlightMs = since();
    };

    /** One whole handshake message from the server; false stops the loop (the probe finished). */
    const onHandshake = (type: number, body: Buffer, raw: Buffer): boolean => {
      const unexpected = () => {
        malformed(`${hsName(type)} where ${phase === 'application' ? 'only NewSessionTicket or KeyUpdate' : `the ${phase} message`} was expected (RFC 8446 §4)`);
        return false;
      };
      switch (phase) {
        case 'server-hello': {
          if (type !== 2) return unexpected();
          const sh = parseServerHello(body);
          if (sh.kind === 'malformed') return (malformed(sh.detail), false);
          tlsVersion = sh.version;
          cipher = sh.suiteName ?? null;
          if (sh.version !== 'TLSv1.3') {
            // The harness offered TLS 1.3 alone; like node:tls, it aborts with protocol_version (RFC 8446 §4.2.1).
            socket.write(Buffer.from([CONTENT.alert, 3, 3, 0, 2, 2, 70]));
            finish('handshake-alert', `the target answered with ${sh.version}, not TLS 1.3; the harness aborted with alert 70 protocol_version`, { alert: alertByCode(70) });
            return false;
          }
          const keys = serverHelloKeys(body, sh.helloRetry);
          if (typeof keys === 'string') return (malformed(keys), false);
          if (!suites.includes(sh.suite)) return (malformed(`${sh.helloRetry ? 'HelloRetryRequest' : 'ServerHello'} selects suite 0x${sh.suite.toString(16)}, which was not offered`), false);
          // RFC 8446 §4.1.3: legacy_session_id_echo must echo the client's.
          if (!keys.sessionId.equals(sentSessionId)) return (malformed('ServerHello legacy_session_id_echo differs from the ClientHello session id'), false);
          if (sh.helloRetry) {
            // RFC 8446 §4.1.4: at most one HelloRetryRequest, naming a group offered but not sent.
            if (retrySuite !== null) return (malformed('a second HelloRetryRequest'), false);
            if (keys.group === null || !(keys.group in GROUP_NAMES) || keys.group === kex.group) return (malformed(`HelloRetryRequest asks for group ${groupName(keys.group)}: not one offered, or the one already sent`), false);
            retrySuite = sh.suite;
            facts.helloRetry = true;
            // RFC 8446 §4.4.1: ClientHello1 is replaced by message_hash, a synthetic message holding its hash.
            const first = digest(tls13Suite(sh.suite)!.hash, clientHello);
            transcript.add(Buffer.concat([Buffer.from([254, 0, 0, first.length]), first]));
            transcript.add(raw);
            kex = keyExchange(keys.group);
            const second = helloRecord(kex, keys.cookie ?? undefined);
            transcript.add(second.subarray(5));
            // RFC 8446 §D.4: middlebox compatibility mode sends change_cipher_spec before the second flight, here the second ClientHello.
            socket.write(Buffer.concat([CCS_RECORD, second]));
            sentCcs = true;
            return true;
          }
          suite = tls13Suite(sh.suite)!;
          if (retrySuite !== null && sh.suite !== retrySuite) return (malformed('ServerHello suite differs from the HelloRetryRequest suite'), false);
          if (keys.group !== kex.group || !keys.key) return (malformed(`ServerHello key_share is for group ${groupName(keys.group)}, the ClientHello sent ${groupName(kex.group)}`), false);
          let shared: Buffer;
          try {
            shared = kex.shared(keys.key);
          } catch (err) {
            return (malformed(`the ${groupName(kex.group)} key share is unusable (${(err as Error).message})`), false);
          }
          facts.group = groupName(kex.group);
          if (retrySuite === null) transcript.add(clientHello);
          transcript.add(raw);
          hsSecrets = handshakeSecrets(suite, shared, transcript.hash(suite.hash));
          readKeys = new RecordProtection(suite, hsSecrets.serverHandshakeTraffic);
          phase = 'encrypted-extensions';
          facts.stage = 'server-flight';
          return true;
        }
        case 'encrypted-extensions': {
          if (type !== HS.encrypted_extensions) return unexpected();
          const selected = selectedAlpn(body);
          if (selected !== null && typeof selected === 'object') return (malformed(selected.error), false);
          if (selected !== null && !alpnOffer.includes(selected)) return (malformed(`EncryptedExtensions selects ALPN ${quote(selected)}, which was not offered`), false);
          alpn = selected;
          transcript.add(raw);
          phase = 'certificate-request';
          return true;
        }
        case 'certificate-request':
        case 'certificate': {
          if (type === HS.certificate_request && phase === 'certificate-request') {
            const cr = parseCertificateRequest(body);
            if (typeof cr === 'string') return (malformed(cr), false);
            facts.certificateRequest = cr.facts;
            request13 = { context: cr.context, schemes: cr.schemes };
            transcript.add(raw);
            phase = 'certificate';
            return true;
          }
          if (type !== HS.certificate) return unexpected();
          const n = certificateCount(body);
          if (typeof n === 'string') return (malformed(n), false);
          facts.serverCertificates = n;
          transcript.add(raw);
          phase = 'certificate-verify';
          return true;
        }
        case 'certificate-verify':
          // The server's signature is not checked: the probe is about the target's check of ours.
          if (type !== HS.certificate_verify) return unexpected();
          transcript.add(raw);
          phase = 'finished';
          return true;
        case 'finished': {
          if (type !== HS.finished) return unexpected();
          const s = suite!;
          const expected = finishedVerifyData(s, hsSecrets!.serverHandshakeTraffic, transcript.hash(s.hash));
          if (!macEquals(expected, body)) {
            finish('harness-error', "the target's Finished MAC does not verify (RFC 8446 §4.4.4): the harness's key schedule and the target's disagree; no verdict can be drawn");
            return false;
          }
          facts.serverFinishedVerified = true;
          facts.timings.serverFlightMs = since();
          transcript.add(raw);
          const app = applicationSecrets(s, hsSecrets!.masterSecret, transcript.hash(s.hash));
          serverAppSecret = app.server;
          clientAppSecret = app.client;
          // RFC 8446 §5.1: handshake messages must not span a key change.
          if (handshake.length > 0) return (malformed('a handshake message spans the server Finished key change'), false);
          readKeys = new RecordProtection(s, serverAppSecret);
          phase = 'application';
          sendClientFlight();
          return !settled;
        }
        case 'application':
          if (type === HS.new_session_ticket) return true;
          if (type === HS.key_update) {
            // RFC 8446 §4.6.3: the server's next records use the next generation of its secret.
            if (body.length !== 1 || body[0]! > 1) return (malformed('KeyUpdate is malformed'), false);
            serverAppSecret = nextTrafficSecret(suite!, serverAppSecret!);
            readKeys = new RecordProtection(suite!, serverAppSecret);
            return true;
          }
          return unexpected();
      }
    };

    /** Reassemble handshake messages from record contents (RFC 8446 §5.1: they may span records). */
    const pushHandshake = (content: Buffer): boolean => {
      handshake = handshake.length ? Buffer.concat([handshake, content]) : content;
      while (handshake.length >= 4) {
        const len = handshake.readUIntBE(1, 3);
        if (len > MAX_HANDSHAKE_MESSAGE) return (malformed(`${hsName(handshake[0]!)} claims ${len} bytes, more than the ${MAX_HANDSHAKE_MESSAGE} read`), false);
        if (handshake.length < 4 + len) return true;
        const raw = handshake.subarray(0, 4 + len);
        handshake = handshake.subarray(4 + len);
        const keysBefore = readKeys;
        if (!onHandshake(raw[0]!, raw.subarray(4), raw)) return false;
        // RFC 8446 §5.1: no handshake bytes may follow ServerHello in its record (keys change after it).
        if (keysBefore === null && readKeys !== null && handshake.length > 0) return (malformed('handshake data follows the ServerHello in its record'), false);
      }
      return true;
    };

    const onRecords = () => {
      while (!settled && pending.length >= 5) {
        const type = pending[0]!;
        const length = pending.readUInt16BE(3);
        if (pending[1] !== 3) return malformed(`not a TLS record (content type ${type}, version byte ${pending[1]})`);
        if (type < CONTENT.change_cipher_spec || type > CONTENT.application_data) return malformed(`record of unknown content type ${type}`);
        if (length > (type === CONTENT.application_data ? MAX_CIPHERTEXT : MAX_PLAINTEXT)) return malformed(`a record of ${length} bytes, more than RFC 8446 §5 allows`);
        if (pending.length < 5 + length) return;
        const header = pending.subarray(0, 5);
        const body = pending.subarray(5, 5 + length);
        pending = pending.subarray(5 + length);
        if (type === CONTENT.change_cipher_spec) {
          // RFC 8446 §5: a single 0x01 byte, dropped when it comes before the peer's Finished.
          if (length !== 1 || body[0] !== 1 || phase === 'application') return malformed('an unexpected change_cipher_spec record');
          continue;
        }
        if (type === CONTENT.alert) {
          onAlert(body);
          continue;
        }
        if (type === CONTENT.handshake) {
          if (readKeys !== null) return malformed('an unprotected handshake record after the ServerHello');
          if (length === 0) return malformed('a zero-length handshake record');
          if (!pushHandshake(body)) return;
          continue;
        }
        // application_data: protected.
        if (!readKeys) return malformed('application_data before the ServerHello');
        const opened = readKeys.open(header, body);
        if ('error' in opened) {
          // Our keys are RFC 8448-tested: a record that does not open is the target's garbage or a schedule mismatch.
          return finish('harness-error', `a record from the target does not decrypt: ${opened.error}`);
        }
        if (opened.type === CONTENT.handshake) {
          if (opened.content.length === 0) return malformed('an empty handshake record');
          if (!pushHandshake(opened.content)) return;
        } else if (opened.type === CONTENT.alert) {
          onAlert(opened.content);
        } else if (opened.type === CONTENT.application_data) {
          if (phase !== 'application') return malformed('application data before the server Finished');
          answer = Buffer.concat([answer, opened.content.subarray(0, MAX_ANSWER_BYTES - answer.length)]);
          judgeAnswer(false);
        } else {
          return malformed(`a protected record of inner content type ${opened.type}`);
        }
      }
    };

    const ended = (how: 'closed' | 'reset') => {
      if (settled) return;
      if (answer.length > 0) return judgeAnswer(true);
      if (pending.length > 0 || handshake.length > 0) return malformed(`the connection ${how === 'reset' ? 'was reset' : 'closed'} mid-record after ${received} bytes`);
      const when = clientDone() ? 'after the client Finished' : `during the handshake (waiting for ${phase === 'certificate-request' ? 'CertificateRequest or Certificate' : phase})`;
      if (how === 'reset') return finish('tcp-reset', `the target reset the connection ${when}`);
      finish('closed-no-data', `the target closed the connection ${when} without an alert or data`);
    };

    const socket = connect({ host: input.host, port: input.port });
    const timer = setTimeout(() => {
      const waited = facts.stage === 'connect' ? 'the TCP connection' : facts.stage === 'answer' ? 'an answer to the request' : `the server's ${phase === 'server-hello' ? 'ServerHello' : phase === 'certificate-request' ? 'CertificateRequest or Certificate' : phase}`;
      finish('timeout', `no answer within ${input.timeoutMs} ms while waiting for ${waited}`);
    }, input.timeoutMs);
    socket.setNoDelay(true);
    socket.on('connect', () => {
      connected = true;
      facts.timings.connectMs = since();
      facts.stage = 'server-hello';
      socket.write(clientHelloRecord);
    });
    socket.on('data', (chunk: Buffer) => {
      if (settled) return;
      received += chunk.length;
      if (received > maxBytes) return malformed(`more than ${maxBytes} bytes from the target`);
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
