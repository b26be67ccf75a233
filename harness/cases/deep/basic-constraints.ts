import type { Role } from '../../model.js';
import type { CaseEntry } from '../define.js';
import { cas, ekuListed, entry, holder, must, decideByRules, should, type Family } from './kit.js';

/**
 * basic-constraints: who may issue (RFC 5280 §4.2.1.9, §6.1.4 (k)) and what a leaf may claim.
 * limbo rfc5280::intermediate-ca-missing-basic-constraints, webpki::ee-basicconstraints-ca, webpki::ca-as-leaf.
 * Where RFC 5280 and the Web PKI disagree (criticality, a CA as the peer), certificates.rules chooses.
 */
const basicConstraints: Family = (role: Role): CaseEntry[] => {
  const h = holder(role);
  const out: CaseEntry[] = [];
  for (const depth of [1, 2]) {
    out.push(
      entry({
        name: `ca${depth}-absent`,
        title: `A ${h} chain whose intermediate ${depth} of 2 has no basicConstraints is refused`,
        chain: { intermediates: cas(2, { [depth]: { ca: null, pathLength: undefined, keyCertSign: true } }) },
        refs: ['RFC 5280 §6.1.4 (k)', 'limbo rfc5280::intermediate-ca-missing-basic-constraints'],
        policy: must('reject', 'RFC 5280 §6.1.4 (k): a certificate without basicConstraints cA=TRUE cannot issue, at any depth.'),
      }),
      entry({
        name: `ca${depth}-ca-false`,
        title: `A ${h} chain whose intermediate ${depth} of 2 has cA=FALSE is refused`,
        chain: { intermediates: cas(2, { [depth]: { ca: false, pathLength: undefined, keyCertSign: true } }) },
        refs: ['RFC 5280 §6.1.4 (k)', 'limbo rfc5280::intermediate-ca-without-ca-bit'],
        policy: must('reject', 'RFC 5280 §6.1.4 (k): cA=FALSE means not a CA.'),
      }),
      entry({
        name: `ca${depth}-non-critical`,
        title: `A ${h} chain whose intermediate ${depth} of 2 marks basicConstraints non-critical is accepted`,
        chain: { intermediates: cas(2, { [depth]: { basicConstraintsCritical: false } }) },
        refs: ['RFC 5280 §4.2.1.9', 'RFC 5280 §6.1.4 (k)', 'NIST PKITS 4.6.4', 'CA/B BR §7.1.2.6.1'],
        policy: decideByRules({
          rfc5280: { expect: 'accept', why: 'path validation (§6.1.4 (k)) reads only cA; criticality is the issuer\'s duty (§4.2.1.9 "MUST mark it critical"), and PKITS 4.6.4 "Valid basicConstraints Not Critical" is a valid path (limbo, reading the MUST as the validator\'s, refuses it at the root).' },
          webpki: { expect: 'reject', why: 'a subordinate CA\'s basicConstraints MUST be critical (CA/B BR §7.1.2.6.1).' },
          either: 'rfc5280',
        }),
      }),
    );
  }
  out.push(
    entry({
      name: 'leaf-ca-true',
      title: `A ${h} that is itself marked cA=TRUE`,
      chain: { intermediates: cas(1), leaf: { ca: true, pathLength: undefined } },
      refs: ['RFC 5280 §4.2.1.9', 'CA/B BR §7.1.2.7.8', 'limbo webpki::ee-basicconstraints-ca'],
      policy: decideByRules({
        rfc5280: { expect: 'accept', why: 'path validation (§6) puts no condition on the target certificate\'s cA; §4.2.1.9 ties only keyCertSign to cA, not the other way round.' },
        webpki: { expect: 'reject', why: 'a subscriber certificate\'s cA MUST be FALSE (CA/B BR §7.1.2.7.8).' },
        either: 'webpki',
      }),
    }),
    entry({
      name: 'ca-as-leaf',
      title: `A CA certificate (cA=TRUE, keyCertSign, no EKU) presented as the ${h}`,
      chain: { leaf: { ca: true, keyCertSign: true, eku: null } },
      refs: ['limbo webpki::ca-as-leaf', 'limbo rfc5280::ca-as-leaf', 'RFC 5280 §4.2.1.3', 'CA/B BR §7.1.2.7.8', 'CA/B BR §7.1.2.7.11'],
      policy: decideByRules({
        rfc5280: { expect: 'accept', why: 'it makes no stipulation about a CA certificate in the leaf position (limbo rfc5280::ca-as-leaf succeeds).' },
        webpki: { expect: 'reject', why: 'a subscriber certificate has cA FALSE (CA/B BR §7.1.2.7.8), no keyCertSign (§7.1.2.7.11) and an EKU (§7.1.2.7.6).' },
        either: 'webpki',
        profileRule: ekuListed(role, 'this certificate has no EKU'),
      }),
    }),
    entry({
      name: 'leaf-ca-false-critical',
      title: `A ${h} with a critical basicConstraints cA=FALSE is accepted`,
      chain: { intermediates: cas(1), leaf: { ca: false, basicConstraintsCritical: true } },
      refs: ['RFC 5280 §4.2.1.9'],
      policy: must('accept', 'An end entity may carry basicConstraints with cA=FALSE, critical or not (RFC 5280 §4.2.1.9).'),
    }),
    entry({
      name: 'leaf-no-basic-constraints',
      title: `A ${h} without basicConstraints is accepted`,
      chain: { intermediates: cas(1), leaf: { ca: null } },
      refs: ['RFC 5280 §4.2.1.9'],
      policy: should('accept', 'RFC 5280 §4.2.1.9: the extension MAY appear in end entity certificates; its absence means not a CA.'),
    }),
  );
  return out;
};
export default basicConstraints;
