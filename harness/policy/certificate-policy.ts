import type { Profile } from '../profile/schema.js';
import type { Role } from '../model.js';
import { dnMatches, identityMatches } from '../profile/identity-pattern.js';

import type { CertificateFacts } from './certificate-facts.js';

export { certificateFacts, type CertificateFacts } from './certificate-facts.js';

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

export type RuleName = 'eku' | 'key-strength' | 'signature-algorithm' | 'validity-period' | 'not-expired' | 'renewal-window' | 'identity' | 'end-entity';

type Rule = (facts: CertificateFacts, role: Role, profile: Profile, opts: { strictEku?: boolean; now?: number }) => Finding | null;

const DAY_MS = 86_400_000;
const days = (ms: number): number => Math.floor(ms / DAY_MS);

/** One function per rule, so a case can check exactly the property it names. */
export const RULES: Record<RuleName, Rule> = {
  eku: (facts, role, profile, opts) => {
    const policy = profile.certificates[role];
    // RFC 5280 §4.2.1.12: a present EKU restricts the key to the listed purposes.
    const rule = opts.strictEku && policy.eku === 'any' ? 'required' : policy.eku;
    const want = EKU_FOR[role];
    const list = facts.eku?.map((o) => EKU_NAME[o] ?? o).join(', ') ?? 'none';
    if (rule === 'any' && facts.eku && !facts.eku.includes(want) && !facts.eku.includes('2.5.29.37.0')) {
      return { rule: `certificates.${role}.eku`, message: `EKU ${list} does not allow ${EKU_NAME[want]} (RFC 5280 §4.2.1.12)` };
    }
    if (rule === 'required' && !facts.eku?.includes(want)) return { rule: `certificates.${role}.eku`, message: `EKU ${list}; the profile requires ${EKU_NAME[want]}` };
    if (rule === 'exclusive' && !(facts.eku?.length === 1 && facts.eku[0] === want)) {
      return { rule: `certificates.${role}.eku`, message: `EKU ${list}; the profile requires ${EKU_NAME[want]} only` };
    }
    return null;
  },
  'key-strength': (facts, role, profile) => {
    const policy = profile.certificates[role];
    if (facts.keyType === 'rsa' && facts.keyBits < policy.minRsaBits) return { rule: `certificates.${role}.minRsaBits`, message: `RSA ${facts.keyBits} bits; the profile requires ≥ ${policy.minRsaBits}` };
    if (facts.keyType === 'ec' && facts.keyBits < policy.minEcBits) {
      return { rule: `certificates.${role}.minEcBits`, message: facts.keyBits === 0 ? `EC key on a curve the harness cannot size; the profile requires a NIST curve of ≥ ${policy.minEcBits} bits` : `EC ${facts.keyBits} bits; the profile requires ≥ ${policy.minEcBits}` };
    }
    if (facts.keyType === 'other') return { rule: `certificates.${role}.minRsaBits`, message: 'a key type other than RSA, EC or Ed25519 (e.g. DSA); the profile allows none of those' };
    return null;
  },
  'signature-algorithm': (facts, role, profile) =>
    (profile.certificates[role].forbiddenSignatureHashes as string[]).includes(facts.signatureHash)
      ? { rule: `certificates.${role}.forbiddenSignatureHashes`, message: `signed with ${facts.signatureHash.toUpperCase()}, which the profile forbids` }
      : null,
  'validity-period': (facts, role, profile) => {
    const max = profile.certificates[role].maxValidityDays;
    const period = days(facts.notAfter.getTime() - facts.notBefore.getTime());
    return max !== null && period > max ? { rule: `certificates.${role}.maxValidityDays`, message: `valid for ${period} days; the profile allows at most ${max}` } : null;
  },
  'not-expired': (facts, _role, _profile, opts) => {
    const now = opts.now ?? Date.now();
    if (facts.notAfter.getTime() < now) return { rule: 'RFC 5280 §4.1.2.5', message: `expired on ${facts.notAfter.toISOString()}` };
    if (facts.notBefore.getTime() > now) return { rule: 'RFC 5280 §4.1.2.5', message: `not valid before ${facts.notBefore.toISOString()}` };
    return null;
  },
  'renewal-window': (facts, role, profile, opts) => {
    const min = profile.certificates[role].minRemainingDays;
    const left = days(facts.notAfter.getTime() - (opts.now ?? Date.now()));
    return left < min ? { rule: `certificates.${role}.minRemainingDays`, message: `${left} days left before expiry; the profile requires renewal at least ${min} days before` } : null;
  },
  // RFC 5280 §4.2.1.9: cA TRUE means the key may verify certificate signatures; a certificate a peer
  // presents as its own is an end entity, and CA/B Forum BR §7.1.2.3 requires cA FALSE there. A
  // self-signed `openssl req -x509` certificate sets cA TRUE: whoever holds its key can issue for any name.
  'end-entity': (facts, role) =>
    facts.ca ? { rule: 'RFC 5280 §4.2.1.9', message: `basicConstraints cA TRUE on a certificate presented as a ${role} certificate: an end-entity certificate must not be a CA (CA/B Forum BR §7.1.2.3)` } : null,
  identity: (facts, role, profile) => {
    if (role !== 'client' || !profile.clientIdentity) return null;
    const { match, pattern } = profile.clientIdentity;
    const values = match === 'cn' ? [facts.commonName ?? ''] : match === 'dn' ? [facts.subject] : facts.sanUris;
    // RE2 (linear time): a profile's pattern cannot spin the CPU on a hostile certificate's name.
    // A DN is compared in normal form: `CN=a,O=x` and `cn=a, o=x` are the subject `CN=a, O=x`.
    return values.some((v) => (match === 'dn' ? dnMatches(pattern, v) : identityMatches(pattern, v))) ? null : { rule: 'clientIdentity', message: `${match} ${JSON.stringify(values.join(' | '))} does not match /${pattern}/` };
  },
};

/** The rules a reference server enforces before it lets a client in. */
const ADMISSION: RuleName[] = ['eku', 'key-strength', 'signature-algorithm', 'identity'];

/**
 * Findings for a certificate presented in `role` under the profile. `strictEku` makes the
 * EKU rule at least "required" (what builtin:strict enforces whatever the profile says).
 */
export function checkCertificate(facts: CertificateFacts, role: Role, profile: Profile, opts: { strictEku?: boolean; rules?: RuleName[]; now?: number } = {}): Finding[] {
  return (opts.rules ?? ADMISSION).map((r) => RULES[r](facts, role, profile, opts)).filter((f): f is Finding => f !== null);
}
