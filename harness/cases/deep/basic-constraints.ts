import type { Profile } from '../../profile/schema.js';
import type { Role } from '../../model.js';
import { info, recommended, type CaseEntry } from '../define.js';
import { cas, entry, holder, must, note, should, type Family } from './kit.js';

/**
 * basic-constraints: who may issue (RFC 5280 §4.2.1.9, §6.1.4 (k)) and what a leaf may claim.
 * limbo rfc5280::intermediate-ca-missing-basic-constraints, webpki::ee-basicconstraints-ca, webpki::ca-as-leaf.
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
        refs: ['RFC 5280 §4.2.1.9', 'limbo webpki::ca-basicconstraints-not-critical'],
        policy: note('accept', 'RFC 5280 §4.2.1.9 says CAs MUST mark it critical, but the validation algorithm (§6.1.4 (k)) only reads cA; the Web PKI rejects it. An encoding defect of the issuer: information.'),
      }),
    );
  }
  out.push(
    entry({
      name: 'leaf-ca-true',
      title: `A ${h} that is itself marked cA=TRUE`,
      chain: { intermediates: cas(1), leaf: { ca: true, pathLength: undefined } },
      refs: ['RFC 5280 §4.2.1.9', 'limbo webpki::ee-basicconstraints-ca'],
      policy: (_p: Profile) => info('reject', 'RFC 5280 lets a CA certificate authenticate a TLS peer; the Web PKI (CA/B BR §7.1.2.7.8) forbids cA=TRUE on a subscriber certificate. Either answer is defensible: information.'),
    }),
    entry({
      name: 'ca-as-leaf',
      title: `A CA certificate (cA=TRUE, keyCertSign, no EKU) presented as the ${h}`,
      chain: { leaf: { ca: true, keyCertSign: true, eku: null } },
      refs: ['limbo webpki::ca-as-leaf', 'RFC 5280 §4.2.1.3'],
      policy: () => info('reject', 'A CA key used to authenticate a TLS peer: RFC 5280 allows it, the Web PKI does not.'),
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
  void recommended;
  return out;
};
export default basicConstraints;
