import { randomBytes } from 'node:crypto';
import { quote } from '../errors.js';
import { alertByCode } from '../tls/alerts.js';
import {
  distinguishedNames,
  dnString,
  extensionsOf,
  handshakeMessage,
  hsName,
  HS,
  protectAll,
  CLOSE_NOTIFY,
  schemeList,
  vector16,
  vector24,
  type CertificateRequestFacts,
  type HandshakeDriver,
  type HandshakeOptions,
  type HandshakeHost,
  type RecordOpener,
} from './handshake-driver.js';
import { pickScheme, schemeName } from './handshake-signer.js';
import { GROUP_NAMES, groupName, keyExchange, type KeyExchange } from './key-exchange.js';
import { buildClientHello, EXT, GROUP_X25519, parseServerHello, Reader, u16, u24, vec16, vec8 } from './raw-hello.js';
import {
  applicationSecrets,
  CONTENT,
  digest,
  finishedVerifyData,
  handshakeSecrets,
  macEquals,
  nextTrafficSecret,
  RecordProtection,
  tls13Suite,
  Transcript,
  type HandshakeSecrets,
  type Tls13Suite,
} from './tls13-keys.js';

/**
 * The TLS 1.3 client handshake of the certificate-verify probe (RFC 8446 §2, full handshake with
 * client authentication, no PSK): ClientHello with an X25519 share, at most one HelloRetryRequest
 * to P-256 or P-384, the server's encrypted flight (its Finished MAC checked, its signature not),
 * then Certificate, CertificateVerify signed by the caller's key, Finished and the request.
 */

const EXT_CERTIFICATE_AUTHORITIES = 47;
const EXT_SIGNATURE_ALGORITHMS_CERT = 50;
export const CCS_RECORD = Buffer.from([CONTENT.change_cipher_spec, 3, 3, 0, 1, 1]);

/** RFC 8446 §4.4.3: the content a client's CertificateVerify signs. */
export function clientVerifyContent(transcriptHash: Buffer): Buffer {
  return Buffer.concat([Buffer.alloc(64, 0x20), Buffer.from('TLS 1.3, client CertificateVerify', 'ascii'), Buffer.from([0]), transcriptHash]);
}

/** RFC 8446 §4.3.2 CertificateRequest; signature_algorithms is mandatory there. A string says what is malformed. */
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
  let cas: Buffer[] = [];
  const caExt = exts.find(([t]) => t === EXT_CERTIFICATE_AUTHORITIES);
  if (caExt) {
    const cr = new Reader(caExt[1]);
    const list = vector16(cr);
    if (!list || cr.left !== 0) return 'CertificateRequest certificate_authorities is malformed';
    const names = distinguishedNames(list, 'CertificateRequest certificate_authorities');
    if (typeof names === 'string') return names;
    cas = names;
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

interface ServerHelloKeys {
  sessionId: Buffer;
  group: number | null;
  /** The server's share; null in a HelloRetryRequest, whose key_share names a group only (RFC 8446 §4.2.8). */
  key: Buffer | null;
  /** A HelloRetryRequest's cookie (RFC 8446 §4.2.2). */
  cookie: Buffer | null;
}

/** legacy_session_id_echo, key_share and cookie of a ServerHello body; parseServerHello has vetted its framing. */
function serverHelloKeys(body: Buffer, helloRetry: boolean): ServerHelloKeys | string {
  const r = new Reader(body);
  r.bytes(2 + 32);
  const sid = r.bytes(r.u8() ?? -1);
  if (!sid || r.bytes(3) === null) return 'ServerHello ends early';
  const out: ServerHelloKeys = { sessionId: sid, group: null, key: null, cookie: null };
  if (r.left === 0) return out;
  const exts = extensionsOf(vector16(r) ?? Buffer.alloc(0), 'ServerHello');
  if (typeof exts === 'string') return exts;
  for (const [type, data] of exts) {
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

/** The number of entries of a TLS 1.3 Certificate message (RFC 8446 §4.4.2). */
function certificateCount(body: Buffer): number | string {
  const r = new Reader(body);
  if (r.bytes(r.u8() ?? -1) === null) return 'Certificate context is truncated';
  const list = vector24(r);
  if (!list || r.left !== 0) return 'Certificate list length does not match the message';
  const lr = new Reader(list);
  let n = 0;
  while (lr.left > 0) {
    if (!vector24(lr) || !vector16(lr)) return 'Certificate entry is truncated';
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

type Phase = 'server-hello' | 'encrypted-extensions' | 'certificate-request' | 'certificate' | 'certificate-verify' | 'finished' | 'application';
const AWAITING: Record<Phase, string> = {
  'server-hello': "the server's ServerHello",
  'encrypted-extensions': "the server's EncryptedExtensions",
  'certificate-request': "the server's CertificateRequest or Certificate",
  certificate: "the server's Certificate",
  'certificate-verify': "the server's CertificateVerify",
  finished: "the server's Finished",
  application: 'an answer to the request',
};

export type Tls13HandshakeOptions = HandshakeOptions;

export class Tls13Handshake implements HandshakeDriver {
  readonly clientHello: Buffer;
  readKeys: RecordOpener | null = null;
  readonly innerTypes = true;
  private phase: Phase = 'server-hello';
  private readonly transcript = new Transcript();
  // One random and session id for both ClientHellos of a HelloRetryRequest exchange (RFC 8446 §4.1.2).
  private readonly random = randomBytes(32);
  private readonly sessionId = randomBytes(32);
  private kex: KeyExchange = keyExchange(GROUP_X25519);
  /** The suite of a HelloRetryRequest: the ServerHello must repeat it (RFC 8446 §4.1.4). */
  private retrySuite: number | null = null;
  private sentCcs = false;
  private suite: Tls13Suite | null = null;
  private secrets: HandshakeSecrets | null = null;
  private serverAppSecret: Buffer | null = null;
  private certificateRequest: { context: Buffer; schemes: number[] } | null = null;
  /** The client's application traffic keys, after its Finished: the request and the close_notify go under them. */
  private appWrite: RecordProtection | null = null;

  constructor(
    private readonly host: HandshakeHost,
    private readonly options: Tls13HandshakeOptions,
  ) {
    this.clientHello = this.helloRecord();
  }

  get application(): boolean {
    return this.phase === 'application';
  }

  awaiting(): string {
    return AWAITING[this.phase];
  }

  closeNotify(): Buffer | null {
    // RFC 8446 §6.1: an alert after the handshake is an encrypted record, under the application traffic keys.
    return this.appWrite ? this.appWrite.seal(CONTENT.alert, CLOSE_NOTIFY) : null;
  }

  private helloRecord(cookie?: Buffer): Buffer {
    return buildClientHello({
      version: 'TLSv1.3',
      suites: this.options.suites,
      ...(this.options.servername ? { servername: this.options.servername } : {}),
      random: this.random,
      sessionId: this.sessionId,
      keyShare: { group: this.kex.group, key: this.kex.publicKey },
      ...(cookie ? { cookie } : {}),
      alpn: this.options.alpn,
    });
  }

  onChangeCipherSpec(): boolean {
    // RFC 8446 §5: dropped when it comes before the server's Finished; after it, unexpected.
    return this.phase === 'application' ? this.host.malformed('a change_cipher_spec record after the server Finished') : true;
  }

  onHandshake(type: number, body: Buffer, raw: Buffer): boolean {
    const host = this.host;
    const expected = (what: string) => host.malformed(`${hsName(type)} where ${what} was expected (RFC 8446 §4)`);
    switch (this.phase) {
      case 'server-hello':
        return type === HS.server_hello ? this.onServerHello(body, raw) : expected('ServerHello');
      case 'encrypted-extensions': {
        if (type !== HS.encrypted_extensions) return expected('EncryptedExtensions');
        const selected = selectedAlpn(body);
        if (selected !== null && typeof selected === 'object') return host.malformed(selected.error);
        if (selected !== null && !this.options.alpn.includes(selected)) return host.malformed(`EncryptedExtensions selects ALPN ${quote(selected)}, which was not offered`);
        host.negotiated({ alpn: selected });
        this.transcript.add(raw);
        this.phase = 'certificate-request';
        return true;
      }
      case 'certificate-request':
      case 'certificate': {
        if (type === HS.certificate_request && this.phase === 'certificate-request') {
          const cr = parseCertificateRequest(body);
          if (typeof cr === 'string') return host.malformed(cr);
          host.facts.certificateRequest = cr.facts;
          this.certificateRequest = { context: cr.context, schemes: cr.schemes };
          this.transcript.add(raw);
          this.phase = 'certificate';
          return true;
        }
        if (type !== HS.certificate) return expected(this.phase === 'certificate' ? 'Certificate' : 'CertificateRequest or Certificate');
        const n = certificateCount(body);
        if (typeof n === 'string') return host.malformed(n);
        host.facts.serverCertificates = n;
        this.transcript.add(raw);
        this.phase = 'certificate-verify';
        return true;
      }
      case 'certificate-verify':
        // The server's signature is not checked: the probe is about the target's check of ours.
        if (type !== HS.certificate_verify) return expected('CertificateVerify');
        this.transcript.add(raw);
        this.phase = 'finished';
        return true;
      case 'finished':
        return type === HS.finished ? this.onServerFinished(body, raw) : expected('Finished');
      case 'application':
        if (type === HS.new_session_ticket) return true;
        if (type === HS.key_update) {
          // RFC 8446 §4.6.3: the server's next records use the next generation of its secret.
          if (body.length !== 1 || body[0]! > 1) return host.malformed('KeyUpdate is malformed');
          this.serverAppSecret = nextTrafficSecret(this.suite!, this.serverAppSecret!);
          this.readKeys = new RecordProtection(this.suite!, this.serverAppSecret);
          return true;
        }
        return expected('only NewSessionTicket or KeyUpdate');
    }
  }

  private onServerHello(body: Buffer, raw: Buffer): boolean {
    const host = this.host;
    const sh = parseServerHello(body);
    if (sh.kind === 'malformed') return host.malformed(sh.detail);
    host.negotiated({ tlsVersion: sh.version, cipher: sh.suiteName ?? null });
    if (sh.version !== 'TLSv1.3') {
      // The harness offered TLS 1.3 alone; like node:tls, it aborts with protocol_version (RFC 8446 §4.2.1).
      host.write(Buffer.from([CONTENT.alert, 3, 3, 0, 2, 2, 70]));
      host.finish('handshake-alert', `the target answered with ${sh.version}, not TLS 1.3; the harness aborted with alert 70 protocol_version`, { alert: alertByCode(70) });
      return false;
    }
    const keys = serverHelloKeys(body, sh.helloRetry);
    if (typeof keys === 'string') return host.malformed(keys);
    if (!this.options.suites.includes(sh.suite)) return host.malformed(`${sh.helloRetry ? 'HelloRetryRequest' : 'ServerHello'} selects suite 0x${sh.suite.toString(16)}, which was not offered`);
    // RFC 8446 §4.1.3: legacy_session_id_echo must echo the client's.
    if (!keys.sessionId.equals(this.sessionId)) return host.malformed('ServerHello legacy_session_id_echo differs from the ClientHello session id');
    const firstHello = this.clientHello.subarray(5);
    if (sh.helloRetry) {
      // RFC 8446 §4.1.4: at most one HelloRetryRequest, naming a group offered but not sent.
      if (this.retrySuite !== null) return host.malformed('a second HelloRetryRequest');
      if (keys.group === null || !(keys.group in GROUP_NAMES) || keys.group === this.kex.group) return host.malformed(`HelloRetryRequest asks for group ${groupName(keys.group)}: not one offered, or the one already sent`);
      this.retrySuite = sh.suite;
      host.facts.helloRetry = true;
      // RFC 8446 §4.4.1: ClientHello1 is replaced by message_hash, a synthetic message holding its hash.
      const first = digest(tls13Suite(sh.suite)!.hash, firstHello);
      this.transcript.add(Buffer.concat([Buffer.from([254, 0, 0, first.length]), first]));
      this.transcript.add(raw);
      this.kex = keyExchange(keys.group);
      const second = this.helloRecord(keys.cookie ?? undefined);
      this.transcript.add(second.subarray(5));
      // RFC 8446 §D.4: middlebox compatibility mode sends change_cipher_spec before the second flight, here the second ClientHello.
      host.write(Buffer.concat([CCS_RECORD, second]));
      this.sentCcs = true;
      return true;
    }
    const suite = tls13Suite(sh.suite)!;
    if (this.retrySuite !== null && sh.suite !== this.retrySuite) return host.malformed('ServerHello suite differs from the HelloRetryRequest suite');
    if (keys.group !== this.kex.group || !keys.key) return host.malformed(`ServerHello key_share is for group ${groupName(keys.group)}, the ClientHello sent ${groupName(this.kex.group)}`);
    let shared: Buffer;
    try {
      shared = this.kex.shared(keys.key);
    } catch (err) {
      return host.malformed(`the ${groupName(this.kex.group)} key share is unusable (${(err as Error).message})`);
    }
    host.facts.group = groupName(this.kex.group);
    if (this.retrySuite === null) this.transcript.add(firstHello);
    this.transcript.add(raw);
    this.suite = suite;
    this.secrets = handshakeSecrets(suite, shared, this.transcript.hash(suite.hash));
    this.readKeys = new RecordProtection(suite, this.secrets.serverHandshakeTraffic);
    this.phase = 'encrypted-extensions';
    host.facts.stage = 'server-flight';
    return true;
  }

  private onServerFinished(body: Buffer, raw: Buffer): boolean {
    const host = this.host;
    const s = this.suite!;
    const secrets = this.secrets!;
    const expected = finishedVerifyData(s, secrets.serverHandshakeTraffic, this.transcript.hash(s.hash));
    if (!macEquals(expected, body)) {
      host.finish('harness-error', "the target's Finished MAC does not verify (RFC 8446 §4.4.4): the harness's key schedule and the target's disagree; no verdict can be drawn");
      return false;
    }
    host.facts.serverFinishedVerified = true;
    host.facts.timings.serverFlightMs = host.since();
    this.transcript.add(raw);
    const app = applicationSecrets(s, secrets.masterSecret, this.transcript.hash(s.hash));
    this.serverAppSecret = app.server;
    this.readKeys = new RecordProtection(s, app.server);
    this.phase = 'application';

    const flight: Buffer[] = [];
    const cr = this.certificateRequest;
    if (cr) {
      const entries = this.options.chain.map((c) => Buffer.concat([u24(c.raw.length), c.raw, vec16(Buffer.alloc(0))]));
      const list = Buffer.concat(entries);
      const cert = handshakeMessage(HS.certificate, Buffer.concat([vec8(cr.context), u24(list.length), list]));
      this.transcript.add(cert);
      flight.push(cert);
      // RFC 8446 §4.4.3: the scheme must be one the server listed in signature_algorithms.
      const scheme = pickScheme(cr.schemes, this.options.signer.tls13);
      if (scheme === undefined) {
        host.finish('harness-error', `the target's CertificateRequest lists no signature scheme a ${this.options.signer.keyType} key can sign (${cr.schemes.map(schemeName).join(', ')}): present a certificate of another key type`);
        return false;
      }
      const signature = this.options.signer.sign(scheme, clientVerifyContent(this.transcript.hash(s.hash)));
      const cv = handshakeMessage(HS.certificate_verify, Buffer.concat([u16(scheme), vec16(signature)]));
      this.transcript.add(cv);
      flight.push(cv);
      host.facts.scheme = schemeName(scheme);
    }
    flight.push(handshakeMessage(HS.finished, finishedVerifyData(s, secrets.clientHandshakeTraffic, this.transcript.hash(s.hash))));
    const write = new RecordProtection(s, secrets.clientHandshakeTraffic);
    const appWrite = (this.appWrite = new RecordProtection(s, app.client));
    // RFC 8446 §D.4: in middlebox compatibility mode (a non-empty legacy_session_id) the client
    // sends a change_cipher_spec before its second flight.
    const records = [...(this.sentCcs ? [] : [CCS_RECORD]), ...protectAll(write, CONTENT.handshake, Buffer.concat(flight)), ...protectAll(appWrite, CONTENT.application_data, this.options.request)];
    host.write(Buffer.concat(records));
    host.facts.stage = 'answer';
    host.facts.timings.clientFlightMs = host.since();
    return true;
  }
}
