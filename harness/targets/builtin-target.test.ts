import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { generate, type Material } from '../../certs/generate.js';
import { leafDefaults } from '../../certs/matrix.js';
import { caSpec } from '../../certs/spec.js';
import { certificateFacts, checkCertificate } from '../policy/certificate-policy.js';
import { loadProfile } from '../profile/load.js';
import { profileSchema, type Profile } from '../profile/schema.js';
import { builtinServerCert } from './builtin-target.js';

// The embedded server's own certificate must meet the profile it runs under: it is the reference.
const DAY = 86_400_000;
let ca: Material;
let stored: Material;
beforeAll(async () => {
  ca = await generate(caSpec({ name: 'server-ca', issuer: 'self', subject: 'CN=builtin test server CA' }));
  // The store's target certificate: EC P-256, 365 days (certs/spec.ts defaults).
  stored = await generate({ ...leafDefaults('server'), name: 'server', issuer: 'server-ca' }, ca);
});
const ctxFor = (profile: Profile) => ({ profile, cert: (name: string) => ({ ...(name === 'server-ca' ? ca : stored) }) });
const server = (certificates: Record<string, unknown>): Profile => profileSchema.parse({ name: 'own-cert', certificates: { server: certificates } });

/** Every rule of the server/certificate cases that a certificate can break by itself. */
function findings(pem: string, profile: Profile): string[] {
  const facts = certificateFacts(new X509Certificate(pem).raw);
  return checkCertificate(facts, 'server', profile, { rules: ['key-strength', 'validity-period', 'renewal-window', 'signature-algorithm', 'eku', 'not-expired', 'end-entity'] }).map((f) => f.message);
}

describe('builtin target certificate', () => {
  test('under a built-in profile: the store\'s own target certificate', async () => {
    const own = await builtinServerCert(ctxFor(loadProfile('intermediate').profile));
    expect(own.certPem).toBe(stored.certPem);
  });

  test.each([
    [{ maxValidityDays: 90, minRemainingDays: 30 }, 'prime256v1', 90],
    [{ minEcBits: 384 }, 'secp384r1', 365],
    [{ maxValidityDays: 1, minEcBits: 384, eku: 'exclusive' }, 'secp384r1', 1],
  ])('%j: issued to fit (%s, %i days), meeting every certificate rule, under the store\'s server CA', async (rules, curve, days) => {
    const profile = server(rules);
    expect(findings(stored.certPem, profile)).not.toEqual([]);
    const own = await builtinServerCert(ctxFor(profile));
    expect(findings(own.certPem, profile)).toEqual([]);
    const cert = new X509Certificate(own.certPem);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe(curve);
    expect(Math.round((cert.validToDate.getTime() - cert.validFromDate.getTime()) / DAY)).toBe(days);
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  test('above P-384 (the store has no P-521 key): Ed25519, which the key-strength rule allows', async () => {
    const profile = server({ minEcBits: 521 });
    const own = await builtinServerCert(ctxFor(profile));
    expect(new X509Certificate(own.certPem).publicKey.asymmetricKeyType).toBe('ed25519');
    expect(findings(own.certPem, profile)).toEqual([]);
  });
});
