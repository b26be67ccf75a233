import 'reflect-metadata';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import { revokedSerial, UNKNOWN_CRITICAL_OID } from './revocation-data.js';
import { needsResign, resign } from './resign.js';
import { withRawNames, withRawSubtrees } from './raw-names.js';
import type { CertSpec, KeyKind, KeyUsageBit, NameConstraintsSpec, SignatureHash } from './spec.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type Algorithm = webcrypto.Algorithm;

const subtle = webcrypto.subtle;
const DAY_MS = 86_400_000;
const SECOND_MS = 1_000;

/** A certificate with its private key, both PEM. The key never leaves the store or a TLS context. */
export interface Material {
  certPem: string;
  keyPem: string;
}

type KeyAlgorithm = webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams | { name: 'Ed25519' };

function keyAlgorithm(kind: KeyKind, hash: SignatureHash = 'SHA-256'): KeyAlgorithm {
  switch (kind) {
    case 'ec-p256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ec-p384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    case 'ed25519':
      return { name: 'Ed25519' };
    default:
      return {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: Number(kind.slice(4)),
        publicExponent: new Uint8Array([1, 0, 1]),
        hash,
      };
  }
}

async function generateKeyPair(kind: KeyKind): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(keyAlgorithm(kind) as webcrypto.RsaHashedKeyGenParams, true, ['sign', 'verify'])) as CryptoKeyPair;
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/**
 * Import a PEM private key (PKCS#8, PKCS#1 or SEC1) for signing with `hash`. A WebCrypto RSA
 * key carries its hash, so a SHA-1 signature needs the key imported for SHA-1 (PLATFORM.md).
 */
export async function importSigningKey(keyPem: string, hash: SignatureHash, scheme: 'pkcs1' | 'pss' = 'pkcs1'): Promise<{ key: CryptoKey; algorithm: Algorithm }> {
  const nodeKey = createPrivateKey(keyPem);
  const pkcs8 = nodeKey.export({ type: 'pkcs8', format: 'der' });
  const type = nodeKey.asymmetricKeyType;
  if (type === 'rsa' && scheme === 'pss') {
    // RFC 4055 §3.1 / RFC 8017: salt length equal to the hash length, the usual choice of CAs.
    const alg = { name: 'RSA-PSS', hash };
    const key = await subtle.importKey('pkcs8', pkcs8, alg, false, ['sign']);
    return { key, algorithm: { ...alg, saltLength: hash === 'SHA-384' ? 48 : hash === 'SHA-1' ? 20 : 32 } as webcrypto.RsaPssParams };
  }
  if (type === 'rsa-pss') {
    throw new Error('an RSASSA-PSS key (id-RSASSA-PSS) cannot issue certificates here: WebCrypto will not import it; give the issuer an rsa-* key and signatureScheme "pss"');
  }
  if (type === 'rsa') {
    const alg = { name: 'RSASSA-PKCS1-v1_5', hash };
    return { key: await subtle.importKey('pkcs8', pkcs8, alg, false, ['sign']), algorithm: alg };
  }
  if (type === 'ec') {
    const curve = nodeKey.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'P-384' : 'P-256';
    const key = await subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: curve }, false, ['sign']);
    return { key, algorithm: { name: 'ECDSA', hash } as webcrypto.EcdsaParams };
  }
  if (type === 'ed25519') {
    return { key: await subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']), algorithm: { name: 'Ed25519' } };
  }
  throw new Error(`unsupported issuer key type "${type}": use an RSA, EC (P-256/P-384) or Ed25519 key`);
}

export { keyMatchesCert } from './key-match.js';

const KEY_USAGE_FLAGS: Record<KeyUsageBit, number> = {
  digitalSignature: x509.KeyUsageFlags.digitalSignature,
  nonRepudiation: x509.KeyUsageFlags.nonRepudiation,
  keyEncipherment: x509.KeyUsageFlags.keyEncipherment,
  dataEncipherment: x509.KeyUsageFlags.dataEncipherment,
  keyAgreement: x509.KeyUsageFlags.keyAgreement,
  keyCertSign: x509.KeyUsageFlags.keyCertSign,
  cRLSign: x509.KeyUsageFlags.cRLSign,
  encipherOnly: x509.KeyUsageFlags.encipherOnly,
  decipherOnly: x509.KeyUsageFlags.decipherOnly,
};

function keyUsageOf(spec: CertSpec): number | null {
  if (spec.keyUsage === null) return null;
  if (spec.keyUsage) {
    if (spec.keyUsage.length === 0) throw new Error(`spec "${spec.name}": keyUsage [] encodes nothing; use null to leave the extension out`);
    return spec.keyUsage.reduce((bits, b) => bits | KEY_USAGE_FLAGS[b], 0);
  }
  return spec.ca
    ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature
    : x509.KeyUsageFlags.digitalSignature |
        (spec.key.startsWith('rsa-') && !spec.pssKey ? x509.KeyUsageFlags.keyEncipherment : 0) |
        (spec.keyCertSign ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : 0);
}

function extensionsFor(spec: CertSpec): x509.Extension[] {
  const exts: x509.Extension[] = [];
  if (spec.ca !== null) {
    // RFC 5280 §4.2.1.9: basicConstraints must be critical in CA certificates. pathLength is written on a
    // leaf too when a spec gives it (§4.2.1.9 forbids it there: limbo pathlen::validation-ignores-pathlen-in-leaf).
    exts.push(new x509.BasicConstraintsExtension(spec.ca, spec.pathLength, spec.basicConstraintsCritical ?? spec.ca));
  }
  const usage = keyUsageOf(spec);
  if (usage !== null) exts.push(new x509.KeyUsagesExtension(usage, spec.keyUsageCritical ?? true));
  if (spec.eku || spec.ekuOids) {
    const oids = (spec.eku ?? []).map((e) => (e === 'serverAuth' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth) as string);
    exts.push(new x509.ExtendedKeyUsageExtension([...oids, ...(spec.ekuOids ?? [])], spec.ekuCritical ?? false));
  }
  if (spec.sans.length > 0 || spec.sanRaw?.length) {
    // @peculiar/x509 calls a URI GeneralName (RFC 5280 §4.2.1.6 uniformResourceIdentifier) 'url'.
    const san = new x509.SubjectAlternativeNameExtension(spec.sans.map((s) => ({ type: s.type === 'uri' ? ('url' as const) : s.type, value: s.value })), spec.sanCritical ?? false);
    exts.push(spec.sanRaw?.length ? new x509.Extension(asn1X509.id_ce_subjectAltName, spec.sanCritical ?? false, withRawNames(spec.sans.length > 0 ? san.value : null, spec.sanRaw)) : san);
  }
  // RFC 5280 §4.2.1.13 / §4.2.2.1: where a relying party that checks revocation looks.
  if (spec.crlUrl) exts.push(new x509.CRLDistributionPointsExtension([spec.crlUrl]));
  if (spec.ocspUrl) exts.push(new x509.AuthorityInfoAccessExtension({ ocsp: [spec.ocspUrl] }));
  // RFC 7633 §6 id-pe-tlsfeature: SEQUENCE { INTEGER 5 (status_request) }, non-critical (§4.1: it SHOULD NOT be critical).
  if (spec.mustStaple) exts.push(new x509.Extension('1.3.6.1.5.5.7.1.24', false, new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05])));
  // RFC 5280 §4.2.1.10: conforming CAs MUST mark nameConstraints critical.
  if (spec.nameConstraints || spec.nameConstraintsRaw) {
    const typed = spec.nameConstraints ? nameConstraintsDer(spec.nameConstraints) : null;
    const value = spec.nameConstraintsRaw ? withRawSubtrees(typed, spec.nameConstraintsRaw) : typed!;
    exts.push(new x509.Extension(asn1X509.id_ce_nameConstraints, spec.nameConstraintsCritical ?? true, value));
  }
  // RFC 5280 §4.2.1.4: policy OIDs; non-critical so a validator without policy support still decides on the rest.
  if (spec.policies) exts.push(new x509.CertificatePolicyExtension(spec.policies, false));
  // RFC 5280 §4.2: a system MUST reject a certificate with a critical extension it does not recognise.
  if (spec.unknownCriticalExtension) exts.push(new x509.Extension(UNKNOWN_CRITICAL_OID, true, new Uint8Array([0x05, 0x00])));
  return exts;
}

/** One GeneralName per constraint form (RFC 5280 §4.2.1.10 gives each form its own matching rule). */
function subtreesOf(dns: string[] = [], ips: string[] = [], uris: string[] = [], emails: string[] = [], dirs: string[] = []): asn1X509.GeneralSubtree[] {
  const subtree = (base: asn1X509.GeneralName) => new asn1X509.GeneralSubtree({ base });
  return [
    ...dns.map((d) => subtree(new asn1X509.GeneralName({ dNSName: d }))),
    ...ips.map((ip) => subtree(new asn1X509.GeneralName({ iPAddress: ip }))),
    ...uris.map((u) => subtree(new asn1X509.GeneralName({ uniformResourceIdentifier: u }))),
    ...emails.map((e) => subtree(new asn1X509.GeneralName({ rfc822Name: e }))),
    ...dirs.map((dn) => subtree(new asn1X509.GeneralName({ directoryName: AsnConvert.parse(new x509.Name(dn).toArrayBuffer(), asn1X509.Name) }))),
  ];
}

function nameConstraintsDer(nc: NameConstraintsSpec): ArrayBuffer {
  const permitted = subtreesOf(nc.permittedDns, nc.permittedIps, nc.permittedUris, nc.permittedEmails, nc.permittedDirectoryNames);
  const excluded = subtreesOf(nc.excludedDns, nc.excludedIps, nc.excludedUris, nc.excludedEmails, nc.excludedDirectoryNames);
  // RFC 5280 §4.2.1.10: at least one of the two MUST be present; an empty spec is a spec error.
  if (permitted.length === 0 && excluded.length === 0) throw new Error('nameConstraints with neither permitted nor excluded subtrees: RFC 5280 §4.2.1.10 requires one');
  return AsnConvert.serialize(
    new asn1X509.NameConstraints({
      ...(permitted.length > 0 ? { permittedSubtrees: new asn1X509.GeneralSubtrees(permitted) } : {}),
      ...(excluded.length > 0 ? { excludedSubtrees: new asn1X509.GeneralSubtrees(excluded) } : {}),
    }),
  );
}

/** The key pair of a spec: fresh, the one of `keyOf` (cross-signing), or an RSASSA-PSS key. */
interface SubjectKey {
  /** What goes in the certificate: a WebCrypto key, or SPKI DER where WebCrypto cannot hold the key (RSASSA-PSS). */
  publicKey: CryptoKey | ArrayBuffer;
  spkiDer: Buffer;
  keyPem: string;
}

async function subjectKeyFor(spec: CertSpec, reuse?: Material): Promise<SubjectKey> {
  if (reuse) {
    const priv = createPrivateKey(reuse.keyPem);
    const spkiDer = createPublicKey(priv).export({ type: 'spki', format: 'der' });
    return { publicKey: new Uint8Array(spkiDer).buffer, spkiDer, keyPem: reuse.keyPem };
  }
  if (spec.pssKey) {
    const bits = Number(spec.key.slice(4));
    if (!spec.key.startsWith('rsa-')) throw new Error(`spec "${spec.name}": pssKey needs an rsa-* key, not "${spec.key}"`);
    const pair = generateKeyPairSync('rsa-pss', { modulusLength: bits });
    const spkiDer = pair.publicKey.export({ type: 'spki', format: 'der' });
    return { publicKey: new Uint8Array(spkiDer).buffer, spkiDer, keyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  }
  const keys = await generateKeyPair(spec.key);
  const spkiDer = Buffer.from(await subtle.exportKey('spki', keys.publicKey));
  const pkcs8 = await subtle.exportKey('pkcs8', keys.privateKey);
  return { publicKey: keys.publicKey, spkiDer, keyPem: toPem(pkcs8, 'PRIVATE KEY') };
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING. */
function keyIdOf(spkiDer: Buffer): string {
  const spki = AsnConvert.parse(spkiDer, asn1X509.SubjectPublicKeyInfo);
  return createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest('hex');
}

interface IssuerFacts {
  certPem: string;
  keyPem: string;
  subject: string;
  keyId: string;
  signers: Map<string, { key: CryptoKey; algorithm: Algorithm }>;
}
/**
 * What signing under an issuer needs, parsed once per issuer Material object: a corpus issues
 * hundreds of leaves under a few CAs, and parsing the CA and importing its key each time is
 * about a tenth of the cost of a certificate.
 */
const issuerCache = new WeakMap<Material, IssuerFacts>();

async function issuerFacts(issuer: Material, hash: SignatureHash, scheme: 'pkcs1' | 'pss'): Promise<IssuerFacts & { signer: { key: CryptoKey; algorithm: Algorithm } }> {
  let facts = issuerCache.get(issuer);
  // A Material whose fields were replaced since is parsed again.
  if (!facts || facts.certPem !== issuer.certPem || facts.keyPem !== issuer.keyPem) {
    const cert = new x509.X509Certificate(issuer.certPem);
    const keyId = cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ?? keyIdOf(Buffer.from(cert.publicKey.rawData));
    facts = { certPem: issuer.certPem, keyPem: issuer.keyPem, subject: cert.subject, keyId, signers: new Map() };
    issuerCache.set(issuer, facts);
  }
  const signerKey = `${hash}/${scheme}`;
  let signer = facts.signers.get(signerKey);
  if (!signer) {
    signer = await importSigningKey(issuer.keyPem, hash, scheme);
    facts.signers.set(signerKey, signer);
  }
  return { ...facts, signer };
}

/**
 * Generate one certificate from its spec. `issuer` is the issuing certificate and key; absent
 * for a self-signed spec. Pure apart from key generation and the clock.
 */
export async function generate(spec: CertSpec, issuer?: Material, now = Date.now(), reuseKey?: Material): Promise<Material> {
  if (spec.keyOf && !reuseKey) throw new Error(`spec "${spec.name}" reuses the key of "${spec.keyOf}": generate that one first and pass it as reuseKey`);
  const subjectKey = await subjectKeyFor(spec, reuseKey);
  const notBefore = new Date(now + spec.notBeforeDays * DAY_MS + (spec.notBeforeSeconds ?? 0) * SECOND_MS);
  const notAfter = new Date(now + spec.notAfterDays * DAY_MS + (spec.notAfterSeconds ?? 0) * SECOND_MS);
  // A revoked spec keeps one serial per issuer: the CRL a server loaded once still names its renewals.
  const serialNumber = spec.serialHex ?? (spec.revoked && issuer ? revokedSerial(spec.name, issuer.certPem) : '01' + randomBytes(15).toString('hex'));
  const extensions = extensionsFor(spec);
  // RFC 5280 §4.2.1.2: a CA MUST carry a subjectKeyIdentifier, non-critical; `ski` breaks that on purpose.
  if ((spec.ski ?? 'present') !== 'absent') extensions.push(new x509.SubjectKeyIdentifierExtension(keyIdOf(subjectKey.spkiDer), spec.ski === 'critical'));

  let signer: { key: CryptoKey; algorithm: Algorithm };
  let issuerName: string;
  const scheme = spec.signatureScheme ?? 'pkcs1';
  if (spec.issuer === 'self' || !issuer) {
    signer = await importSigningKey(subjectKey.keyPem, spec.signatureHash, scheme);
    issuerName = spec.subject;
  } else {
    const facts = await issuerFacts(issuer, spec.signatureHash, scheme);
    signer = facts.signer;
    issuerName = facts.subject;
    // RFC 5280 §4.2.1.1: the key id of the issuer's key, non-critical; `aki` breaks that on purpose.
    const aki = spec.aki ?? 'present';
    if (aki !== 'absent') {
      const keyId = aki === 'mismatched' ? randomBytes(20).toString('hex') : facts.keyId;
      extensions.push(new x509.AuthorityKeyIdentifierExtension(keyId, aki === 'critical'));
    }
  }

  const cert = await x509.X509CertificateGenerator.create({
    serialNumber,
    subject: spec.subject,
    issuer: issuerName,
    notBefore,
    notAfter,
    publicKey: subjectKey.publicKey,
    signingKey: signer.key,
    signingAlgorithm: signer.algorithm,
    extensions,
  });
  const certPem = cert.toString('pem') + '\n';
  const signerKeyPem = spec.issuer === 'self' || !issuer ? subjectKey.keyPem : issuer.keyPem;
  return { certPem: needsResign(spec) ? resign(certPem, spec, signerKeyPem) : certPem, keyPem: subjectKey.keyPem };
}
