import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { IssuingDistributionPoint, id_ce_cRLNumber, id_ce_deltaCRLIndicator, id_ce_freshestCRL, id_ce_issuingDistributionPoint } from '@peculiar/asn1-x509';
import { beforeAll, describe, expect, test } from 'vitest';
import { prepareSuiteCerts } from './prepare-certs.js';
import { UNKNOWN_CRITICAL_OID } from './revocation-data.js';
import type { EnsureResult } from './store.js';
import { loadProfile } from '../harness/profile/load.js';
// The certificate set comes from the cases (certs/ itself does not know them).
import { caseChains } from '../harness/cases/catalogue.js';

// The deep crl family's CRLs (CrlShape), parsed back: each departs from a conforming CRL in the one
// way it claims; and the suite store around them (CDPs, bundles, the responder plan).
const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'mtls-crl-shape-unit-'));
const crlChains = () => caseChains('deep').filter((n) => n.name.startsWith('server/crl/'));
let store: EnsureResult;
beforeAll(async () => {
  store = await prepareSuiteCerts(dir, loadProfile('intermediate').profile, caseChains(), 'deep', crlChains());
}, 120_000);

const caOf = (c: string) => `server-case-crl-${c}-ca1`;
// large-crl has 10,000 entries: more ASN.1 nodes than asn1js parses by default.
const LARGE = { berOptions: { maxNodes: 1_000_000 } };
const crlOf = (ca: string) => new x509.X509Crl(readFileSync(join(dir, 'deep', 'crl', `${ca}.crl`)), LARGE);
const certOf = (name: string) => new x509.X509Certificate(store.certs.get(name)!.certPem);
const serialOf = (name: string) => new X509Certificate(store.certs.get(name)!.certPem).serialNumber;
const serials = (crl: x509.X509Crl) => crl.entries.map((e) => e.serialNumber.toUpperCase());
const pems = (text: string) => text.match(/-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----\n/g) ?? [];

describe('shaped CRLs', () => {
  test('a revoked leaf is listed by its own CA, with the reason (or none) the shape gives', async () => {
    const crl = crlOf(caOf('leaf-revoked'));
    expect(await crl.verify({ publicKey: certOf(caOf('leaf-revoked')).publicKey })).toBe(true);
    expect(serials(crl)).toEqual([serialOf('server/crl/leaf-revoked')]);
    expect(crl.entries[0]!.reason).toBe(x509.X509CrlReason.keyCompromise);
    expect(crlOf(caOf('leaf-on-hold')).entries[0]!.reason).toBe(x509.X509CrlReason.certificateHold);
    expect(crlOf(caOf('leaf-revoked-no-reason')).entries[0]!.reason).toBeUndefined();
    expect(crlOf(caOf('remove-from-crl-on-complete-crl')).entries[0]!.reason).toBe(x509.X509CrlReason.removeFromCRL);
    // The intermediate of intermediate-revoked is listed by the case's first CA.
    expect(serials(crlOf(caOf('intermediate-revoked')))).toEqual([serialOf('server-case-crl-intermediate-revoked-ca2')]);
    const future = crlOf(caOf('leaf-revoked-date-in-future')).entries[0]!;
    expect(future.revocationDate.getTime() - Date.now()).toBeGreaterThan(29 * DAY);
    const entryExt = crlOf(caOf('leaf-revoked-entry-extension')).entries[0]!.extensions.find((e) => e.type === UNKNOWN_CRITICAL_OID)!;
    expect(entryExt.critical).toBe(false);
  });

  test('times, signature, extensions and scope: each one departure', async () => {
    const expired = crlOf(caOf('crl-expired'));
    expect(expired.nextUpdate!.getTime()).toBeLessThan(Date.now() - 29 * DAY);
    expect(crlOf(caOf('crl-not-yet-valid')).thisUpdate.getTime()).toBeGreaterThan(Date.now() + 29 * DAY);
    const foreign = crlOf(caOf('crl-foreign-key'));
    // Claims the CA (issuer name and key identifier) but does not verify under its key.
    expect(foreign.issuer).toBe(certOf(caOf('crl-foreign-key')).subject);
    expect(await foreign.verify({ publicKey: certOf(caOf('crl-foreign-key')).publicKey })).toBe(false);
    expect(crlOf(caOf('crl-sha1-signature')).signatureAlgorithm).toMatchObject({ hash: { name: 'SHA-1' } });
    expect(crlOf(caOf('crl-unknown-critical-extension')).getExtension(UNKNOWN_CRITICAL_OID)!.critical).toBe(true);
    expect(crlOf(caOf('crl-unknown-noncritical-extension')).getExtension(UNKNOWN_CRITICAL_OID)!.critical).toBe(false);
    expect(crlOf(caOf('crl-entry-critical-extension')).entries.every((e) => e.extensions.find((x) => x.type === UNKNOWN_CRITICAL_OID)?.critical === true)).toBe(true);
    expect(crlOf(caOf('crl-number-missing')).getExtension(id_ce_cRLNumber)).toBeNull();
    expect(crlOf(caOf('crl-number-critical')).getExtension(id_ce_cRLNumber)!.critical).toBe(true);
    expect(crlOf(caOf('not-revoked')).getExtension(id_ce_cRLNumber)!.critical).toBe(false);
    // A serial listed twice, the CRL still signed by the CA (made by editing and re-signing).
    const dup = crlOf(caOf('crl-duplicate-entry'));
    expect(serials(dup)).toHaveLength(4);
    expect(new Set(serials(dup)).size).toBe(2);
    expect(await dup.verify({ publicKey: certOf(caOf('crl-duplicate-entry')).publicKey })).toBe(true);
    expect(crlOf(caOf('large-crl')).entries).toHaveLength(10_000);
    expect(crlOf(caOf('large-crl')).findRevoked(certOf('server/crl/large-crl'))).toBeNull();
    // The leaf's serial on the CRL of the CA above its issuer.
    expect(serials(crlOf(caOf('serial-on-other-issuers-crl')))).toContain(serialOf('server/crl/serial-on-other-issuers-crl'));
    expect(certOf('server/crl/serial-on-other-issuers-crl').issuer).not.toBe(certOf(caOf('serial-on-other-issuers-crl')).subject);
    // The issuers with and without cRLSign.
    expect(certOf(caOf('issuer-without-crlsign')).getExtension(x509.KeyUsagesExtension)!.usages & x509.KeyUsageFlags.cRLSign).toBe(0);
    expect(certOf(caOf('issuer-without-keyusage')).getExtension(x509.KeyUsagesExtension)).toBeNull();
  });

  test('issuingDistributionPoint: scope flags, and the leaf\'s own CDP or another URL', () => {
    const idp = (c: string) => {
      const ext = crlOf(caOf(c)).getExtension(id_ce_issuingDistributionPoint)!;
      expect(ext.critical).toBe(true);
      return AsnConvert.parse(ext.value, IssuingDistributionPoint);
    };
    expect(idp('idp-only-ca-certs')).toMatchObject({ onlyContainsCACerts: true, onlyContainsUserCerts: false });
    expect(idp('idp-only-user-certs')).toMatchObject({ onlyContainsUserCerts: true, onlyContainsCACerts: false });
    expect(idp('idp-only-attribute-certs')).toMatchObject({ onlyContainsAttributeCerts: true });
    const cdp = certOf('server/crl/idp-same-distribution-point').getExtension(x509.CRLDistributionPointsExtension)!;
    const leafUrl = cdp.distributionPoints[0]!.distributionPoint!.fullName![0]!.uniformResourceIdentifier;
    expect(idp('idp-same-distribution-point').distributionPoint!.fullName!.map((n) => n.uniformResourceIdentifier)).toEqual([leafUrl]);
    const other = idp('idp-other-distribution-point').distributionPoint!.fullName!.map((n) => n.uniformResourceIdentifier);
    expect(other).toHaveLength(1);
    expect(other[0]).not.toBe(leafUrl);
  });

  test('a delta CRL beside the complete one releases the hold: named by freshestCRL, in the bundle and the plan', () => {
    const ca = caOf('delta-releases-hold');
    const complete = crlOf(ca);
    expect(complete.entries[0]!.reason).toBe(x509.X509CrlReason.certificateHold);
    expect(complete.getExtension(id_ce_freshestCRL)).not.toBeNull();
    const bundle = pems(readFileSync(store.revocation.serverCrlFile, 'utf8')).map((p) => new x509.X509Crl(p, LARGE));
    const delta = bundle.find((c) => c.issuer === complete.issuer && c.getExtension(id_ce_deltaCRLIndicator))!;
    expect(delta.getExtension(id_ce_deltaCRLIndicator)!.critical).toBe(true);
    expect(delta.entries.map((e) => [e.serialNumber.toUpperCase(), e.reason])).toEqual([[serialOf('server/crl/delta-releases-hold'), x509.X509CrlReason.removeFromCRL]]);
    expect(store.revocation.plan.crls.some((c) => c.ca === `${ca}-delta`)).toBe(true);
  });
});

describe('the suite store around them', () => {
  test('suite certificates name a CDP of the main store\'s responder and no OCSP URL', () => {
    const leaf = certOf('server/crl/not-revoked');
    const url = leaf.getExtension(x509.CRLDistributionPointsExtension)!.distributionPoints[0]!.distributionPoint!.fullName![0]!.uniformResourceIdentifier;
    expect(url).toBe(`http://127.0.0.1:${store.revocation.port}/c/server.crl.not-revoked/crl/${caOf('not-revoked')}.crl`);
    expect(leaf.getExtension(x509.AuthorityInfoAccessExtension)).toBeNull();
  });

  test("the suite's bundles: the default CAs' CRLs first, then every suite CRL, shaped ones included; the default bundles take only the conforming ones", () => {
    const main = readFileSync(join(dir, 'trust', 'server-crl.pem'), 'utf8');
    const suite = readFileSync(store.revocation.serverCrlFile, 'utf8');
    expect(store.revocation.serverCrlFile).toBe(join(dir, 'deep', 'trust', 'server-crl.pem'));
    const shaped = readFileSync(join(dir, 'deep', 'crl', `${caOf('crl-expired')}.crl.pem`), 'utf8');
    const conforming = readFileSync(join(dir, 'deep', 'crl', `${caOf('empty-crl')}.crl.pem`), 'utf8');
    const ownServerCa = readFileSync(join(dir, 'crl', 'server-ca.crl.pem'), 'utf8');
    expect(suite.startsWith(ownServerCa)).toBe(true);
    expect(suite).toContain(shaped);
    expect(suite).toContain(conforming);
    expect(main).toContain(conforming);
    expect(main).not.toContain(shaped);
    // The CA file with CRLs for OpenSSL servers: the anchor, then the same CRLs.
    expect(readFileSync(join(dir, 'deep', 'trust', 'server-ca-with-crls.pem'), 'utf8')).toBe(store.certs.get('server-ca')!.certPem + suite);
  });

  test('the responder plan serves both stores\' CRLs and knows the suite certificates (a fetch is attributed to its case)', () => {
    const plan = store.revocation.plan;
    expect(plan.crls.some((c) => c.ca === 'server-ca')).toBe(true);
    expect(plan.crls.some((c) => c.ca === caOf('crl-foreign-key'))).toBe(true);
    expect(plan.issued.find((i) => i.name === 'server/crl/leaf-revoked')).toMatchObject({ issuer: caOf('leaf-revoked'), revoked: true });
    expect(new Set(plan.issued.map((i) => i.name)).size).toBe(plan.issued.length);
    // No OCSP for the suite's CAs: the plan's CAs are the main store's.
    expect(plan.cas.some((c) => c.name.includes('-case-crl-'))).toBe(false);
  });

  test("a run for the other side writes that side's bundles and keeps this side's as they were", async () => {
    const serverBefore = readFileSync(join(dir, 'deep', 'trust', 'server-crl.pem'), 'utf8');
    const clientChains = caseChains('deep').filter((n) => n.name === 'client/crl/leaf-revoked');
    const other = await prepareSuiteCerts(dir, loadProfile('intermediate').profile, caseChains(), 'deep', clientChains);
    expect(readFileSync(join(dir, 'deep', 'trust', 'server-crl.pem'), 'utf8')).toBe(serverBefore);
    const client = readFileSync(other.revocation.clientCrlFile, 'utf8');
    expect(client).toContain(readFileSync(join(dir, 'deep', 'crl', 'client-case-crl-leaf-revoked-ca1.crl.pem'), 'utf8'));
    expect(client.startsWith(readFileSync(join(dir, 'crl', 'client-ca.crl.pem'), 'utf8'))).toBe(true);
  }, 60_000);

  test('a warm run re-signs nothing', async () => {
    const before = readFileSync(join(dir, 'deep', 'crl', `${caOf('crl-not-yet-valid')}.crl`));
    const again = await prepareSuiteCerts(dir, loadProfile('intermediate').profile, caseChains(), 'deep', crlChains());
    expect(again.generated).toEqual([]);
    expect(readFileSync(join(dir, 'deep', 'crl', `${caOf('crl-not-yet-valid')}.crl`))).toEqual(before);
  }, 60_000);
});
