import { RULES, type CertificateFacts, type RuleName } from '../policy/certificate-policy.js';
import type { Profile } from '../profile/schema.js';
import type { Role, Severity } from '../model.js';
import { fromFinding, type LintCheck } from './check.js';

/**
 * The certificate policy's RULES as lint checks. The rule decides; this only adds what a passing
 * check shows (the rule it enforced and the value it saw), so lint and the reference servers
 * cannot disagree on a threshold.
 */

const DAY_MS = 86_400_000;
const EKU_NAMES: Record<string, string> = { '1.3.6.1.5.5.7.3.1': 'serverAuth', '1.3.6.1.5.5.7.3.2': 'clientAuth', '2.5.29.37.0': 'anyExtendedKeyUsage' };

export function ekuNames(eku: string[] | null): string {
  return eku ? eku.map((o) => EKU_NAMES[o] ?? o).join(', ') || 'empty' : 'none';
}

function keyDescription(facts: CertificateFacts): string {
  if (facts.keyType === 'rsa') return `RSA ${facts.keyBits} bits`;
  if (facts.keyType === 'ec') return `EC ${facts.keyBits} bits`;
  return facts.keyType === 'ed25519' ? 'Ed25519' : 'a key of an unknown type';
}

/** What a passing check enforced and saw; the rule names match the ones RULES report on failure. */
function whenPassed(name: RuleName, facts: CertificateFacts, role: Role, profile: Profile, now: number): { rule: string; message: string } {
  const p = profile.certificates[role];
  switch (name) {
    case 'eku':
      return { rule: `certificates.${role}.eku`, message: `EKU ${ekuNames(facts.eku)}; the profile rule is "${p.eku}"` };
    case 'key-strength':
      if (facts.keyType === 'rsa') return { rule: `certificates.${role}.minRsaBits`, message: `RSA ${facts.keyBits} bits; the profile requires ≥ ${p.minRsaBits}` };
      if (facts.keyType === 'ec') return { rule: `certificates.${role}.minEcBits`, message: `EC ${facts.keyBits} bits; the profile requires ≥ ${p.minEcBits}` };
      return { rule: `certificates.${role}.minEcBits`, message: `${keyDescription(facts)}; the profile sets no size for it` };
    case 'signature-algorithm':
      return {
        rule: `certificates.${role}.forbiddenSignatureHashes`,
        message: `signed with ${facts.signatureHash.toUpperCase()}; the profile forbids ${p.forbiddenSignatureHashes.map((h) => h.toUpperCase()).join(', ') || 'none'}`,
      };
    case 'validity-period': {
      const period = Math.floor((facts.notAfter.getTime() - facts.notBefore.getTime()) / DAY_MS);
      return { rule: `certificates.${role}.maxValidityDays`, message: `valid for ${period} days; ${p.maxValidityDays === null ? 'the profile sets no maximum' : `the profile allows at most ${p.maxValidityDays}`}` };
    }
    case 'not-expired':
      return { rule: 'RFC 5280 §4.1.2.5', message: `valid from ${facts.notBefore.toISOString()} until ${facts.notAfter.toISOString()}` };
    case 'renewal-window': {
      const left = Math.floor((facts.notAfter.getTime() - now) / DAY_MS);
      return { rule: `certificates.${role}.minRemainingDays`, message: `${left} days left before expiry; the profile requires renewal at least ${p.minRemainingDays} days before` };
    }
    case 'end-entity':
      return { rule: 'RFC 5280 §4.2.1.9', message: 'basicConstraints cA FALSE or absent: an end-entity certificate' };
    case 'identity': {
      const id = profile.clientIdentity!;
      const value = id.match === 'cn' ? (facts.commonName ?? '') : id.match === 'dn' ? facts.subject : facts.sanUris.join(' | ');
      return { rule: 'clientIdentity', message: `${id.match} ${JSON.stringify(value)} matches /${id.pattern}/` };
    }
  }
}

/** Whether a rule says anything about this object at all; an inapplicable rule is not a row. */
export function ruleApplies(name: RuleName, role: Role, profile: Profile): boolean {
  return name !== 'identity' || (role === 'client' && profile.clientIdentity !== null);
}

export function ruleCheck(name: RuleName, facts: CertificateFacts, role: Role, profile: Profile, now: number, severity: Severity = 'required'): LintCheck {
  const finding = RULES[name](facts, role, profile, { now });
  return fromFinding(name, finding, whenPassed(name, facts, role, profile, now), severity);
}
