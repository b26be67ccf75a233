import type { CertVariation } from '../../../certs/chain-spec.js';
import type { Profile } from '../../profile/schema.js';
import type { Role } from '../../model.js';
import { recommended, required, type CaseEntry } from '../define.js';
import { cas, ekuListed, entry, holder, decideByRules, rightEku, wrongEku, type Family } from './kit.js';

/**
 * eku: extendedKeyUsage on the leaf (RFC 5280 §4.2.1.12) and on intermediates (not in RFC 5280;
 * OpenSSL, Go, NSS and Windows chain it). limbo rfc5280::eku::*, webpki::eku::*; BetterTLS
 * pathbuilding BAD_EKU. Where RFC 5280 and the Web PKI disagree (no EKU, anyExtendedKeyUsage, a
 * critical EKU: CA/B BR §7.1.2.7.6, §7.1.2.7.10, §7.1.2.10.6), certificates.rules chooses.
 */
const ANY = '2.5.29.37.0';
const EMAIL = '1.3.6.1.5.5.7.3.4';
const CODE = '1.3.6.1.5.5.7.3.3';

const eku: Family = (role: Role): CaseEntry[] => {
  const h = holder(role);
  const right = rightEku(role);
  const wrong = wrongEku(role);
  const side = role === 'server' ? 'client' : 'server';
  const leafCases: { name: string; what: string; leaf: CertVariation; policy: (p: Profile) => ReturnType<typeof required>; refs?: string[] }[] = [
    { name: 'leaf-wrong-only', what: `EKU ${wrong} only`, leaf: { eku: [wrong] }, policy: () => required('reject', `RFC 5280 §4.2.1.12: the key may be used only for the listed purposes; ${right} is not listed.`) },
    {
      name: 'leaf-both',
      what: `EKU ${right} and ${wrong}`,
      leaf: { eku: [right, wrong] },
      policy: (p) => (p.certificates[side].eku === 'exclusive' ? required('reject', `The profile makes EKU exclusive (certificates.${side}.eku: exclusive).`) : recommended('accept', `${right} is listed; a dual-purpose certificate is common.`)),
    },
    {
      name: 'leaf-absent',
      what: 'no EKU extension',
      leaf: { eku: null },
      refs: ['CA/B BR §7.1.2.7.6', 'limbo webpki::eku::ee-without-eku'],
      policy: decideByRules({
        rfc5280: { expect: 'accept', why: 'without EKU the key is not restricted by purpose (§4.2.1.12).' },
        webpki: { expect: 'reject', why: 'a subscriber certificate MUST carry extKeyUsage (CA/B BR §7.1.2.7.6).' },
        either: (p) => (p.certificates[side].eku === 'any' ? recommended('accept', 'RFC 5280 §4.2.1.12: without EKU the key is not restricted by purpose.') : required('reject', `The profile requires ${right} to be listed (certificates.${side}.eku: ${p.certificates[side].eku}).`)),
        profileRule: ekuListed(role, 'this certificate has no EKU'),
      }),
    },
    {
      name: 'leaf-any-only',
      what: 'anyExtendedKeyUsage only',
      leaf: { eku: null, ekuOids: [ANY] },
      refs: ['CA/B BR §7.1.2.7.10'],
      policy: decideByRules({
        // §4.2.1.12: "Applications that require the presence of a particular purpose MAY reject
        // certificates that include the anyExtendedKeyUsage OID but not the particular OID expected".
        rfc5280: { expect: 'accept', severity: 'recommended', why: `anyExtendedKeyUsage allows every purpose (§4.2.1.12), though an application that needs ${right} MAY refuse it: recommended.` },
        webpki: { expect: 'reject', why: `anyExtendedKeyUsage MUST NOT appear and ${right} MUST (CA/B BR §7.1.2.7.10; limbo pedantic-webpki-eku).` },
        either: 'rfc5280',
        profileRule: ekuListed(role, `anyExtendedKeyUsage does not list ${right}`),
      }),
    },
    {
      name: 'leaf-any-and-right',
      what: `anyExtendedKeyUsage and ${right}`,
      leaf: { eku: [right], ekuOids: [ANY] },
      refs: ['CA/B BR §7.1.2.7.10', 'limbo webpki::eku::ee-anyeku'],
      policy: decideByRules({
        rfc5280: { expect: 'accept', why: `${right} is listed (§4.2.1.12).` },
        webpki: { expect: 'reject', why: 'anyExtendedKeyUsage MUST NOT appear in a subscriber certificate (CA/B BR §7.1.2.7.10; limbo pedantic-webpki-eku).' },
        either: () => recommended('accept', `${right} is listed.`),
        profileRule: (p) => (p.certificates[side].eku === 'exclusive' ? required('reject', `The profile makes EKU exclusive (certificates.${side}.eku: exclusive); anyExtendedKeyUsage is another purpose.`) : undefined),
      }),
    },
    { name: 'leaf-email-only', what: 'emailProtection only', leaf: { eku: null, ekuOids: [EMAIL] }, policy: () => required('reject', `The key is restricted to e-mail protection; ${right} is not listed (RFC 5280 §4.2.1.12).`) },
    { name: 'leaf-code-signing-only', what: 'codeSigning only', leaf: { eku: null, ekuOids: [CODE] }, policy: () => required('reject', `The key is restricted to code signing; ${right} is not listed.`) },
    { name: 'leaf-empty', what: 'an empty EKU sequence', leaf: { eku: [] }, policy: () => recommended('reject', 'RFC 5280 §4.2.1.12: KeyPurposeId SIZE (1..MAX): an empty EKU is malformed and allows no purpose (limbo rfc5280::eku::ee-eku-empty).') },
    {
      name: 'leaf-critical',
      what: `a critical EKU with ${right}`,
      leaf: { eku: [right], ekuCritical: true },
      refs: ['CA/B BR §7.1.2.7.6', 'limbo webpki::eku::ee-critical-eku'],
      policy: decideByRules({
        rfc5280: { expect: 'accept', why: `EKU may be critical or not at the issuer's option (§4.2.1.12), and it lists ${right}.` },
        webpki: { expect: 'reject', why: 'a subscriber certificate\'s extKeyUsage MUST NOT be critical (CA/B BR §7.1.2.7.6; limbo pedantic-webpki-eku).' },
        either: 'rfc5280',
      }),
    },
  ];
  const out: CaseEntry[] = leafCases.map((c) =>
    entry({
      name: c.name,
      title: `A ${h} with ${c.what}`,
      chain: { intermediates: cas(1), leaf: c.leaf },
      refs: ['RFC 5280 §4.2.1.12', 'limbo rfc5280::eku::*', 'limbo webpki::eku::*', ...(c.refs ?? [])],
      policy: c.policy,
    }),
  );
  const chained = (why: string) => () => recommended('reject', `${why} RFC 5280 is silent on EKU in CA certificates; OpenSSL, Go, NSS and Windows treat it as a constraint on what the CA may issue.`);
  const inter: { name: string; what: string; at: Record<number, CertVariation>; policy: (p: Profile) => ReturnType<typeof required>; refs?: string[] }[] = [
    { name: 'ca-wrong-only', what: `an intermediate with EKU ${wrong} only`, at: { 1: { eku: [wrong] } }, policy: chained(`The intermediate may issue only for ${wrong}.`) },
    { name: 'ca-right-only', what: `an intermediate with EKU ${right} only`, at: { 1: { eku: [right] } }, policy: () => required('accept', `The intermediate allows ${right}.`) },
    { name: 'ca-both', what: `an intermediate with EKU ${right} and ${wrong}`, at: { 1: { eku: [right, wrong] } }, policy: () => required('accept', `${right} is allowed.`) },
    {
      name: 'ca-any',
      what: 'an intermediate with anyExtendedKeyUsage',
      at: { 1: { eku: null, ekuOids: [ANY] } },
      refs: ['CA/B BR §7.1.2.10.6'],
      policy: decideByRules({
        // Recommended, as every EKU-on-a-CA case here: RFC 5280 does not process EKU in CA certificates.
        rfc5280: { expect: 'accept', severity: 'recommended', why: 'it is silent on EKU in CA certificates; read as a constraint on what the CA may issue, anyExtendedKeyUsage constrains nothing.' },
        webpki: { expect: 'reject', why: 'a CA certificate\'s extKeyUsage MUST NOT contain anyExtendedKeyUsage (CA/B BR §7.1.2.10.6).' },
        either: 'rfc5280',
      }),
    },
    { name: 'ca-email-only', what: 'an intermediate with emailProtection only', at: { 1: { eku: null, ekuOids: [EMAIL] } }, policy: chained('The intermediate may issue only for e-mail (BetterTLS BAD_EKU).') },
    { name: 'ca1-right-ca2-wrong', what: `intermediate 1 with ${right} and intermediate 2 with ${wrong}`, at: { 1: { eku: [right] }, 2: { eku: [wrong] } }, policy: chained(`The lower intermediate may issue only for ${wrong}.`) },
    { name: 'ca1-wrong-ca2-right', what: `intermediate 1 with ${wrong} and intermediate 2 with ${right}`, at: { 1: { eku: [wrong] }, 2: { eku: [right] } }, policy: chained(`The upper intermediate allows only ${wrong}; the lower one cannot widen it.`) },
  ];
  for (const c of inter) {
    out.push(
      entry({
        name: c.name,
        title: `A ${h} (EKU ${right}) issued under ${c.what}`,
        chain: { intermediates: cas(Object.keys(c.at).includes('2') ? 2 : 1, c.at) },
        refs: ['RFC 5280 §4.2.1.12', 'BetterTLS pathbuilding BAD_EKU', 'limbo rfc5280::eku::*', ...(c.refs ?? [])],
        policy: c.policy,
      }),
    );
  }
  return out;
};
export default eku;
