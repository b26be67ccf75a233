import { randomBytes } from 'node:crypto';
import { quote } from '../errors.js';
import { alertByCode } from '../tls/alerts.js';
import { CLOSE_NOTIFY, distinguishedNames, dnString, handshakeMessage, hsName, HS, protectAll, vector16, vector24, type CertificateRequestFacts, type HandshakeDriver, type HandshakeOptions, type HandshakeHost, type RecordOpener } from './handshake-driver.js';
import { pickScheme, schemeName } from './handshake-signer.js';
import { GROUP_NAMES, groupName, keyExchange } from './key-exchange.js';
import { buildClientHello, EXT, parseServerHello, Reader, u16, u24, vec16, vec8 } from './raw-hello.js';
import { CONTENT, digest, macEquals, Transcript } from './tls13-keys.js';
import { finished12, keyBlock, masterSecret, Tls12RecordProtection, tls12Suite, type Tls12Suite } from './tls12-keys.js';

/**
 * The TLS 1.2 client handshake of the certificate-verify probe (RFC 5246 §7.3 with client
 * authentication, ECDHE per RFC 8422, AES-GCM per RFC 5289 or ChaCha20-Poly1305 per RFC 7905, extended master secret per RFC 7627
 * when the server agrees): the server's flight read in the clear (its ServerKeyExchange signature
 * not checked), then Certificate, ClientKeyExchange, CertificateVerify signed by the caller's key
 * over the handshake messages (RFC 5246 §7.4.8), change_cipher_spec and Finished. The server's
 * Finished is checked before the request is sent.
 */

/** RFC 5246 §7.4.4 CertificateRequest. A string says what is malformed. */
export function parseCertificateRequest12(body: Buffer): { facts: CertificateRequestFacts; schemes: number[] } | string {
  const r = new Reader(body);
  const types = r.bytes(r.u8() ?? -1);
  const algs = types ? vector16(r) : null;
  const cas = algs ? vector16(r) : null;
  if (!types || types.length === 0 || !algs || algs.length < 2 || algs.length % 2 !== 0 || !cas || r.left !== 0) return 'CertificateRequest (TLS 1.2) framing is malformed';
  const schemes: number[] = [];
  for (let i = 0; i < algs.length; i += 2) schemes.push(algs.readUInt16BE(i));
  const names = distinguishedNames(cas, 'CertificateRequest certificate_authorities');
  if (typeof names === 'string') return names;
  return {
    schemes,
    facts: {
      contextLength: 0,
      signatureAlgorithms: schemes.map(schemeName),
      signatureAlgorithmsCert: null,
      certificateAuthorities: names.map(dnString),
      certificateAuthoritiesDer: names.map((n) => n.toString('hex')),
      extensions: [],
      certificateTypes: [...types],
    },
  };
}

/** RFC 8422 §5.4 ServerECDHParams of a ServerKeyExchange, its signature framing checked (not the signature). */
function serverKeyShare(body: Buffer): { group: number; point: Buffer } | string {
  const r = new Reader(body);
  const curveType = r.u8();
  const group = r.u16();
  const point = r.bytes(r.u8() ?? -1);
  const sigAlg = r.u16();
  const signature = vector16(r);
  if (curveType !== 3) return `ServerKeyExchange curve_type ${curveType}, not named_curve (3)`;
  if (group === null || !point || sigAlg === null || !signature || r.left !== 0) return 'ServerKeyExchange framing is malformed';
  return { group, point };
}

/** The number of certificates of a TLS 1.2 Certificate message (RFC 5246 §7.4.2). */
function certificateCount12(body: Buffer): number | string {
  const r = new Reader(body);
  const list = vector24(r);
  if (!list || r.left !== 0) return 'Certificate list length does not match the message';
  const lr = new Reader(list);
  let n = 0;
  while (lr.left > 0) {
    if (!vector24(lr)) return 'Certificate entry is truncated';
    n++;
  }
  return n;
}

type Phase = 'server-hello' | 'certificate' | 'server-key-exchange' | 'certificate-request' | 'server-hello-done' | 'server-ccs' | 'finished' | 'application';
const AWAITING: Record<Phase, string> = {
  'server-hello': "the server's ServerHello",
  certificate: "the server's Certificate",
  'server-key-exchange': "the server's ServerKeyExchange",
  'certificate-request': "the server's CertificateRequest or ServerHelloDone",
  'server-hello-done': "the server's ServerHelloDone",
  'server-ccs': "the server's change_cipher_spec and Finished",
  finished: "the server's Finished",
  application: 'an answer to the request',
};

export type Tls12HandshakeOptions = HandshakeOptions;

export class Tls12Handshake implements HandshakeDriver {
  readonly clientHello: Buffer;
  readKeys: RecordOpener | null = null;
  readonly innerTypes = false;
  private phase: Phase = 'server-hello';
  private readonly transcript = new Transcript();
  private readonly clientRandom = randomBytes(32);
  private serverRandom = Buffer.alloc(0);
  private suite: Tls12Suite | null = null;
  private extendedMasterSecret = false;
  private serverShare: { group: number; point: Buffer } | null = null;
  private schemes: number[] | null = null;
  private master: Buffer | null = null;
  private write: Tls12RecordProtection | null = null;
  private serverRead: Tls12RecordProtection | null = null;

  constructor(
    private readonly host: HandshakeHost,
    private readonly options: Tls12HandshakeOptions,
  ) {
    this.clientHello = buildClientHello({
      version: 'TLSv1.2',
      suites: options.suites,
      ...(options.servername ? { servername: options.servername } : {}),
      random: this.clientRandom,
      alpn: options.alpn,
      extendedMasterSecret: true,
    });
    this.transcript.add(this.clientHello.subarray(5));
  }

  get application(): boolean {
    return this.phase === 'application';
  }

  awaiting(): string {
    return AWAITING[this.phase];
  }

  closeNotify(): Buffer | null {
    // RFC 5246 §7.2.1: after the change_cipher_spec every record, an alert too, is protected with the write keys.
    return this.phase === 'application' && this.write ? this.write.seal(CONTENT.alert, CLOSE_NOTIFY) : null;
  }

  onChangeCipherSpec(): boolean {
    // RFC 5246 §7.1: the server's change_cipher_spec comes after the client's Finished and switches its keys.
    if (this.phase !== 'server-ccs') return this.host.malformed(`a change_cipher_spec while waiting for ${this.awaiting()}`);
    this.readKeys = this.serverRead;
    this.phase = 'finished';
    return true;
  }

  onHandshake(type: number, body: Buffer, raw: Buffer): boolean {
    const host = this.host;
    const expected = (what: string) => host.malformed(`${hsName(type)} where ${what} was expected (RFC 5246 §7.3)`);
    switch (this.phase) {
      case 'server-hello':
        return type === HS.server_hello ? this.onServerHello(body, raw) : expected('ServerHello');
      case 'certificate': {
        if (type !== HS.certificate) return expected('Certificate');
        const n = certificateCount12(body);
        if (typeof n === 'string') return host.malformed(n);
        host.facts.serverCertificates = n;
        this.transcript.add(raw);
        this.phase = 'server-key-exchange';
        return true;
      }
      case 'server-key-exchange': {
        if (type !== HS.server_key_exchange) return expected('ServerKeyExchange');
        const share = serverKeyShare(body);
        if (typeof share === 'string') return host.malformed(share);
        if (!(share.group in GROUP_NAMES)) return host.malformed(`ServerKeyExchange picks group ${groupName(share.group)}, which was not offered`);
        this.serverShare = share;
        this.transcript.add(raw);
        this.phase = 'certificate-request';
        return true;
      }
      case 'certificate-request':
        if (type === HS.certificate_request) {
          const cr = parseCertificateRequest12(body);
          if (typeof cr === 'string') return host.malformed(cr);
          host.facts.certificateRequest = cr.facts;
          this.schemes = cr.schemes;
          this.transcript.add(raw);
          this.phase = 'server-hello-done';
          return true;
        }
        return type === HS.server_hello_done ? this.onServerHelloDone(body, raw) : expected('CertificateRequest or ServerHelloDone');
      case 'server-hello-done':
        return type === HS.server_hello_done ? this.onServerHelloDone(body, raw) : expected('ServerHelloDone');
      case 'server-ccs':
        // RFC 5077 §3.3: a NewSessionTicket comes before the server's change_cipher_spec (none is asked for, but it is harmless).
        if (type !== HS.new_session_ticket) return expected("the server's change_cipher_spec");
        this.transcript.add(raw);
        return true;
      case 'finished':
        return type === HS.finished ? this.onServerFinished(body, raw) : expected('Finished');
      case 'application':
        // RFC 5246 §7.4.1.1: a HelloRequest may be ignored; the harness does not renegotiate.
        return type === HS.hello_request ? true : expected('no handshake message');
    }
  }

  private onServerHello(body: Buffer, raw: Buffer): boolean {
    const host = this.host;
    const sh = parseServerHello(body);
    if (sh.kind === 'malformed') return host.malformed(sh.detail);
    host.negotiated({ tlsVersion: sh.version, cipher: sh.suiteName ?? null });
    if (sh.version !== 'TLSv1.2') {
      // The harness offered TLS 1.2 alone; like node:tls pinned to it, it aborts with protocol_version (RFC 5246 §E.1).
      host.write(Buffer.from([CONTENT.alert, 3, 3, 0, 2, 2, 70]));
      host.finish('handshake-alert', `the target answered with ${sh.version}, not TLS 1.2; the harness aborted with alert 70 protocol_version`, { alert: alertByCode(70) });
      return false;
    }
    const suite = this.options.suites.includes(sh.suite) ? tls12Suite(sh.suite) : undefined;
    if (!suite) return host.malformed(`ServerHello selects suite 0x${sh.suite.toString(16)}, which was not offered`);
    if (sh.compression !== 0) return host.malformed(`ServerHello selects compression method ${sh.compression}, which was not offered`);
    this.suite = suite;
    this.serverRandom = Buffer.from(body.subarray(2, 34));
    this.extendedMasterSecret = sh.extensions.includes(EXT.extended_master_secret);
    if (sh.extensions.includes(EXT.application_layer_protocol_negotiation)) {
      const alpn = selectedAlpn12(body);
      if (typeof alpn === 'object') return host.malformed(alpn.error);
      if (!this.options.alpn.includes(alpn)) return host.malformed(`ServerHello selects ALPN ${quote(alpn)}, which was not offered`);
      host.negotiated({ alpn });
    } else {
      host.negotiated({ alpn: null });
    }
    this.transcript.add(raw);
    this.phase = 'certificate';
    host.facts.stage = 'server-flight';
    return true;
  }

  private onServerHelloDone(body: Buffer, raw: Buffer): boolean {
    const host = this.host;
    if (body.length !== 0) return host.malformed(`ServerHelloDone of ${body.length} bytes, not empty`);
    this.transcript.add(raw);
    const suite = this.suite!;
    const share = this.serverShare!;
    const kex = keyExchange(share.group);
    let preMaster: Buffer;
    try {
      preMaster = kex.shared(share.point);
    } catch (err) {
      return host.malformed(`the ${groupName(share.group)} point of the ServerKeyExchange is unusable (${(err as Error).message})`);
    }
    host.facts.group = groupName(share.group);

    const flight: Buffer[] = [];
    const add = (m: Buffer) => {
      this.transcript.add(m);
      flight.push(m);
    };
    // RFC 5246 §7.4.6: the client sends a Certificate only when asked.
    if (this.schemes) {
      const list = Buffer.concat(this.options.chain.map((c) => Buffer.concat([u24(c.raw.length), c.raw])));
      add(handshakeMessage(HS.certificate, Buffer.concat([u24(list.length), list])));
    }
    // RFC 8422 §5.7: ClientECDiffieHellmanPublic, the point as an opaque<1..2^8-1>.
    add(handshakeMessage(HS.client_key_exchange, vec8(kex.publicKey)));
    this.master = masterSecret(
      suite,
      preMaster,
      this.extendedMasterSecret ? { sessionHash: digest(suite.hash, this.transcript.bytes()) } : { clientRandom: this.clientRandom, serverRandom: this.serverRandom },
    );
    if (this.schemes) {
      // RFC 5246 §7.4.8: the signature covers every handshake message so far; the scheme is one the server listed.
      const scheme = pickScheme(this.schemes, this.options.signer.tls12);
      if (scheme === undefined) {
        host.finish('harness-error', `the target's CertificateRequest lists no signature scheme a ${this.options.signer.keyType} key can sign (${this.schemes.map(schemeName).join(', ')}): present a certificate of another key type`);
        return false;
      }
      add(handshakeMessage(HS.certificate_verify, Buffer.concat([u16(scheme), vec16(this.options.signer.sign(scheme, this.transcript.bytes()))])));
      host.facts.scheme = schemeName(scheme);
    }
    const keys = keyBlock(suite, this.master, this.clientRandom, this.serverRandom);
    this.write = new Tls12RecordProtection(suite, keys.clientKey, keys.clientIv);
    this.serverRead = new Tls12RecordProtection(suite, keys.serverKey, keys.serverIv);
    const finished = handshakeMessage(HS.finished, finished12(suite, this.master, 'client finished', this.transcript.bytes()));
    this.transcript.add(finished);
    host.write(Buffer.concat([this.plainRecords(Buffer.concat(flight)), Buffer.from([CONTENT.change_cipher_spec, 3, 3, 0, 1, 1]), this.write.seal(CONTENT.handshake, finished)]));
    this.phase = 'server-ccs';
    host.facts.stage = 'client-flight';
    host.facts.timings.clientFlightMs = host.since();
    return true;
  }

  /** Handshake bytes in plaintext records of at most 2^14 bytes (RFC 5246 §6.2.1). */
  private plainRecords(data: Buffer): Buffer {
    return Buffer.concat(protectAll({ seal: (type, content) => Buffer.concat([Buffer.from([type, 3, 3]), u16(content.length), content]) }, CONTENT.handshake, data));
  }

  private onServerFinished(body: Buffer, raw: Buffer): boolean {
    const host = this.host;
    const expected = finished12(this.suite!, this.master!, 'server finished', this.transcript.bytes());
    if (!macEquals(expected, body)) {
      host.finish('harness-error', "the target's Finished does not verify (RFC 5246 §7.4.9): the harness's key derivation and the target's disagree; no verdict can be drawn");
      return false;
    }
    this.transcript.add(raw);
    host.facts.serverFinishedVerified = true;
    host.facts.timings.serverFlightMs = host.since();
    this.phase = 'application';
    host.facts.stage = 'answer';
    host.write(Buffer.concat(protectAll(this.write!, CONTENT.application_data, this.options.request)));
    return true;
  }
}

/** The ALPN protocol of a TLS 1.2 ServerHello (RFC 7301 §3.1: exactly one). */
function selectedAlpn12(body: Buffer): string | { error: string } {
  const r = new Reader(body);
  r.bytes(34);
  r.bytes(r.u8() ?? 0);
  r.bytes(3);
  const exts = vector16(r);
  const er = new Reader(exts ?? Buffer.alloc(0));
  while (er.left > 0) {
    const type = er.u16();
    const data = vector16(er);
    if (type === EXT.application_layer_protocol_negotiation && data) {
      const ar = new Reader(data);
      const list = vector16(ar);
      const lr = list ? new Reader(list) : null;
      const proto = lr ? lr.bytes(lr.u8() ?? -1) : null;
      if (!proto || proto.length === 0 || lr!.left !== 0 || ar.left !== 0) return { error: 'ServerHello ALPN must name exactly one protocol (RFC 7301 §3.1)' };
      return proto.toString('latin1');
    }
  }
  return { error: 'ServerHello ALPN extension not found' };
}
