import 'reflect-metadata';
import { isIP } from 'node:net';
import { webcrypto, type X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { CertificateFacts, RuleName } from '../policy/certificate-policy.js';
import type { Profile } from '../profile/schema.js';
import type { Role } from '../model.js';
import { failed, passed, type LintCheck } from './check.js';
import { ruleApplies, ruleCheck } from './rule-check.js';
import { ROLES, acrossRoles } from './across-roles.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** Checks of one certificate: a leaf against its role's policy, a CA against what applies to a CA. */

export interface LintContext {
  profile: Profile;
  /** The name clients connect to (`--host`), for server certificates and CSRs. */
  host?: string;
  now: number;
}

export interface CertificateLint {
  checks: LintCheck[];
  /** Why some checks were left out or are advisory; shown under the object. */
  note: string | null;
}

const LEAF_RULES: RuleName[] = ['end-entity', 'eku', 'key-strength', 'signature-algorithm', 'validity-period', 'not-expired', 'renewal-window', 'identity'];

/** DNS and IP subjectAltName entries, as written in the certificate. */
function sanNames(cert: X509Certificate): { type: 'dns' | 'ip'; value: string }[] {
  const san = new x509.X509Certificate(cert.raw).getExtension(x509.SubjectAlternativeNameExtension);
  return san ? san.names.items.filter((n) => n.type === 'dns' || n.type === 'ip').map((n) => ({ type: n.type as 'dns' | 'ip', value: n.value })) : [];
}

function listSans(names: { type: string; value: string }[]): string {
  return names.length ? names.map((n) => `${n.type.toUpperCase()}:${n.value}`).join(', ') : 'none';
}

function hostnameCheck(cert: X509Certificate, host: string, profile: Profile): LintCheck {
  // A profile without hostnameMatch still wants to know, but it is advice, not its rule.
  const required = profile.certificates.server.hostnameMatch;
  const rule = required ? 'certificates.server.hostnameMatch' : 'RFC 6125 §6.4.4';
  const name = host.replace(/^\[|\]$/g, '');
  // RFC 6125 §6.4.4 / RFC 9525 §6.3: the name must be in subjectAltName; no fallback to the subject CN.
  const ok = isIP(name) ? cert.checkIP(name) !== undefined : cert.checkHost(name, { subject: 'never' }) !== undefined;
  const sans = listSans(sanNames(cert));
  return ok
    ? passed('hostname', rule, `${JSON.stringify(host)} is named in subjectAltName (${sans})`, required ? 'required' : 'recommended')
    : failed('hostname', rule, `${JSON.stringify(host)} is not named in subjectAltName (${sans}); clients connecting to it will refuse the certificate`, required ? 'required' : 'recommended');
}

/**
 * CA/B Forum BR §7.1.4.2.2: a commonName, if present, repeats one of the subjectAltName names.
 * The Baseline Requirements bind public CAs, not a partner's private PKI, hence advice.
 */
function cnInSanCheck(cert: X509Certificate, facts: CertificateFacts): LintCheck {
  const rule = 'CA/B Forum BR §7.1.4.2.2';
  const names = sanNames(cert);
  const cn = facts.commonName;
  if (cn === null) return passed('cn-in-san', rule, `no CN; subjectAltName ${listSans(names)}`, 'recommended');
  const found = names.some((n) => (n.type === 'dns' ? n.value.toLowerCase() === cn.toLowerCase() : n.value === cn));
  return found
    ? passed('cn-in-san', rule, `CN ${JSON.stringify(cn)} is also in subjectAltName`, 'recommended')
    : failed('cn-in-san', rule, `CN ${JSON.stringify(cn)} is not in subjectAltName (${listSans(names)}); clients match names against subjectAltName only`, 'recommended');
}

/** The leaf checks in `role`, in report order; null where a check does not apply in that role. */
function leafChecks(cert: X509Certificate, facts: CertificateFacts, role: Role, ctx: LintContext, expired: boolean): [string, LintCheck | null][] {
  const rows: [string, LintCheck | null][] = LEAF_RULES
    // An expired certificate has no renewal window left to judge: not-expired already says it.
    .filter((r) => !(r === 'renewal-window' && expired))
    .map((r) => [r, ruleApplies(r, role, ctx.profile) ? ruleCheck(r, facts, role, ctx.profile, ctx.now) : null]);
  if (ctx.host !== undefined) rows.push(['hostname', role === 'server' ? hostnameCheck(cert, ctx.host, ctx.profile) : null]);
  rows.push(['cn-in-san', role === 'server' ? cnInSanCheck(cert, facts) : null]);
  return rows;
}

/**
 * `role` null: no --role and an EKU naming both roles or neither. Each check is made for both
 * roles; where they agree that is the row, where they disagree it is not checked, naming --role.
 */
export function lintLeafCertificate(cert: X509Certificate, facts: CertificateFacts, role: Role | null, ctx: LintContext): CertificateLint {
  const expired = facts.notAfter.getTime() < ctx.now;
  const note = expired ? 'expired: the renewal window is not checked' : null;
  if (role !== null) {
    const checks = leafChecks(cert, facts, role, ctx, expired).flatMap(([, c]) => (c ? [c] : []));
    return { checks, note };
  }
  const perRole = ROLES.map((r) => [r, leafChecks(cert, facts, r, ctx, expired)] as const);
  const checks = perRole[0]![1].flatMap(([name], i) => {
    const row = acrossRoles(name, perRole.map(([r, rows]) => [r, rows[i]![1]]));
    return row ? [row] : [];
  });
  return { checks, note };
}

function selfSigned(cert: X509Certificate): boolean {
  try {
    return cert.checkIssued(cert) && cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

/**
 * A CA certificate in a bundle is not presented for a role: the leaf rules (EKU, key size for the
 * role, validity policy, identity) do not apply to it. Its signature and its validity do.
 * `roles`: the roles whose signature policy applies (the leaves' in the same file, or --role).
 */
export function lintCaCertificate(cert: X509Certificate, facts: CertificateFacts, roles: Role[], ctx: LintContext): CertificateLint {
  const root = selfSigned(cert);
  // RFC 5280 §6.1.1(d): a trust anchor is an input to path validation; its own signature is not verified.
  const sigSeverity = root ? 'recommended' : 'required';
  const signature = acrossRoles('signature-algorithm', roles.map((role) => [role, ruleCheck('signature-algorithm', facts, role, ctx.profile, ctx.now, sigSeverity)]))!;
  const checks = [signature, ruleCheck('not-expired', facts, roles[0]!, ctx.profile, ctx.now)];
  const note = `CA certificate (basicConstraints cA TRUE): only signature-algorithm and not-expired are checked${root ? '; self-signed, so its signature hash is advice (RFC 5280 §6.1.1)' : ''}`;
  return { checks, note };
}
