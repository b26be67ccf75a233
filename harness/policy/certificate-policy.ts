import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Profile } from '../profile/schema.js';
import type { Role } from '../model.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/**
 * Checks of one certificate against the profile's rules for a role. Pure: a certificate and a
 * profile in, findings out. Used by the reference servers and, later, by lint and the
 * server/certificate cases.
 */

export interface Finding {
  rule: string;
  message: string;
}

const EKU_FOR: Record<Role, string> = {
  // The certificate a target *server* presents is a server certificate, and vice versa.
  server: '1.3.6.1.5.5.7.3.1',
  client: '1.3.6.1.5.5.7.3.2',
};
const EKU_NAME: Record<string, string> = { '1.3.6.1.5.5.7.3.1': 'serverAuth', '1.3.6.1.5.5.7.3.2': 'clientAuth' };

export interface CertificateFacts {
  subject: string;
  commonName: string | null;
  sanUris: string[];
  eku: string[] | null;
  keyType: 'rsa' | 'ec' | 'ed25519' | 'other';
  keyBits: number;
  signatureHash: string;
  notBefore: Date;
  notAfter: Date;
}

export function certificateFacts(der: Uint8Array | string): CertificateFacts {
  const cert = new x509.X509Certificate(der as unknown as string);
  const ekuExt = cert.getExtension(x509.ExtendedKeyUsageExtension);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const alg = cert.publicKey.algorithm as { name: string; modulusLength?: number; namedCurve?: string };
  const keyType = alg.name.startsWith('RSA') ? 'rsa' : alg.name === 'ECDSA' || alg.name === 'ECDH' ? 'ec' : alg.name === 'Ed25519' ? 'ed25519' : 'other';
  const keyBits = keyType === 'rsa' ? (alg.modulusLength ?? 0) : keyType === 'ec' ? Number((alg.namedCurve ?? 'P-0').slice(2)) : keyType === 'ed25519' ? 256 : 0;
  const sigAlg = cert.signatureAlgorithm as { hash?: { name: string } };
  return {
    subject: cert.subject,
    commonName: cert.subjectName.getField('CN')[0] ?? null,
    sanUris: san ? san.names.items.filter((n) => n.type === 'url').map((n) => n.value) : [],
    eku: ekuExt ? ekuExt.usages.map(String) : null,
    keyType,
    keyBits,
    signatureHash: (sigAlg.hash?.name ?? 'unknown').toLowerCase().replace('-', ''),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}

/**
 * Findings for a certificate presented in `role` under the profile. `strictEku` makes the
 * EKU rule at least "required" (what builtin:strict enforces whatever the profile says).
 */
export function checkCertificate(facts: CertificateFacts, role: Role, profile: Profile, opts: { strictEku?: boolean } = {}): Finding[] {
  const policy = profile.certificates[role];
  const out: Finding[] = [];
  const ekuRule = opts.strictEku && policy.eku === 'any' ? 'required' : policy.eku;
  const want = EKU_FOR[role];
  const ekuList = facts.eku?.map((o) => EKU_NAME[o] ?? o).join(', ') ?? 'none';
  if (ekuRule === 'required' && !facts.eku?.includes(want)) {
    out.push({ rule: `certificates.${role}.eku`, message: `EKU ${ekuList}; the profile requires ${EKU_NAME[want]}` });
  }
  if (ekuRule === 'exclusive' && !(facts.eku?.length === 1 && facts.eku[0] === want)) {
    out.push({ rule: `certificates.${role}.eku`, message: `EKU ${ekuList}; the profile requires ${EKU_NAME[want]} only` });
  }
  if (facts.keyType === 'rsa' && facts.keyBits < policy.minRsaBits) {
    out.push({ rule: `certificates.${role}.minRsaBits`, message: `RSA ${facts.keyBits} bits; the profile requires ≥ ${policy.minRsaBits}` });
  }
  if (facts.keyType === 'ec' && facts.keyBits < policy.minEcBits) {
    out.push({ rule: `certificates.${role}.minEcBits`, message: `EC ${facts.keyBits} bits; the profile requires ≥ ${policy.minEcBits}` });
  }
  if ((policy.forbiddenSignatureHashes as string[]).includes(facts.signatureHash)) {
    out.push({ rule: `certificates.${role}.forbiddenSignatureHashes`, message: `signed with ${facts.signatureHash.toUpperCase()}, which the profile forbids` });
  }
  if (role === 'client' && profile.clientIdentity) {
    const { match, pattern } = profile.clientIdentity;
    const re = new RegExp(pattern);
    const values = match === 'cn' ? [facts.commonName ?? ''] : match === 'dn' ? [facts.subject] : facts.sanUris;
    if (!values.some((v) => re.test(v))) {
      out.push({ rule: 'clientIdentity', message: `${match} ${JSON.stringify(values.join(' | '))} does not match /${pattern}/` });
    }
  }
  return out;
}
