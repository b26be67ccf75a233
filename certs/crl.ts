import 'reflect-metadata';
import { createHash, webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import { importSigningKey, type Material } from './generate.js';
import { signatureOver } from './resign.js';
import { UNKNOWN_CRITICAL_OID } from './revocation-data.js';
import type { CrlReason, CrlShape, SignatureHash } from './spec.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/**
 * One CA's CRL (RFC 5280 §5), signed by the CA itself, conforming unless a shape (the deep `crl`
 * family, certs/spec.ts CrlShape) says where it departs. Loaded only when a CRL is (re)made: a
 * warm run reads the files and never imports @peculiar/x509.
 */

const DAY_MS = 86_400_000;

export interface BuiltCrl {
  pem: string;
  der: Buffer;
  nextUpdate: number;
  /** A delta CRL published beside it (shape.deltaReleases), PEM. */
  deltaPem?: string;
  deltaDer?: Buffer;
}

export interface CrlInput {
  ca: Material;
  /** Hex serials the CA revokes. */
  revokedSerials: string[];
  now: number;
  /** Days until nextUpdate: long, so a server that loaded the file once keeps accepting it. */
  validDays: number;
  /** Monotonic CRL number (RFC 5280 §5.2.3); the time in seconds does. */
  crlNumber?: number;
  /** Where the CRL departs from a conforming one. */
  shape?: CrlShape;
  /** The URIs an issuingDistributionPoint names (shape.idp.distributionPoint). */
  idpUris?: string[];
  /** Where the delta CRL is served (shape.deltaReleases): named by the complete CRL's freshestCRL (RFC 5280 §5.2.6). */
  deltaUrl?: string;
}

const REASONS: Record<Exclude<CrlReason, 'none'>, x509.X509CrlReason> = {
  keyCompromise: x509.X509CrlReason.keyCompromise,
  certificateHold: x509.X509CrlReason.certificateHold,
  removeFromCRL: x509.X509CrlReason.removeFromCRL,
};

/** ASN.1 NULL: the value of the private extensions (their content means nothing). */
const NULL = new Uint8Array([0x05, 0x00]);

/** Serials of filler entries: derived from the CA, so a rebuilt CRL lists the same ones. */
function fillerSerials(caCertPem: string, n: number): string[] {
  const raw = new NodeX509(caCertPem).raw;
  return Array.from({ length: n }, (_, i) => '5f' + createHash('sha256').update('mtls-conformance filler\0').update(raw).update(String(i)).digest('hex').slice(0, 30));
}

function toPem(der: Buffer): string {
  // OpenSSL reads only the "X509 CRL" PEM label (RFC 7468 §5), not @peculiar/x509's "CRL".
  return `-----BEGIN X509 CRL-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END X509 CRL-----\n`;
}

function idpExtension(shape: NonNullable<CrlShape['idp']>, uris: string[]): x509.Extension {
  const idp = new asn1X509.IssuingDistributionPoint({
    ...(uris.length ? { distributionPoint: new asn1X509.DistributionPointName({ fullName: uris.map((u) => new asn1X509.GeneralName({ uniformResourceIdentifier: u })) }) } : {}),
    onlyContainsUserCerts: shape.onlyContainsUserCerts === true,
    onlyContainsCACerts: shape.onlyContainsCACerts === true,
    onlyContainsAttributeCerts: shape.onlyContainsAttributeCerts === true,
  });
  // RFC 5280 §5.2.5: the extension is critical.
  return new x509.Extension(asn1X509.id_ce_issuingDistributionPoint, true, AsnConvert.serialize(idp));
}

/**
 * Entries @peculiar/x509's generator cannot list, added by editing the generated CRL and signing it
 * again with the same key: a serial listed twice (it refuses one it has listed; limbo
 * webpki::crl::crl-duplicate-revoked-serial needs it), and filler entries (it checks each new serial
 * against every one before it: 10,000 took ~12 s, built here in well under one).
 */
function withEntries(der: Buffer, keyPem: string, hash: SignatureHash, filler: string[], reason: CrlReason, revocationDate: Date, twice: boolean): Buffer {
  const list = AsnConvert.parse(der, asn1X509.CertificateList);
  const tbs = list.tbsCertList;
  const reasonValue = reason === 'none' ? null : AsnConvert.serialize(new asn1X509.CRLReason(REASONS[reason] as number));
  const added = filler.map(
    (serial) =>
      new asn1X509.RevokedCertificate({
        userCertificate: new Uint8Array(Buffer.from(serial, 'hex')).buffer,
        revocationDate: new asn1X509.Time(revocationDate),
        ...(reasonValue ? { crlEntryExtensions: [new asn1X509.Extension({ extnID: asn1X509.id_ce_cRLReasons, critical: false, extnValue: new OctetString(reasonValue) })] } : {}),
      }),
  );
  const entries = [...(tbs.revokedCertificates ?? []), ...added];
  tbs.revokedCertificates = twice ? [...entries, ...entries] : entries;
  list.tbsCertListRaw = undefined;
  list.signature = new Uint8Array(signatureOver(Buffer.from(AsnConvert.serialize(tbs)), keyPem, hash, 'pkcs1')).buffer;
  return Buffer.from(AsnConvert.serialize(list));
}

function freshestCrl(url: string): x509.Extension {
  const dp = new asn1X509.DistributionPoint({ distributionPoint: new asn1X509.DistributionPointName({ fullName: [new asn1X509.GeneralName({ uniformResourceIdentifier: url })] }) });
  return new x509.Extension(asn1X509.id_ce_freshestCRL, false, AsnConvert.serialize(new asn1X509.FreshestCRL([dp])));
}

export async function buildCrl(input: CrlInput): Promise<BuiltCrl> {
  const shape = input.shape ?? {};
  const caCert = new x509.X509Certificate(input.ca.certPem);
  const hash = shape.signatureHash ?? 'SHA-256';
  // RFC 5280 §6.3.3 (g): a CRL under another key claims the CA by name and key identifier, and does not verify.
  const signer = shape.foreignKey
    ? await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']).then((k) => ({ key: (k as webcrypto.CryptoKeyPair).privateKey, algorithm: { name: 'ECDSA', hash } }))
    : await importSigningKey(input.ca.keyPem, hash);
  // thisUpdate an hour back: a relying party whose clock lags still sees a CRL already in force.
  const thisUpdate = new Date(shape.thisUpdateDays !== undefined ? input.now + shape.thisUpdateDays * DAY_MS : input.now - 3_600_000);
  const nextUpdate = new Date(shape.nextUpdateDays !== undefined ? input.now + shape.nextUpdateDays * DAY_MS : input.now + input.validDays * DAY_MS);
  const crlNumber = input.crlNumber ?? Math.floor(input.now / 1000);
  const aki = await x509.AuthorityKeyIdentifierExtension.create(caCert, false);
  const number = (n: number, critical: boolean) => new x509.Extension(asn1X509.id_ce_cRLNumber, critical, AsnConvert.serialize(new asn1X509.CRLNumber(n)));
  const extensions: x509.Extension[] = [
    // RFC 5280 §5.2.1 and §5.2.3: conforming CRLs carry the authority key identifier and a non-critical CRL number.
    aki,
    ...(shape.crlNumber === 'absent' ? [] : [number(crlNumber, shape.crlNumber === 'critical')]),
    ...(shape.unknownExtension ? [new x509.Extension(UNKNOWN_CRITICAL_OID, shape.unknownExtension === 'critical', NULL)] : []),
    ...(shape.idp ? [idpExtension(shape.idp, input.idpUris ?? [])] : []),
    // RFC 5280 §5.2.6: a complete CRL names where its delta CRLs are (OpenSSL looks for a delta only then).
    ...(shape.deltaReleases && input.deltaUrl ? [freshestCrl(input.deltaUrl)] : []),
  ];
  const serials = [...input.revokedSerials, ...(shape.extraSerials ?? [])];
  const filler = fillerSerials(input.ca.certPem, shape.fillerEntries ?? 0);
  const revocationDate = shape.revocationDateDays !== undefined ? new Date(input.now + shape.revocationDateDays * DAY_MS) : thisUpdate;
  const entry = (serialNumber: string, reason: CrlReason): x509.X509CrlEntryParams => ({
    serialNumber,
    revocationDate,
    ...(reason === 'none' ? {} : { reason: REASONS[reason] }),
    ...(shape.entryExtension ? { extensions: [new x509.Extension(UNKNOWN_CRITICAL_OID, shape.entryExtension === 'critical', NULL)] } : {}),
  });
  const entries = serials.map((s) => entry(s, shape.reason ?? 'keyCompromise'));
  const crl = await x509.X509CrlGenerator.create({
    issuer: caCert.subject,
    thisUpdate,
    nextUpdate,
    signingKey: signer.key,
    signingAlgorithm: signer.algorithm,
    extensions,
    entries,
  });
  if ((filler.length || shape.duplicateEntries) && shape.foreignKey) throw new Error('a CRL under a foreign key takes no filler or duplicate entries');
  const der =
    filler.length || shape.duplicateEntries
      ? withEntries(Buffer.from(crl.rawData), input.ca.keyPem, hash, filler, shape.reason ?? 'keyCompromise', revocationDate, shape.duplicateEntries === true)
      : Buffer.from(crl.rawData);
  let deltaDer: Buffer | undefined;
  if (shape.deltaReleases) {
    // RFC 5280 §5.2.4: a delta CRL names its base by deltaCRLIndicator (critical) and has a higher
    // CRL number; removeFromCRL (§5.3.1) takes a certificate off hold.
    const delta = await x509.X509CrlGenerator.create({
      issuer: caCert.subject,
      thisUpdate,
      nextUpdate,
      signingKey: signer.key,
      signingAlgorithm: signer.algorithm,
      extensions: [aki, number(crlNumber + 1, false), new x509.Extension(asn1X509.id_ce_deltaCRLIndicator, true, AsnConvert.serialize(new asn1X509.BaseCRLNumber(crlNumber)))],
      entries: serials.map((s) => entry(s, 'removeFromCRL')),
    });
    deltaDer = Buffer.from(delta.rawData);
  }
  return { pem: toPem(der), der, nextUpdate: nextUpdate.getTime(), ...(deltaDer ? { deltaPem: toPem(deltaDer), deltaDer } : {}) };
}
