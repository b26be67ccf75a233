import { createHash, createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { AsnConvert, AsnIntegerArrayBufferConverter, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, Extension, Extensions } from '@peculiar/asn1-x509';
import type { RevocationPlan, RevocationService } from '../../certs/revocation-data.js';

/**
 * OCSP (RFC 6960) for the harness's own CAs: parse a request, answer good / revoked / unknown,
 * signed by the issuing CA itself (RFC 6960 §4.2.2.2: the CA that issued the certificate may sign).
 * The ASN.1 types are declared here with @peculiar/asn1-schema (the project has no
 * @peculiar/asn1-ocsp); decorators are applied as functions, since the compiler runs without
 * legacy decorators.
 */

const ID_PKIX_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const ID_PKIX_OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';
const SHA1_OID = '1.3.14.3.2.26';
const SHA256_OID = '2.16.840.1.101.3.4.2.1';

type Ctor = new () => object;
const prop = (c: Ctor, key: string, opts: Parameters<typeof AsnProp>[0]) => AsnProp(opts)(c.prototype, key);
const sequence = (c: Ctor) => AsnType({ type: AsnTypeTypes.Sequence })(c as never);

// RFC 6960 §4.1.1
class CertID {
  hashAlgorithm = new AlgorithmIdentifier();
  issuerNameHash = new OctetString();
  issuerKeyHash = new OctetString();
  serialNumber = new ArrayBuffer(0);
}
prop(CertID, 'hashAlgorithm', { type: AlgorithmIdentifier });
prop(CertID, 'issuerNameHash', { type: OctetString });
prop(CertID, 'issuerKeyHash', { type: OctetString });
prop(CertID, 'serialNumber', { type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter });
sequence(CertID);

class Request {
  reqCert = new CertID();
  singleRequestExtensions?: Extensions;
}
prop(Request, 'reqCert', { type: CertID });
prop(Request, 'singleRequestExtensions', { type: Extensions, context: 0, optional: true });
sequence(Request);

class TBSRequest {
  version?: number;
  requestorName?: ArrayBuffer;
  requestList: Request[] = [];
  requestExtensions?: Extensions;
}
prop(TBSRequest, 'version', { type: AsnPropTypes.Integer, context: 0, optional: true });
prop(TBSRequest, 'requestorName', { type: AsnPropTypes.Any, context: 1, optional: true });
prop(TBSRequest, 'requestList', { type: Request, repeated: 'sequence' });
prop(TBSRequest, 'requestExtensions', { type: Extensions, context: 2, optional: true });
sequence(TBSRequest);

class OCSPRequest {
  tbsRequest = new TBSRequest();
  optionalSignature?: ArrayBuffer;
}
prop(OCSPRequest, 'tbsRequest', { type: TBSRequest });
prop(OCSPRequest, 'optionalSignature', { type: AsnPropTypes.Any, context: 0, optional: true });
sequence(OCSPRequest);

// RFC 6960 §4.2.1
class RevokedInfo {
  revocationTime = new Date();
}
prop(RevokedInfo, 'revocationTime', { type: AsnPropTypes.GeneralizedTime });
sequence(RevokedInfo);

class SingleResponse {
  certID = new CertID();
  /** CertStatus, a CHOICE of IMPLICIT tags: written as raw DER. */
  certStatus = new ArrayBuffer(0);
  thisUpdate = new Date();
  nextUpdate?: Date;
}
prop(SingleResponse, 'certID', { type: CertID });
prop(SingleResponse, 'certStatus', { type: AsnPropTypes.Any });
prop(SingleResponse, 'thisUpdate', { type: AsnPropTypes.GeneralizedTime });
prop(SingleResponse, 'nextUpdate', { type: AsnPropTypes.GeneralizedTime, context: 0, optional: true });
sequence(SingleResponse);

class ResponseData {
  /** ResponderID, a CHOICE of EXPLICIT tags: raw DER. */
  responderID = new ArrayBuffer(0);
  producedAt = new Date();
  responses: SingleResponse[] = [];
  responseExtensions?: Extensions;
}
prop(ResponseData, 'responderID', { type: AsnPropTypes.Any });
prop(ResponseData, 'producedAt', { type: AsnPropTypes.GeneralizedTime });
prop(ResponseData, 'responses', { type: SingleResponse, repeated: 'sequence' });
prop(ResponseData, 'responseExtensions', { type: Extensions, context: 1, optional: true });
sequence(ResponseData);

class BasicOCSPResponse {
  /** The signed bytes, as serialised. */
  tbsResponseData = new ArrayBuffer(0);
  signatureAlgorithm = new AlgorithmIdentifier();
  signature = new ArrayBuffer(0);
  /** [0] EXPLICIT SEQUENCE OF Certificate, as raw DER. */
  certs?: ArrayBuffer;
}
prop(BasicOCSPResponse, 'tbsResponseData', { type: AsnPropTypes.Any });
prop(BasicOCSPResponse, 'signatureAlgorithm', { type: AlgorithmIdentifier });
prop(BasicOCSPResponse, 'signature', { type: AsnPropTypes.BitString });
prop(BasicOCSPResponse, 'certs', { type: AsnPropTypes.Any, context: 0, optional: true });
sequence(BasicOCSPResponse);

class ResponseBytes {
  responseType = ID_PKIX_OCSP_BASIC;
  response = new OctetString();
}
prop(ResponseBytes, 'responseType', { type: AsnPropTypes.ObjectIdentifier });
prop(ResponseBytes, 'response', { type: OctetString });
sequence(ResponseBytes);

class OCSPResponse {
  responseStatus = 0;
  responseBytes?: ResponseBytes;
}
prop(OCSPResponse, 'responseStatus', { type: AsnPropTypes.Enumerated });
prop(OCSPResponse, 'responseBytes', { type: ResponseBytes, context: 0, optional: true });
sequence(OCSPResponse);

/** OCSPResponseStatus (RFC 6960 §4.2.1). */
const MALFORMED_REQUEST = 1;
const UNAUTHORIZED = 6;

function tlv(tag: number, content: Buffer): Buffer {
  const len = content.length;
  const head = len < 0x80 ? Buffer.from([tag, len]) : len < 0x100 ? Buffer.from([tag, 0x81, len]) : Buffer.from([tag, 0x82, len >> 8, len & 0xff]);
  return Buffer.concat([head, content]);
}

interface CaKeys {
  name: string;
  service: RevocationService | undefined;
  keyPem: string | null;
  /** Hashes of the issuer's subject and public key, by hash OID, hex. */
  nameHash: Record<string, string>;
  keyHash: Record<string, string>;
  keyHashSha1: Buffer;
  certDer: Buffer;
}

const caCache = new WeakMap<RevocationPlan, CaKeys[]>();

function casOf(plan: RevocationPlan): CaKeys[] {
  let cas = caCache.get(plan);
  if (cas) return cas;
  cas = plan.cas.map((ca) => {
    const cert = AsnConvert.parse(new X509Certificate(ca.certPem).raw, Certificate);
    const subject = Buffer.from(AsnConvert.serialize(cert.tbsCertificate.subject));
    const key = Buffer.from(cert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey);
    const h = (alg: string, b: Buffer) => createHash(alg).update(b).digest();
    return {
      name: ca.name,
      service: ca.service,
      keyPem: ca.keyPem,
      nameHash: { [SHA1_OID]: h('sha1', subject).toString('hex'), [SHA256_OID]: h('sha256', subject).toString('hex') },
      keyHash: { [SHA1_OID]: h('sha1', key).toString('hex'), [SHA256_OID]: h('sha256', key).toString('hex') },
      keyHashSha1: h('sha1', key),
      certDer: new X509Certificate(ca.certPem).raw,
    };
  });
  caCache.set(plan, cas);
  return cas;
}

/** The signature algorithm of a CA key, as node:crypto signs with it (ECDSA DER-encoded). */
function signerFor(keyPem: string): { algorithm: AlgorithmIdentifier; hash: string | null } {
  const key = createPrivateKey(keyPem);
  if (key.asymmetricKeyType === 'ed25519') return { algorithm: new AlgorithmIdentifier({ algorithm: '1.3.101.112' }), hash: null };
  if (key.asymmetricKeyType === 'rsa') return { algorithm: new AlgorithmIdentifier({ algorithm: '1.2.840.113549.1.1.11', parameters: null }), hash: 'sha256' };
  const p384 = key.asymmetricKeyDetails?.namedCurve === 'secp384r1';
  return { algorithm: new AlgorithmIdentifier({ algorithm: p384 ? '1.2.840.10045.4.3.3' : '1.2.840.10045.4.3.2' }), hash: p384 ? 'sha384' : 'sha256' };
}

export type OcspStatus = 'good' | 'revoked' | 'unknown';

export interface OcspAnswer {
  der: Buffer;
  singles: { ca: string | null; serial: string; status: OcspStatus }[];
  /** The CA's service is `silent`: the responder holds the connection and sends nothing (der is empty). */
  silent?: boolean;
  /** Answered unauthorized: the CA offers no OCSP (service `none`). */
  unauthorized?: boolean;
  /** The response's signature was spoiled on purpose (service `bad-signature`). */
  badSignature?: boolean;
}

function statusOf(plan: RevocationPlan, ca: string, serial: string): OcspStatus {
  const issued = plan.issued.find((i) => i.issuer === ca && i.serial === serial);
  const service = plan.cas.find((c) => c.name === ca)?.service?.ocsp;
  // RFC 6960 §2.2: "unknown" = the responder does not know about the certificate; a forged "good" for bad-signature.
  if (service === 'unknown') return 'unknown';
  if (service === 'bad-signature') return 'good';
  return !issued ? 'unknown' : issued.revoked ? 'revoked' : 'good';
}

function hex(buf: ArrayBuffer): string {
  // INTEGER contents may carry a leading 00 for a positive number with the high bit set.
  return Buffer.from(buf).toString('hex').replace(/^(00)+(?=.)/, '').toUpperCase();
}

function failure(status: number): Buffer {
  return Buffer.from(AsnConvert.serialize(Object.assign(new OCSPResponse(), { responseStatus: status })));
}

/** A signed response about the given CertIDs, all of one CA. */
function signedResponse(ca: CaKeys, items: { certID: CertID; status: OcspStatus }[], nowMs: number, nonce?: Extension): Buffer {
  // Whole seconds: asn1-schema writes milliseconds into GeneralizedTime, which nginx cannot parse
  // ("invalid nextUpdate time in certificate status"); RFC 5280 §4.1.2.5.2 forbids fractions in certificates too.
  const now = Math.floor(nowMs / 1000) * 1000;
  const thisUpdate = new Date(now - 60_000);
  const nextUpdate = new Date(now + 7 * 86_400_000);
  const responses = items.map(({ certID, status }) => {
    const certStatus =
      status === 'good'
        ? Buffer.from([0x80, 0x00])
        : status === 'unknown'
          ? Buffer.from([0x82, 0x00])
          : // revoked [1] IMPLICIT RevokedInfo: the SEQUENCE with its tag replaced.
            (() => {
              const seq = Buffer.from(AsnConvert.serialize(Object.assign(new RevokedInfo(), { revocationTime: thisUpdate })));
              seq[0] = 0xa1;
              return seq;
            })();
    return Object.assign(new SingleResponse(), { certID, certStatus: new Uint8Array(certStatus).buffer, thisUpdate, nextUpdate });
  });
  const data = Object.assign(new ResponseData(), {
    // byKey [2] EXPLICIT KeyHash: SHA-1 of the responder's public key (RFC 6960 §4.2.1).
    responderID: new Uint8Array(tlv(0xa2, tlv(0x04, ca.keyHashSha1))).buffer,
    producedAt: new Date(now),
    responses,
    ...(nonce ? { responseExtensions: new Extensions([nonce]) } : {}),
  });
  const tbs = Buffer.from(AsnConvert.serialize(data));
  const signer = signerFor(ca.keyPem!);
  const signature = sign(signer.hash, tbs, { key: ca.keyPem!, dsaEncoding: 'der' });
  // bad-signature: the signature is made over other bytes (the tbs with its last octet flipped), so
  // it is well-formed and does not verify (RFC 6960 §3.2 (2): the client must check it).
  if (ca.service?.ocsp === 'bad-signature') {
    const other = Buffer.from(tbs);
    other[other.length - 1]! ^= 0xff;
    sign(signer.hash, other, { key: ca.keyPem!, dsaEncoding: 'der' }).copy(signature);
  }
  const basic = Object.assign(new BasicOCSPResponse(), { tbsResponseData: new Uint8Array(tbs).buffer, signatureAlgorithm: signer.algorithm, signature: new Uint8Array(signature).buffer,
    // The signer's certificate goes along: a client verifying a stapled response (curl --cert-status)
    // looks for the signer among the certificates the server sent and these, not in its trust store.
    certs: new Uint8Array(tlv(0x30, ca.certDer)).buffer,
  });
  const response = Object.assign(new ResponseBytes(), { response: new OctetString(AsnConvert.serialize(basic)) });
  return Buffer.from(AsnConvert.serialize(Object.assign(new OCSPResponse(), { responseStatus: 0, responseBytes: response })));
}

/** Answer an OCSP request (DER) about certificates of the plan's CAs. Never throws for a bad request: malformedRequest. */
export async function answerOcsp(der: Buffer, plan: RevocationPlan, now = Date.now()): Promise<OcspAnswer> {
  let req: OCSPRequest;
  try {
    req = AsnConvert.parse(der, OCSPRequest);
  } catch {
    return { der: failure(MALFORMED_REQUEST), singles: [] };
  }
  const cas = casOf(plan);
  const items = req.tbsRequest.requestList.map((r) => {
    const id = r.reqCert;
    const alg = id.hashAlgorithm.algorithm;
    const ca = cas.find((c) => c.nameHash[alg] === Buffer.from(id.issuerNameHash.buffer).toString('hex') && c.keyHash[alg] === Buffer.from(id.issuerKeyHash.buffer).toString('hex')) ?? null;
    const serial = hex(id.serialNumber);
    return { certID: id, ca, serial, status: ca ? statusOf(plan, ca.name, serial) : ('unknown' as OcspStatus) };
  });
  const singles = items.map((i) => ({ ca: i.ca?.name ?? null, serial: i.serial, status: i.status }));
  // One response signs for one CA: answer about the first request's CA (clients ask one certificate at a time).
  const signerCa = items.find((i) => i.ca)?.ca;
  if (signerCa?.service?.ocsp === 'silent') return { der: Buffer.alloc(0), singles, silent: true };
  // A CA without OCSP (its certificates name no responder; a client may still ask the issuer's URL, as
  // gnutls-cli --ocsp does): unauthorized, as a responder answers for a CA it does not serve (RFC 6960 §2.3).
  if (signerCa?.service?.ocsp === 'none') return { der: failure(UNAUTHORIZED), singles, unauthorized: true };
  if (!signerCa || !signerCa.keyPem || items.length === 0) return { der: failure(UNAUTHORIZED), singles };
  const nonce = req.tbsRequest.requestExtensions?.find((e) => e.extnID === ID_PKIX_OCSP_NONCE);
  return { der: signedResponse(signerCa, items.filter((i) => i.ca === signerCa), now, nonce), singles, ...(signerCa.service?.ocsp === 'bad-signature' ? { badSignature: true } : {}) };
}

/** A response about one certificate, for stapling (RFC 6066 §8): the CertID with SHA-1, as OpenSSL builds it by default. */
export function ocspResponseFor(plan: RevocationPlan, caName: string, serialHex: string, now = Date.now()): Buffer | null {
  const ca = casOf(plan).find((c) => c.name === caName);
  if (!ca?.keyPem) return null;
  // No staple where the server could not have got one (responder silent or absent), or where the case says so (must-staple).
  const service = ca.service;
  if (service?.staple === false || service?.ocsp === 'silent' || service?.ocsp === 'none') return null;
  const serial = Buffer.from(serialHex.length % 2 ? `0${serialHex}` : serialHex, 'hex');
  const certID = Object.assign(new CertID(), {
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA1_OID, parameters: null }),
    issuerNameHash: new OctetString(Buffer.from(ca.nameHash[SHA1_OID]!, 'hex')),
    issuerKeyHash: new OctetString(ca.keyHashSha1),
    serialNumber: new Uint8Array(serial[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), serial]) : serial).buffer,
  });
  return signedResponse(ca, [{ certID, status: statusOf(plan, caName, serialHex.toUpperCase()) }], now);
}
