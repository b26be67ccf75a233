import type { CertVariation, ChainSpec } from '../../../certs/chain-spec.js';
import type { CrlShape, RevocationService } from '../../../certs/spec.js';
import type { Profile } from '../../profile/schema.js';
import type { Role } from '../../model.js';
import { info, recommended, required, type CaseEntry, type Policy } from '../define.js';
import { revocationPolicy } from '../policies.js';
import { cas, entry, holder, type Family } from './kit.js';

/**
 * crl: what a validator does with the CRLs of a path (RFC 5280 §5, §6.3), mirroring x509-limbo's
 * CRL cases (`crl::*` on its main branch; `rfc5280::crl::*`, `crl::idp::*`, `crl::structure::*`
 * where its later layout names them). Every case hangs its leaf under a CA of its own whose CRL is
 * the variant (certs/spec.ts CrlShape), so all the variants sit in one bundle beside each other
 * without touching another case: `<certs>/deep/trust/client-crl.pem` (a server target; as an
 * OpenSSL -CAfile, `client-ca-with-crls.pem`) and `<certs>/deep/trust/server-crl.pem` (`{crl}` of a
 * client target in a deep run), each headed by the default CAs' CRLs. The same CRL is served at
 * the distribution point every deep certificate names, under the certificate's own URL, so a
 * fetch is the case's (docs/revocation.md).
 *
 * Expectations: a certificate listed on a CRL that is valid is refused, as much as the profile's
 * revocation.<role> asks (required, recommended, off = skip). A CRL that cannot be used (out of
 * date, signature, unknown critical extension, out of scope) leaves the status UNDETERMINED (RFC
 * 5280 §6.3.3, last paragraph): a client refuses as revocation.clientFailMode says; a server target
 * is judged fail-closed (the CRL is its operator's own file: one it cannot use leaves every
 * certificate of that CA unchecked). An issuer's encoding defect that changes no status (CRL number
 * missing or critical, a serial listed twice) is information. Each refusal has controls beside it:
 * a chain whose CRL is valid and does not list it, which must be accepted.
 */

const REFS_UNDETERMINED = ['RFC 5280 §6.3.3 (UNDETERMINED)'];

/** Where the CRL of a case reaches the target, for rationales. */
function delivery(role: Role): string {
  return role === 'server'
    ? "The case's CA publishes it in the deep bundle <certs>/deep/trust/client-crl.pem (nginx ssl_crl, HAProxy crl-file; OpenSSL programs: <certs>/deep/trust/client-ca-with-crls.pem as -CAfile with -crl_check_all) and at the distribution point the certificate names."
    : "The case's CA publishes it in {crl} (the deep bundle <certs>/deep/trust/server-crl.pem) and at the distribution point the certificate names.";
}

/** A chain: the leaf under one CA of the case's own, whose CRL has `shape`. */
function under(shape: CrlShape | undefined, leaf: CertVariation = {}, ca: CertVariation = {}): ChainSpec {
  const service: RevocationService = shape ? { crlShape: shape } : {};
  return { intermediates: cas(1, { 1: { ...ca, revocationService: service } }), leaf };
}

/** A chain: the case's own CA (CRL `shape`) -> a second CA (`ca2`) -> the leaf. */
function underTwo(shape: CrlShape | undefined, ca2: CertVariation = {}, leaf: CertVariation = {}): ChainSpec {
  const service: RevocationService = shape ? { crlShape: shape } : {};
  return { intermediates: cas(2, { 1: { revocationService: service }, 2: ca2 }), leaf };
}

/** Listed on a CRL that is valid: refused as far as revocation.<role> asks. */
function revokedPolicy(role: Role, why: string) {
  return (p: Profile): Policy => revocationPolicy(p, role, `${why} ${delivery(role)}`);
}

/**
 * The only CRL for the certificate cannot be used: status UNDETERMINED (RFC 5280 §6.3.3). A client
 * refuses if revocation.clientFailMode is closed (information if open); a server target is judged
 * fail-closed.
 */
function undeterminedPolicy(role: Role, why: string) {
  return (p: Profile): Policy => {
    const text = `${why} ${delivery(role)} No other CRL covers the certificate, so its status is UNDETERMINED (RFC 5280 §6.3.3)`;
    if (role === 'server') {
      return revocationPolicy(p, 'server', `${text}; a server target is judged fail-closed: the CRL is its operator's own file, and one it cannot use leaves every certificate of that CA unchecked.`);
    }
    const base = revocationPolicy(p, 'client', `${text}, and revocation.clientFailMode is ${p.revocation.clientFailMode}: the client must refuse (fail closed).`);
    if (base.skip || p.revocation.clientFailMode === 'closed') return base;
    return info('accept', `${text}. The profile sets revocation.clientFailMode: open: a client may go on when the status cannot be determined; either outcome is reported, not judged.`);
  };
}

/** An issuer's encoding defect that changes no status (limbo's pedantic CRL cases): information. */
function pedanticPolicy(role: Role, why: string) {
  return (p: Profile): Policy => {
    const base = revocationPolicy(p, role, why);
    return base.skip ? base : info('reject', `${why} ${delivery(role)} The CRL is correctly signed and current and does not list the certificate: refusing it is the strict reading, accepting it changes no one's status, so either is reported, not judged.`);
  };
}

/** A control: the CRL is valid and does not list the certificate. */
const accept = (severity: 'required' | 'recommended' | 'info', why: string) => () => (severity === 'required' ? required : severity === 'recommended' ? recommended : info)('accept', why);

/** Serials no certificate has: listed so a CRL is not empty, and a certificate's absence from it is what is checked. */
const UNRELATED = ['5e1a7ed0000000000000000000000001', '5e1a7ed0000000000000000000000002'];

/** The leaf serial another CA's CRL lists in serial-on-other-issuers-crl: fixed, so the CRL names it across renewals. */
function sharedSerial(role: Role): string {
  return role === 'server' ? '5e1a7ed00000000000000000000c11e7' : '5e1a7ed0000000000000000000005e7e';
}

interface CrlCase {
  name: string;
  title: (h: string) => string;
  chain: (role: Role) => ChainSpec;
  refs: string[];
  policy: (role: Role) => (p: Profile) => Policy;
}

const CASES: CrlCase[] = [
  // --- Revoked under a valid CRL.
  {
    name: 'leaf-revoked',
    title: (h) => `A ${h} its issuing CA lists on its CRL is refused`,
    chain: () => under(undefined, { revoked: true }),
    refs: ['RFC 5280 §6.3.3 (j)', 'RFC 5280 §5.3.3', 'limbo crl::revoked-certificate-with-crl', 'profile revocation.<role>'],
    policy: (role) => revokedPolicy(role, "The leaf's own CA lists its serial (reason keyCompromise) on a CRL that is current and correctly signed (RFC 5280 §6.3.3 (j))."),
  },
  {
    name: 'intermediate-revoked',
    title: (h) => `A ${h} under an intermediate its CA lists on its CRL is refused`,
    chain: () => underTwo(undefined, { revoked: true }),
    refs: ['RFC 5280 §6.1.3 (a)(3)', 'RFC 5280 §6.3.3 (j)', 'limbo crl::revoked-certificate-with-crl', 'profile revocation.<role>'],
    policy: (role) => revokedPolicy(role, 'The leaf is not revoked; the CA above its issuing intermediate lists that intermediate on its CRL. Every certificate of the path is checked (RFC 5280 §6.1.3 (a)(3)): a validator that checks only the leaf keeps trusting what a revoked CA issues.'),
  },
  {
    name: 'leaf-on-hold',
    title: (h) => `A ${h} its CA lists as on hold (certificateHold) is refused`,
    chain: () => under({ reason: 'certificateHold' }, { revoked: true }),
    refs: ['RFC 5280 §5.3.1', 'RFC 5280 §6.3.3 (j)', 'profile revocation.<role>'],
    policy: (role) => revokedPolicy(role, 'The entry carries reasonCode certificateHold (RFC 5280 §5.3.1): the certificate is suspended, and RFC 5280 §6.3.3 (j) sets its status from the entry like any other reason; only a removeFromCRL entry (a delta CRL) releases it.'),
  },
  {
    name: 'leaf-revoked-no-reason',
    title: (h) => `A ${h} listed on its CA's CRL without a reason code is refused`,
    chain: () => under({ reason: 'none' }, { revoked: true }),
    refs: ['RFC 5280 §5.3.1', 'RFC 5280 §6.3.3 (j)(2)', 'profile revocation.<role>'],
    policy: (role) => revokedPolicy(role, 'The entry has no reasonCode, which RFC 5280 §5.3.1 recommends for the reason unspecified; §6.3.3 (j)(2) then sets the status to unspecified: revoked all the same.'),
  },
  {
    name: 'leaf-revoked-entry-extension',
    title: (h) => `A ${h} listed on its CA's CRL by an entry with an unknown non-critical extension is refused`,
    chain: () => under({ entryExtension: 'non-critical' }, { revoked: true }),
    refs: ['RFC 5280 §5.3', 'RFC 5280 §6.3.3 (j)', 'limbo rfc5280::crl::entry-unknown-noncritical-extension', 'profile revocation.<role>'],
    policy: (role) => revokedPolicy(role, "The leaf's entry carries a private non-critical extension, which a validator ignores (RFC 5280 §5.3); the entry still revokes the leaf."),
  },
  {
    name: 'leaf-revoked-date-in-future',
    title: (h) => `A ${h} listed on its CA's CRL with a revocationDate in the future is refused`,
    chain: () => under({ revocationDateDays: 30 }, { revoked: true }),
    refs: ['RFC 5280 §5.1.2.6', 'RFC 5280 §6.3.3 (j)', 'limbo rfc5280::crl::revocation-date-in-future', 'profile revocation.<role>'],
    policy: (role) => revokedPolicy(role, 'The entry names a revocationDate 30 days ahead. RFC 5280 §6.3.3 does not consult the date: a listed serial is revoked from the moment the CRL says so.'),
  },
  // --- The CRL cannot be used: status undetermined.
  {
    name: 'crl-expired',
    title: (h) => `A ${h} whose CA's only CRL is past its nextUpdate is refused`,
    chain: () => under({ thisUpdateDays: -60, nextUpdateDays: -30 }),
    refs: ['RFC 5280 §5.1.2.5', 'RFC 5280 §6.3.3 (a)', 'limbo rfc5280::crl::next-update-in-past', ...REFS_UNDETERMINED],
    policy: (role) => undeterminedPolicy(role, "The CA's CRL was issued 60 days ago with a nextUpdate 30 days ago (RFC 5280 §5.1.2.5): it is no longer current (§6.3.3 (a)), and replaying an old CRL is how a revocation is hidden. It does not list the leaf."),
  },
  {
    name: 'crl-not-yet-valid',
    title: (h) => `A ${h} whose CA's only CRL has a thisUpdate in the future is refused`,
    chain: () => under({ thisUpdateDays: 30, nextUpdateDays: 60 }),
    refs: ['RFC 5280 §5.1.2.4', 'limbo rfc5280::crl::this-update-in-future', ...REFS_UNDETERMINED],
    policy: (role) => undeterminedPolicy(role, "The CA's CRL has a thisUpdate 30 days ahead (RFC 5280 §5.1.2.4): it is not in force yet, so nothing current covers the leaf. It does not list the leaf."),
  },
  {
    name: 'crl-foreign-key',
    title: (h) => `A ${h} whose CA's only CRL is signed by another key under the CA's name is refused`,
    chain: () => under({ foreignKey: true, extraSerials: UNRELATED }),
    refs: ['RFC 5280 §6.3.3 (g)', 'limbo rfc5280::crl::crl-invalid-signature', 'limbo rfc5280::crl::crl-wrong-signing-key', ...REFS_UNDETERMINED],
    policy: (role) => undeterminedPolicy(role, "The CRL names the CA as its issuer and carries the CA's key identifier, but another key signed it: it does not verify (RFC 5280 §6.3.3 (g)), and a validator that takes it would take a forged \"not revoked\" list. It does not list the leaf."),
  },
  {
    name: 'crl-unknown-critical-extension',
    title: (h) => `A ${h} whose CA's only CRL carries an unknown critical extension is refused`,
    chain: () => under({ unknownExtension: 'critical', extraSerials: UNRELATED }),
    refs: ['RFC 5280 §5.2', 'limbo rfc5280::crl::crl-unknown-critical-extension', ...REFS_UNDETERMINED],
    policy: (role) => undeterminedPolicy(role, 'The CRL carries a critical extension of a private OID (RFC 7229 id-TEST arc). RFC 5280 §5.2: a CRL with a critical extension the application cannot process MUST NOT be used to determine any status. It does not list the leaf.'),
  },
  {
    name: 'crl-entry-critical-extension',
    title: (h) => `A ${h} whose CA's only CRL has an entry with an unknown critical extension is refused`,
    chain: () => under({ entryExtension: 'critical', extraSerials: UNRELATED }),
    refs: ['RFC 5280 §5.3', 'limbo rfc5280::crl::entry-unknown-critical-extension', ...REFS_UNDETERMINED],
    policy: (role) => undeterminedPolicy(role, "The CRL's entries (for other serials) carry a critical extension of a private OID. RFC 5280 §5.3: a CRL with a critical entry extension the application cannot process MUST NOT be used to determine the status of any certificate."),
  },
  {
    name: 'idp-only-ca-certs',
    title: (h) => `A ${h} whose CA's only CRL is scoped to CA certificates (onlyContainsCACerts) is refused`,
    chain: () => under({ idp: { onlyContainsCACerts: true }, extraSerials: UNRELATED }),
    refs: ['RFC 5280 §5.2.5', 'RFC 5280 §6.3.3 (b)(2)(iii)', 'limbo crl::idp::idp-only-contains-ca-certs-ee-target', ...REFS_UNDETERMINED],
    policy: (role) => undeterminedPolicy(role, "The CA's CRL has an issuingDistributionPoint with onlyContainsCACerts: its scope leaves out end-entity certificates (RFC 5280 §6.3.3 (b)(2)(iii)), so its silence about the leaf says nothing."),
  },
  {
    name: 'idp-only-user-certs-intermediate',
    title: (h) => `A ${h} under an intermediate whose CA's only CRL is scoped to end-entity certificates (onlyContainsUserCerts) is refused`,
    chain: () => underTwo({ idp: { onlyContainsUserCerts: true }, extraSerials: UNRELATED }),
    refs: ['RFC 5280 §5.2.5', 'RFC 5280 §6.3.3 (b)(2)(ii)', 'limbo crl::idp::idp-only-contains-user-certs-ca-target', ...REFS_UNDETERMINED],
    policy: (role) => undeterminedPolicy(role, "The CRL of the CA above the leaf's issuing intermediate has onlyContainsUserCerts: the intermediate (a CA) is out of its scope (RFC 5280 §6.3.3 (b)(2)(ii)), and no CRL says whether it is revoked."),
  },
  {
    name: 'idp-only-attribute-certs',
    title: (h) => `A ${h} whose CA's only CRL is scoped to attribute certificates is refused`,
    chain: () => under({ idp: { onlyContainsAttributeCerts: true }, extraSerials: UNRELATED }),
    refs: ['RFC 5280 §5.2.5', 'RFC 5280 §6.3.3 (b)(2)(iv)', 'limbo crl::idp::idp-only-contains-attribute-certs', ...REFS_UNDETERMINED],
    policy: (role) => undeterminedPolicy(role, "The CA's CRL has onlyContainsAttributeCerts, which RFC 5280 §5.2.5 forbids in this profile and §6.3.3 (b)(2)(iv) requires a validator to check: it covers no public-key certificate."),
  },
  {
    name: 'idp-other-distribution-point',
    title: (h) => `A ${h} whose CA's only CRL is a partition for another distribution point is refused`,
    chain: () => under({ idp: { distributionPoint: 'other' }, extraSerials: UNRELATED }),
    refs: ['RFC 5280 §5.2.5', 'RFC 5280 §6.3.3 (b)(2)(i)', 'limbo crl::idp::idp-cdp-scope-mismatch', ...REFS_UNDETERMINED],
    policy: (role) => undeterminedPolicy(role, "The CA's CRL names, in its issuingDistributionPoint, a URL that is not the leaf's CRL distribution point: it is the partition of other certificates (RFC 5280 §6.3.3 (b)(2)(i)), and the leaf's partition is nowhere."),
  },
  {
    name: 'issuer-without-crlsign',
    title: (h) => `A ${h} whose CA signs its CRL without the cRLSign key usage is refused`,
    chain: () => under({ extraSerials: UNRELATED }, {}, { keyUsage: ['keyCertSign', 'digitalSignature'] }),
    refs: ['RFC 5280 §4.2.1.3', 'RFC 5280 §6.3.3 (f)', 'limbo crl::issuer-missing-crlsign', ...REFS_UNDETERMINED],
    policy: (role) => undeterminedPolicy(role, "The leaf's CA has keyUsage keyCertSign and digitalSignature but not cRLSign, and signs the CRL itself: RFC 5280 §6.3.3 (f) requires cRLSign of a CRL issuer whose keyUsage is present, so the CRL cannot be used."),
  },
  {
    name: 'crl-sha1-signature',
    title: (h) => `A ${h} whose CA's only CRL is signed with SHA-1 is refused where the profile forbids SHA-1`,
    chain: () => under({ signatureHash: 'SHA-1', extraSerials: UNRELATED }),
    refs: ['RFC 5280 §5.1.1.2', 'profile certificates.<side>.forbiddenSignatureHashes', ...REFS_UNDETERMINED],
    policy: (role) => (p: Profile) => {
      const side = role === 'server' ? 'client' : 'server';
      const forbidden = p.certificates[side].forbiddenSignatureHashes.includes('sha1');
      const base = revocationPolicy(p, role, '');
      if (base.skip) return base;
      return forbidden
        ? info('reject', `The CA's CRL (which does not list the leaf) is signed with ECDSA-SHA-1, a hash the profile forbids for ${side} certificates (certificates.${side}.forbiddenSignatureHashes). Applying that rule to CRLs leaves the status undetermined and refuses; RFC 5280 §5.1.1.2 does not forbid the algorithm and OpenSSL verifies it: information. ${delivery(role)}`)
        : info('accept', `The CA's CRL is signed with SHA-1, which the profile allows: a validator may use it. ${delivery(role)}`);
    },
  },
  // --- An issuer's encoding defect that changes no status: information.
  {
    name: 'crl-number-missing',
    title: (h) => `A ${h} whose CA's only CRL has no CRL number is refused (information)`,
    chain: () => under({ crlNumber: 'absent', extraSerials: UNRELATED }),
    refs: ['RFC 5280 §5.2.3', 'limbo crl::crlnumber-missing', 'profile revocation.<role>'],
    policy: (role) => pedanticPolicy(role, 'RFC 5280 §5.2.3: conforming CRL issuers MUST include the CRL number; this CRL has none.'),
  },
  {
    name: 'crl-number-critical',
    title: (h) => `A ${h} whose CA's only CRL marks its CRL number critical is refused (information)`,
    chain: () => under({ crlNumber: 'critical', extraSerials: UNRELATED }),
    refs: ['RFC 5280 §5.2.3', 'limbo crl::crlnumber-critical', 'profile revocation.<role>'],
    policy: (role) => pedanticPolicy(role, 'RFC 5280 §5.2.3: the CRL number is a non-critical extension; this CRL marks it critical (a validator that knows the extension can still process it).'),
  },
  {
    name: 'crl-duplicate-entry',
    title: (h) => `A ${h} whose CA's only CRL lists a serial twice is refused (information)`,
    chain: () => under({ duplicateEntries: true, extraSerials: UNRELATED }),
    refs: ['RFC 5280 §5.1.2.6', 'limbo webpki::crl::crl-duplicate-revoked-serial', 'profile revocation.<role>'],
    policy: (role) => pedanticPolicy(role, 'The CRL lists each of its (unrelated) serials twice; the Web PKI rules (limbo, CA/Browser Forum servercert issue 589) refuse such a CRL, RFC 5280 says nothing of it.'),
  },
  // --- Controls: the CRL is valid and does not list the certificate.
  {
    name: 'not-revoked',
    title: (h) => `A ${h} its CA's CRL does not list (other serials are listed) is accepted`,
    chain: () => under({ extraSerials: UNRELATED }),
    refs: ['RFC 5280 §6.3.3', 'limbo crl::certificate-not-on-crl'],
    policy: (role) => accept('required', `The CA's CRL is current, correctly signed and lists two other serials, not the leaf's: the status is UNREVOKED (RFC 5280 §6.3.3). ${delivery(role)}`),
  },
  {
    name: 'empty-crl',
    title: (h) => `A ${h} whose CA's CRL lists nothing is accepted`,
    chain: () => under(undefined),
    refs: ['RFC 5280 §5.1.2.6', 'limbo rfc5280::crl::crl-empty'],
    policy: (role) => accept('required', `The CA's CRL is current and lists no certificate (RFC 5280 §5.1.2.6: revokedCertificates is then absent). ${delivery(role)}`),
  },
  {
    name: 'serial-on-other-issuers-crl',
    title: (h) => `A ${h} whose serial appears on another CA's CRL is accepted`,
    chain: (role) => underTwo({ extraSerials: [sharedSerial(role)] }, {}, { serialHex: sharedSerial(role) }),
    refs: ['RFC 5280 §5.3.3', 'RFC 5280 §6.3.3 (j)', 'limbo crl::certificate-serial-on-crl-different-issuer'],
    policy: (role) => accept('recommended', `The leaf's serial is listed on the CRL of the CA above its issuer, not on its issuer's: a CRL entry names a certificate by issuer and serial together (RFC 5280 §5.3.3), so the leaf is not revoked. A validator that matches serials alone refuses it. ${delivery(role)}`),
  },
  {
    name: 'crl-unknown-noncritical-extension',
    title: (h) => `A ${h} whose CA's CRL carries an unknown non-critical extension is accepted`,
    chain: () => under({ unknownExtension: 'non-critical', extraSerials: UNRELATED }),
    refs: ['RFC 5280 §5.2', 'limbo rfc5280::crl::crl-unknown-noncritical-extension'],
    policy: (role) => accept('recommended', `The CRL carries a private non-critical extension, which a validator ignores (RFC 5280 §5.2), and does not list the leaf. ${delivery(role)}`),
  },
  {
    name: 'idp-only-user-certs',
    title: (h) => `A ${h} whose CA's CRL is scoped to end-entity certificates (onlyContainsUserCerts) is accepted`,
    chain: () => under({ idp: { onlyContainsUserCerts: true }, extraSerials: UNRELATED }),
    refs: ['RFC 5280 §5.2.5', 'RFC 5280 §6.3.3 (b)(2)(ii)'],
    policy: (role) => accept('recommended', `The CRL covers end-entity certificates only; the leaf is one, so the CRL is in scope (RFC 5280 §6.3.3 (b)(2)(ii)) and does not list it. ${delivery(role)}`),
  },
  {
    name: 'idp-only-ca-certs-intermediate',
    title: (h) => `A ${h} under an intermediate covered by its CA's CRL scoped to CA certificates is accepted`,
    chain: () => underTwo({ idp: { onlyContainsCACerts: true }, extraSerials: UNRELATED }),
    refs: ['RFC 5280 §5.2.5', 'RFC 5280 §6.3.3 (b)(2)(iii)'],
    policy: (role) => accept('recommended', `The CRL of the CA above the intermediate covers CA certificates only: the intermediate is one and is not listed; the intermediate's own CRL covers the leaf. ${delivery(role)}`),
  },
  {
    name: 'idp-same-distribution-point',
    title: (h) => `A ${h} whose CA's CRL is the partition of its distribution point is accepted`,
    chain: () => under({ idp: { distributionPoint: 'issued' }, extraSerials: UNRELATED }),
    refs: ['RFC 5280 §5.2.5', 'RFC 5280 §6.3.3 (b)(2)(i)', 'limbo crl::idp::idp-cdp-scope-match'],
    policy: (role) => accept('recommended', `The CRL's issuingDistributionPoint names the leaf's own CRL distribution point URL: it is the partition for the leaf (RFC 5280 §6.3.3 (b)(2)(i)) and does not list it. ${delivery(role)}`),
  },
  {
    name: 'large-crl',
    title: (h) => `A ${h} whose CA's CRL lists 10,000 other serials is accepted`,
    chain: () => under({ fillerEntries: 10_000 }),
    refs: ['RFC 5280 §5.1.2.6', 'limbo rfc5280::crl::crl-very-large'],
    policy: (role) => accept('recommended', `The CA's CRL lists 10,000 serials (about 400 KB), none the leaf's: a validator must read a CRL of a real CA's size. ${delivery(role)}`),
  },
  {
    name: 'issuer-without-keyusage',
    title: (h) => `A ${h} whose CA, without a keyUsage extension, signs a valid CRL is accepted`,
    chain: () => under({ extraSerials: UNRELATED }, {}, { keyUsage: null }),
    refs: ['RFC 5280 §6.3.3 (f)', 'RFC 5280 §4.2.1.3', 'limbo crl::issuer-no-keyusage-extension'],
    policy: (role) => accept('info', `The leaf's CA has no keyUsage extension: RFC 5280 §6.3.3 (f) checks cRLSign only when keyUsage is present, so its CRL is usable (§4.2.1.3 says CAs MUST include keyUsage, and the Web PKI refuses its absence: information). ${delivery(role)}`),
  },
  {
    name: 'delta-releases-hold',
    title: (h) => `A ${h} on hold in its CA's CRL and released by a delta CRL is accepted (information)`,
    chain: () => under({ reason: 'certificateHold', deltaReleases: true }, { revoked: true }),
    refs: ['RFC 5280 §5.2.4', 'RFC 5280 §5.3.1', 'RFC 5280 §6.3.3 (c)', 'RFC 5280 §6.3.3 (i)', 'RFC 5280 §6.3.3 (k)'],
    policy: (role) =>
      accept(
        'info',
        `The complete CRL lists the leaf as on hold; a delta CRL beside it in the bundle (deltaCRLIndicator naming the complete CRL's number) lists it with removeFromCRL: the CA has released the hold. A validator that uses delta CRLs accepts (RFC 5280 §6.3.3 (i), (k)); one that reads complete CRLs only still sees the hold and refuses, which RFC 5280 allows (use-deltas is an input of the algorithm): information. ${delivery(role)}`,
      ),
  },
  {
    name: 'remove-from-crl-on-complete-crl',
    title: (h) => `A ${h} listed on its CA's complete CRL with reason removeFromCRL is accepted (information)`,
    chain: () => under({ reason: 'removeFromCRL' }, { revoked: true }),
    refs: ['RFC 5280 §5.3.1', 'RFC 5280 §6.3.3 (k)'],
    policy: (role) =>
      accept(
        'info',
        `The leaf's entry carries reasonCode removeFromCRL, which RFC 5280 §5.3.1 reserves for delta CRLs; read by the algorithm, §6.3.3 (k) turns it into UNREVOKED. A validator that counts every listed serial as revoked refuses: information. ${delivery(role)}`,
      ),
  },
];

const crl: Family = (role: Role): CaseEntry[] => {
  const h = holder(role);
  return CASES.map((c) =>
    entry({
      name: c.name,
      title: c.title(h),
      chain: c.chain(role),
      // The facts of the case (a CDP fetch under its certificate's URL, the CRL file handed over) are reported.
      probe: { revocation: true },
      refs: c.refs.map((r) => r.replace('<role>', role).replace('<side>', role === 'server' ? 'client' : 'server')),
      policy: c.policy(role),
    }),
  );
};
export default crl;
