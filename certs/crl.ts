import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import { importSigningKey, type Material } from './generate.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/**
 * One CA's CRL (RFC 5280 §5), signed by the CA itself. Loaded only when a CRL is (re)made: a warm
 * run reads the files and never imports @peculiar/x509.
 */

const DAY_MS = 86_400_000;

export interface BuiltCrl {
  pem: string;
  der: Buffer;
  nextUpdate: number;
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
}

export async function buildCrl(input: CrlInput): Promise<BuiltCrl> {
  const caCert = new x509.X509Certificate(input.ca.certPem);
  const signer = await importSigningKey(input.ca.keyPem, 'SHA-256');
  // thisUpdate an hour back: a relying party whose clock lags still sees a CRL already in force.
  const thisUpdate = new Date(input.now - 3_600_000);
  const nextUpdate = new Date(input.now + input.validDays * DAY_MS);
  const crl = await x509.X509CrlGenerator.create({
    issuer: caCert.subject,
    thisUpdate,
    nextUpdate,
    signingKey: signer.key,
    signingAlgorithm: signer.algorithm,
    extensions: [
      // RFC 5280 §5.2.1 and §5.2.3: conforming CRLs carry the authority key identifier and a CRL number.
      await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
      new x509.Extension(asn1X509.id_ce_cRLNumber, false, AsnConvert.serialize(new asn1X509.CRLNumber(input.crlNumber ?? Math.floor(input.now / 1000)))),
    ],
    entries: input.revokedSerials.map((serialNumber) => ({ serialNumber, revocationDate: thisUpdate, reason: x509.X509CrlReason.keyCompromise })),
  });
  const der = Buffer.from(crl.rawData);
  // OpenSSL reads only the "X509 CRL" PEM label (RFC 7468 §5), not @peculiar/x509's "CRL".
  const pem = `-----BEGIN X509 CRL-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END X509 CRL-----\n`;
  return { pem, der, nextUpdate: nextUpdate.getTime() };
}
