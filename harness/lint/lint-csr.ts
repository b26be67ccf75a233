import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { CertificateFacts } from '../policy/certificate-policy.js';
import type { Role } from '../model.js';
import { failed, notChecked, passed, type LintCheck } from './check.js';
import { ruleApplies, ruleCheck } from './rule-check.js';
import type { LintContext } from './lint-certificate.js';
import { ROLES, acrossRoles } from './across-roles.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** Checks of one PKCS#10 certificate signing request (RFC 2986) against the profile. */

export interface CsrFacts {
  subject: string;
  commonName: string | null;
  /** Requested subjectAltName entries (extensionRequest, RFC 2985 §5.4.2). */
  sanDns: string[];
  sanIps: string[];
  sanUris: string[];
  /** Requested EKU OIDs; null when none is requested. */
  eku: string[] | null;
  keyType: CertificateFacts['keyType'];
  keyBits: number;
  signatureHash: string;
}

export function csrFacts(csr: x509.Pkcs10CertificateRequest): CsrFacts {
  // Pkcs10CertificateRequest.getExtension takes an OID only; the parsed extensions are typed.
  const san = csr.extensions.find((e): e is x509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension);
  const eku = csr.extensions.find((e): e is x509.ExtendedKeyUsageExtension => e instanceof x509.ExtendedKeyUsageExtension);
  const names = san ? san.names.items : [];
  const alg = csr.publicKey.algorithm as { name: string; modulusLength?: number; namedCurve?: string };
  // Same key classification as certificateFacts, so one threshold reads both the same way.
  const keyType = alg.name.startsWith('RSA') ? 'rsa' : alg.name === 'ECDSA' || alg.name === 'ECDH' ? 'ec' : alg.name === 'Ed25519' ? 'ed25519' : 'other';
  const keyBits = keyType === 'rsa' ? (alg.modulusLength ?? 0) : keyType === 'ec' ? Number((alg.namedCurve ?? 'P-0').slice(2)) : keyType === 'ed25519' ? 256 : 0;
  const sigAlg = csr.signatureAlgorithm as { hash?: { name: string } };
  return {
    subject: csr.subject,
    commonName: csr.subjectName.getField('CN')[0] ?? null,
    sanDns: names.filter((n) => n.type === 'dns').map((n) => n.value),
    sanIps: names.filter((n) => n.type === 'ip').map((n) => n.value),
    sanUris: names.filter((n) => n.type === 'url').map((n) => n.value),
    eku: eku ? eku.usages.map(String) : null,
    keyType,
    keyBits,
    signatureHash: (sigAlg.hash?.name ?? 'unknown').toLowerCase().replace('-', ''),
  };
}

/**
 * The certificate policy's key-strength and identity rules read only the key and the names, which
 * a CSR has as a certificate does; the validity fields are placeholders the rules never read here.
 */
function asCertificateFacts(f: CsrFacts, now: number): CertificateFacts {
  return { subject: f.subject, commonName: f.commonName, sanUris: f.sanUris, eku: f.eku, keyType: f.keyType, keyBits: f.keyBits, signatureHash: f.signatureHash, notBefore: new Date(now), notAfter: new Date(now), ca: false };
}

async function signatureCheck(csr: x509.Pkcs10CertificateRequest): Promise<LintCheck> {
  // RFC 2986 §4.2 / §3: the request is signed with the subject's own key, proving possession of it.
  let ok: boolean;
  let why = 'the request was altered after signing, or signed with another key';
  try {
    ok = await csr.verify();
  } catch (err) {
    ok = false;
    why = (err as Error).message.split('\n')[0]!;
  }
  return ok
    ? passed('csr-signature', 'RFC 2986 §4.2', 'the self-signature verifies with the requested public key')
    : failed('csr-signature', 'RFC 2986 §4.2', `the self-signature does not verify with the requested public key: ${why}`);
}

function subjectCheck(csr: x509.Pkcs10CertificateRequest, required: string[]): LintCheck {
  // Present but empty counts as missing: the policy asks for the attribute to be populated.
  const missing = required.filter((a) => !csr.subjectName.getField(a).some((v) => v.trim() !== ''));
  const rule = 'csr.requiredSubjectAttributes';
  return missing.length === 0
    ? passed('subject-attributes', rule, `subject ${JSON.stringify(csr.subject)} carries ${required.join(', ')}`)
    : failed('subject-attributes', rule, `subject ${JSON.stringify(csr.subject)} lacks ${missing.join(', ')}; the profile requires ${required.join(', ')}`);
}

function cnEqualsHostCheck(facts: CsrFacts, host: string): LintCheck {
  // Host names compare case-insensitively (RFC 4343 §3); anything else must be exact: no wildcard, no suffix.
  const ok = facts.commonName !== null && facts.commonName.toLowerCase() === host.toLowerCase();
  const cn = facts.commonName === null ? 'no CN' : `CN ${JSON.stringify(facts.commonName)}`;
  return ok
    ? passed('cn-equals-host', 'csr.cnMustEqualHost', `${cn} equals --host ${JSON.stringify(host)}`)
    : failed('cn-equals-host', 'csr.cnMustEqualHost', `${cn} does not equal --host ${JSON.stringify(host)}; the profile requires the CN to be exactly the host name`);
}

/**
 * RFC 6125 §6.4.4: clients look for the host in subjectAltName. A CA usually copies the requested
 * SANs; one that does not add the host leaves a certificate clients refuse. Advice: some CAs add it.
 */
function sanIncludesHostCheck(facts: CsrFacts, host: string): LintCheck {
  const name = host.replace(/^\[|\]$/g, '');
  const ok = facts.sanDns.some((d) => d.toLowerCase() === name.toLowerCase()) || facts.sanIps.includes(name);
  const sans = [...facts.sanDns.map((d) => `DNS:${d}`), ...facts.sanIps.map((i) => `IP:${i}`)].join(', ') || 'none';
  return ok
    ? passed('san-includes-host', 'RFC 6125 §6.4.4', `requested subjectAltName names ${JSON.stringify(host)}`, 'recommended')
    : failed('san-includes-host', 'RFC 6125 §6.4.4', `requested subjectAltName (${sans}) does not name ${JSON.stringify(host)}; unless the CA adds it, clients will refuse the certificate`, 'recommended');
}

/**
 * `role` null: the CSR requests no EKU that names its role and no --role was given. Every check that
 * needs neither the role nor --host runs; a role-dependent check is made for both roles, and is
 * reported as not checked, naming --role, only where the roles disagree.
 */
export async function lintCsr(csr: x509.Pkcs10CertificateRequest, role: Role | null, ctx: LintContext): Promise<LintCheck[]> {
  const facts = csrFacts(csr);
  const asCert = asCertificateFacts(facts, ctx.now);
  const checks: LintCheck[] = [await signatureCheck(csr), subjectCheck(csr, ctx.profile.csr.requiredSubjectAttributes)];
  if (ctx.profile.csr.cnMustEqualHost) {
    checks.push(
      ctx.host !== undefined
        ? cnEqualsHostCheck(facts, ctx.host)
        : notChecked('cn-equals-host', 'csr.cnMustEqualHost', 'not checked: the profile requires the CN to equal the host name; pass --host NAME, the name clients will connect to'),
    );
  }
  const roleChecks = (r: Role): [string, LintCheck | null][] => [
    ['key-strength', ruleCheck('key-strength', asCert, r, ctx.profile, ctx.now)],
    ['identity', ruleApplies('identity', r, ctx.profile) ? ruleCheck('identity', asCert, r, ctx.profile, ctx.now) : null],
    ...(ctx.host !== undefined ? [['san-includes-host', r === 'server' ? sanIncludesHostCheck(facts, ctx.host) : null] as [string, LintCheck | null]] : []),
  ];
  if (role !== null) {
    checks.push(...roleChecks(role).flatMap(([, c]) => (c ? [c] : [])));
    return checks;
  }
  // No role: each role-dependent check is made for both roles; where they disagree it is not checked, naming --role.
  const perRole = ROLES.map((r) => [r, roleChecks(r)] as const);
  for (const [i, [name]] of perRole[0]![1].entries()) {
    const row = acrossRoles(name, perRole.map(([r, rows]) => [r, rows[i]![1]]));
    if (row) checks.push(row);
  }
  return checks;
}
