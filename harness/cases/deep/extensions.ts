import type { Role } from '../../model.js';
import type { CaseEntry } from '../define.js';
import { cas, entry, holder, must, decideByRules, should, type Family } from './kit.js';

/**
 * extensions: unknown critical extensions (RFC 5280 §4.2: MUST reject), certificate policies, a
 * critical SAN beside a subject (RFC 5280 and the Web PKI disagree: certificates.rules chooses).
 * limbo rfc5280::unknown-critical-extension-*, webpki::san::san-critical-with-nonempty-subject.
 */
const extensions: Family = (role: Role): CaseEntry[] => {
  const h = holder(role);
  return [
    entry({ name: 'leaf-unknown-critical', title: `A ${h} with an unknown critical extension is refused`, chain: { intermediates: cas(1), leaf: { unknownCriticalExtension: true } }, refs: ['RFC 5280 §4.2', 'limbo rfc5280::unknown-critical-extension-ee'], policy: must('reject', 'RFC 5280 §4.2: a certificate with a critical extension the validator does not recognise MUST be rejected.') }),
    entry({ name: 'ca1-unknown-critical', title: `A ${h} under an intermediate with an unknown critical extension is refused`, chain: { intermediates: cas(2, { 1: { unknownCriticalExtension: true } }) }, refs: ['RFC 5280 §4.2', 'limbo rfc5280::unknown-critical-extension-intermediate'], policy: must('reject', 'The rule holds for every certificate of the path (RFC 5280 §6.1.4 (o)).') }),
    entry({ name: 'ca2-unknown-critical', title: `A ${h} under a lower intermediate with an unknown critical extension is refused`, chain: { intermediates: cas(2, { 2: { unknownCriticalExtension: true } }) }, refs: ['RFC 5280 §4.2', 'limbo rfc5280::unknown-critical-extension-intermediate'], policy: must('reject', 'The rule holds at every depth.') }),
    entry({ name: 'leaf-policies', title: `A ${h} with certificatePolicies is accepted`, chain: { intermediates: cas(1), leaf: { policies: ['2.23.140.1.2.1'] } }, refs: ['RFC 5280 §4.2.1.4'], policy: must('accept', 'A non-critical policy extension changes nothing when no policy is required.') }),
    entry({ name: 'ca-any-policy', title: `A ${h} under an intermediate with anyPolicy is accepted`, chain: { intermediates: cas(1, { 1: { policies: ['2.5.29.32.0'] } }), leaf: { policies: ['2.23.140.1.2.1'] } }, refs: ['RFC 5280 §4.2.1.4', 'RFC 5280 §6.1.3 (d)'], policy: should('accept', 'anyPolicy on the CA allows the leaf\'s policy.') }),
    entry({ name: 'leaf-san-critical', title: `A ${h} whose subjectAltName is critical beside a non-empty subject`, chain: { intermediates: cas(1), leaf: { sanCritical: true, ...(role === 'server' ? { sans: [{ type: 'dns', value: 'client.mtls-conformance.localhost' }] } : {}) } }, refs: ['RFC 5280 §4.2.1.6', 'CA/B BR §7.1.2.7.12', 'limbo webpki::san::san-critical-with-nonempty-subject'], policy: decideByRules({
        rfc5280: { expect: 'accept', why: 'the SAN SHOULD be non-critical beside a subject (§4.2.1.6), a duty of the issuer; validators know the extension, so nothing is ignored.' },
        webpki: { expect: 'reject', why: 'with a non-empty subject the SAN MUST NOT be critical (CA/B BR §7.1.2.7.12).' },
        either: 'rfc5280',
      }) }),
  ];
};
export default extensions;
