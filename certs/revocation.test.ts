import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { NameConstraints } from '@peculiar/asn1-x509';
import { beforeAll, describe, expect, test } from 'vitest';
import { CRL_RENEW_DAYS, CRL_VALID_DAYS } from './crl-store.js';
import { UNKNOWN_CRITICAL_OID } from './revocation-data.js';
import { ensureCerts, type EnsureResult } from './store.js';
// The certificate set comes from the cases (certs/ itself does not know them).
import { caseChains } from '../harness/cases/catalogue.js';

// The revocation material and the path certificates, parsed back: each varies the one thing it claims.
const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'mtls-revocation-unit-'));
let store: EnsureResult;
beforeAll(async () => {
  store = await ensureCerts(dir, { chains: caseChains() });
});
const cert = (name: string) => new x509.X509Certificate(store.certs.get(name)!.certPem);
const crlOf = (ca: string) => new x509.X509Crl(readFileSync(join(dir, 'crl', `${ca}.crl`)));

describe('CRLs', () => {
  test('each CA that issues has a CRL signed by it, listing exactly its revoked leaves, nextUpdate 400 days out', async () => {
    const crl = crlOf('client-ca');
    expect(await crl.verify({ publicKey: cert('client-ca').publicKey })).toBe(true);
    expect(crl.entries.map((e) => e.serialNumber.toUpperCase())).toEqual([new X509Certificate(store.certs.get('client/revoked')!.certPem).serialNumber]);
    expect(crl.nextUpdate!.getTime() - Date.now()).toBeGreaterThan((CRL_VALID_DAYS - 1) * DAY);
    expect(crlOf('client-intermediate').entries).toEqual([]);
    expect(crlOf('server-ca').findRevoked(cert('server/revoked'))).not.toBeNull();
    expect(crlOf('server-ca').findRevoked(cert('server'))).toBeNull();
  });

  test('the bundles hold one CRL per CA of their hierarchy and nothing of the other', () => {
    const client = readFileSync(store.revocation.clientCrlFile, 'utf8');
    const server = readFileSync(store.revocation.serverCrlFile, 'utf8');
    const issuers = (pem: string) => (pem.match(/-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----/g) ?? []).map((p) => new x509.X509Crl(p).issuer);
    // client-ca, client-intermediate and the path intermediates that are CAs (expired, sub, nc): not
    // client-not-ca nor the one without basicConstraints (a CRL no validator can verify; gnutls refuses the file).
    expect(issuers(client)).toHaveLength(5);
    // The same under server-ca, and must-staple-missing's intermediate (the only client/revocation CA with a current CRL).
    expect(issuers(server)).toHaveLength(6);
    expect(issuers(server).some((i) => i.includes('stale') || i.includes('no-answer') || i.includes('ocsp-'))).toBe(false);
    expect(issuers(client).some((i) => i.includes('server'))).toBe(false);
    expect(issuers(server).some((i) => i.includes('client'))).toBe(false);
  });

  test('a warm run re-signs nothing; a run that finds nextUpdate near re-signs at the same path; the revoked serial survives a renewal', async () => {
    const before = readFileSync(join(dir, 'crl', 'client-ca.crl'));
    const serial = new X509Certificate(store.certs.get('client/revoked')!.certPem).serialNumber;
    const warm = await ensureCerts(dir, { chains: caseChains() });
    expect(warm.generated).toEqual([]);
    expect(readFileSync(join(dir, 'crl', 'client-ca.crl')).equals(before)).toBe(true);

    const later = Date.now() + (CRL_VALID_DAYS - CRL_RENEW_DAYS + 1) * DAY;
    const renewed = await ensureCerts(dir, { chains: caseChains(), now: later });
    const after = new x509.X509Crl(readFileSync(join(dir, 'crl', 'client-ca.crl')));
    expect(after.nextUpdate!.getTime()).toBeGreaterThan(later + (CRL_VALID_DAYS - 1) * DAY);
    // Leaves older than a week are renewed; the revoked one keeps its serial, so a CRL loaded once still names it.
    expect(renewed.generated).toContain('client/revoked');
    expect(new X509Certificate(renewed.certs.get('client/revoked')!.certPem).serialNumber).toBe(serial);
    expect(renewed.revocation.port).toBe(store.revocation.port);
  });
});

describe('certificates name the responder', () => {
  test('matrix leaves (the server certificate too) carry a CDP of their issuer and the OCSP URL at the store port; roots carry neither', () => {
    const port = store.revocation.port;
    const cdp = cert('client/valid-chain').getExtension(x509.CRLDistributionPointsExtension)!;
    // Under a segment of the certificate's own, so the responder's log says whose URL was used.
    expect(cdp.distributionPoints[0]!.distributionPoint!.fullName![0]!.uniformResourceIdentifier).toBe(`http://127.0.0.1:${port}/c/client.valid-chain/crl/client-intermediate.crl`);
    expect(cert('server/revoked').getExtension(x509.AuthorityInfoAccessExtension)!.ocsp[0]!.value).toBe(`http://127.0.0.1:${port}/c/server.revoked/ocsp`);
    expect(cert('server').getExtension(x509.CRLDistributionPointsExtension)).not.toBeNull();
    expect(cert('client-ca').getExtension(x509.CRLDistributionPointsExtension)).toBeNull();
  });
});

describe('path certificates', () => {
  test('expired intermediate: only the intermediate is out of its validity', () => {
    expect(cert('client-intermediate-expired').notAfter.getTime()).toBeLessThan(Date.now());
    expect(cert('client/expired-intermediate').notAfter.getTime()).toBeGreaterThan(Date.now());
  });
  test('intermediate without basicConstraints asserts keyCertSign', () => {
    const c = cert('server-intermediate-no-bc');
    expect(c.getExtension(x509.BasicConstraintsExtension)).toBeNull();
    expect(c.getExtension(x509.KeyUsagesExtension)!.usages & x509.KeyUsageFlags.keyCertSign).toBeTruthy();
  });
  test('path length: the leaf is two CAs below the pathLen 0 intermediate and is sent with both', () => {
    expect(cert('client-intermediate').getExtension(x509.BasicConstraintsExtension)!.pathLength).toBe(0);
    expect(cert('client-intermediate-sub').issuer).toBe(cert('client-intermediate').subject);
    expect(store.certs.get('client/path-length-exceeded')!.chainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
  });
  test('name constraints: critical, permitted DNS, IP and directory name subtrees', () => {
    const ext = cert('server-intermediate-nc').getExtension('2.5.29.30')!;
    expect(ext.critical).toBe(true);
    const nc = AsnConvert.parse(ext.value, NameConstraints);
    const bases = nc.permittedSubtrees!.map((s) => s.base);
    expect(bases.map((b) => b.dNSName).filter(Boolean)).toEqual(['permitted.invalid']);
    expect(bases.filter((b) => b.iPAddress)).toHaveLength(2);
    expect(bases.filter((b) => b.directoryName)).toHaveLength(1);
  });
  test('unknown critical extension: the leaf carries the id-TEST OID, critical', () => {
    const ext = cert('client/unknown-critical-extension').getExtension(UNKNOWN_CRITICAL_OID)!;
    expect(ext.critical).toBe(true);
  });
  test('no-san has CN=127.0.0.1 and no subjectAltName; ip-as-dns has the address as a dNSName only', () => {
    expect(cert('server/no-san').subject).toBe('CN=127.0.0.1, O=mtls-conformance');
    expect(cert('server/no-san').getExtension(x509.SubjectAlternativeNameExtension)).toBeNull();
    expect(cert('server/ip-as-dns').getExtension(x509.SubjectAlternativeNameExtension)!.names.toJSON()).toEqual([{ type: 'dns', value: '127.0.0.1' }]);
  });
});

describe('client/revocation variants, parsed back', () => {
  const stem = 'server-case-revocation';
  // A store of its own: the renewal test above moves the clock of the shared one forward.
  const own = mkdtempSync(join(tmpdir(), 'mtls-revocation-variants-'));
  let store: EnsureResult;
  beforeAll(async () => {
    store = await ensureCerts(own, { chains: caseChains() });
  });
  const cert = (name: string) => new x509.X509Certificate(store.certs.get(name)!.certPem);
  const crlOf = (ca: string) => new x509.X509Crl(readFileSync(join(own, 'crl', `${ca}.crl`)));
  test('crl-stale: its CA\'s CRL has nextUpdate in the past, verifies, and is only in the case\'s own file', async () => {
    const crl = crlOf(`${stem}-crl-stale-ca1`);
    expect(crl.nextUpdate!.getTime()).toBeLessThan(Date.now() - 9 * DAY);
    expect(crl.thisUpdate.getTime()).toBeLessThan(crl.nextUpdate!.getTime());
    expect(await crl.verify({ publicKey: cert(`${stem}-crl-stale-ca1`).publicKey })).toBe(true);
    const own = store.revocation.caseCrlFiles['server/revocation/crl-stale']!;
    expect(readFileSync(own, 'utf8')).toContain(crl.toString('pem').split('\n')[1]!);
    expect(readFileSync(store.revocation.serverCrlFile, 'utf8')).not.toContain(crl.toString('pem').split('\n')[1]!);
    // Only a CDP: no OCSP URL in the leaf.
    expect(cert('server/revocation/crl-stale').getExtension(x509.AuthorityInfoAccessExtension)).toBeNull();
    expect(cert('server/revocation/crl-stale').getExtension(x509.CRLDistributionPointsExtension)).not.toBeNull();
  });

  test('the OCSP-only variants name an OCSP URL and no CDP; crl-no-answer a CDP and no OCSP URL', () => {
    for (const name of ['ocsp-unknown', 'ocsp-bad-signature', 'ocsp-no-answer']) {
      expect(cert(`server/revocation/${name}`).getExtension(x509.CRLDistributionPointsExtension), name).toBeNull();
      expect(cert(`server/revocation/${name}`).getExtension(x509.AuthorityInfoAccessExtension)!.ocsp[0]!.value, name).toMatch(new RegExp(`/c/server\\.revocation\\.${name}/ocsp$`));
    }
    expect(cert('server/revocation/crl-no-answer').getExtension(x509.AuthorityInfoAccessExtension)).toBeNull();
  });

  test('must-staple-missing: the leaf carries the TLS feature extension (RFC 7633) with status_request, non-critical', () => {
    const ext = cert('server/revocation/must-staple-missing').extensions.find((e) => e.type === '1.3.6.1.5.5.7.1.24')!;
    expect(ext.critical).toBe(false);
    expect(Buffer.from(ext.value).toString('hex')).toBe('3003020105');
    expect(cert('server').extensions.find((e) => e.type === '1.3.6.1.5.5.7.1.24')).toBeUndefined();
  });
});
