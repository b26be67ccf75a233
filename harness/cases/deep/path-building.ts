import type { CertVariation, ChainSpec, OtherCert } from '../../../certs/chain-spec.js';
import type { Profile } from '../../profile/schema.js';
import type { Role } from '../../model.js';
import { info, recommended, required, type CaseEntry, type Policy } from '../define.js';
import { entry, holder, type Family } from './kit.js';

/**
 * path-building: graphs with more than one candidate issuer (RFC 4158), rooted at the one anchor
 * the target trusts, the way BetterTLS pathbuilding replaces its graph's source by the suite root.
 * Each shape offers a valid path and an invalid one whose edge is broken for one reason (BetterTLS's
 * six: expired, name constraints, bad EKU, missing basicConstraints, not a CA, SHA-1), in
 * different wire orders; the peer sends every certificate, leaf first. Expectation: accept iff a
 * valid path to the anchor exists (RFC 5280 §6.1 per path). Own cases: cross-signed root rotation,
 * a bridge CA.
 */

const EMAIL = '1.3.6.1.5.5.7.3.4';
interface Reason {
  name: string;
  what: string;
  defect: CertVariation;
  /** Whether the broken edge is invalid under the profile (SHA-1 depends on it). */
  invalid: (p: Profile, role: Role) => boolean;
}
const REASONS: Reason[] = [
  { name: 'expired', what: 'expired', defect: { notBeforeDays: -400, notAfterDays: -30 }, invalid: () => true },
  { name: 'name-constraints', what: 'name-constrained to bad.example.com', defect: { nameConstraints: { permittedDns: ['bad.example.com'], permittedIps: ['192.0.2.0/24'], permittedDirectoryNames: ['O=bad.example.com'] } }, invalid: () => true },
  { name: 'bad-eku', what: 'restricted to emailProtection', defect: { eku: null, ekuOids: [EMAIL] }, invalid: () => true },
  { name: 'missing-bc', what: 'without basicConstraints', defect: { ca: null, keyCertSign: true, pathLength: undefined }, invalid: () => true },
  { name: 'not-ca', what: 'not a CA (cA=FALSE)', defect: { ca: false, keyCertSign: true, pathLength: undefined }, invalid: () => true },
  { name: 'sha1', what: 'signed with SHA-1', defect: { signatureHash: 'SHA-1' }, invalid: (p, role) => p.certificates[role === 'server' ? 'client' : 'server'].forbiddenSignatureHashes.includes('sha1') },
];

const REFS = ['RFC 4158', 'RFC 5280 §6.1', 'BetterTLS pathbuilding'];

const pathBuilding: Family = (role: Role): CaseEntry[] => {
  const h = holder(role);
  const anchor = role === 'server' ? 'client-ca' : 'server-ca';
  const out: CaseEntry[] = [];
  const subj = (what: string) => `CN=mtls-conformance ${role} path-building ${what}, O=mtls-conformance`;
  const push = (name: string, title: string, chain: ChainSpec, policy: (p: Profile) => Policy, refs: string[] = REFS) => out.push(entry({ name, title: `A ${h} ${title}`, chain, refs, policy }));

  for (const r of REASONS) {
    const bad = r.defect;
    const acceptAny = (sev: 'required' | 'recommended') => (_p: Profile) => (sev === 'required' ? required('accept', 'A valid path to the anchor is on the wire.') : recommended('accept', `A valid path exists beside one through a certificate ${r.what}; a validator that follows the first candidate issuer it meets fails it (RFC 4158 §2: build paths, do not assume one).`));
    const rejectIfInvalid = (p: Profile) => (r.invalid(p, role) ? required('reject', `The only path runs through a certificate ${r.what}.`) : info('accept', 'The profile does not forbid SHA-1: the only path is valid under it.'));

    // Shape 1: one intermediate, certified twice by the anchor (same subject and key), one certificate broken.
    const one: OtherCert[] = [
      { id: 'good', issuer: anchor, cert: { subject: subj('issuing CA'), pathLength: 0 } },
      { id: 'bad', issuer: anchor, cert: { subject: subj('issuing CA'), pathLength: 0, keyOf: 'good', ...bad } },
    ];
    push(`${r.name}-alt-issuer-bad-first`, `whose issuer is sent twice, first ${r.what}, then valid, is accepted`, { others: one, leafIssuer: 'good', send: { list: ['bad', 'good'] } }, acceptAny('recommended'));
    push(`${r.name}-alt-issuer-good-first`, `whose issuer is sent twice, first valid, then ${r.what}, is accepted`, { others: one, leafIssuer: 'good', send: { list: ['good', 'bad'] } }, acceptAny('required'));
    push(`${r.name}-alt-issuer-bad-only`, `whose issuer is sent only as a certificate ${r.what} is refused`, { others: one, leafIssuer: 'good', send: { list: ['bad'] } }, rejectIfInvalid);

    // Shape 2: leaf <- I <- J, J certified twice by the anchor.
    const two: OtherCert[] = [
      { id: 'j-good', issuer: anchor, cert: { subject: subj('upper CA'), pathLength: 1 } },
      { id: 'j-bad', issuer: anchor, cert: { subject: subj('upper CA'), pathLength: 1, keyOf: 'j-good', ...bad } },
      { id: 'i', issuer: 'j-good', cert: { subject: subj('lower CA'), pathLength: 0 } },
    ];
    push(`${r.name}-upper-bad-first`, `whose upper CA is sent twice, first ${r.what}, is accepted`, { others: two, leafIssuer: 'i', send: { list: ['i', 'j-bad', 'j-good'] } }, acceptAny('recommended'));
    push(`${r.name}-upper-good-first`, `whose upper CA is sent twice, first valid, is accepted`, { others: two, leafIssuer: 'i', send: { list: ['i', 'j-good', 'j-bad'] } }, acceptAny('required'));
    push(`${r.name}-upper-bad-only`, `whose upper CA is sent only as a certificate ${r.what} is refused`, { others: two, leafIssuer: 'i', send: { list: ['i', 'j-bad'] } }, rejectIfInvalid);

    // Shape 3: a new root N (self-signed, untrusted) cross-certified by the anchor twice, one cross-certificate broken.
    const cross: OtherCert[] = [
      { id: 'new-root', issuer: 'self', cert: { subject: subj('new root'), pathLength: undefined, notAfterDays: 3650 } },
      { id: 'x-good', issuer: anchor, cert: { subject: subj('new root'), pathLength: undefined, keyOf: 'new-root' } },
      { id: 'x-bad', issuer: anchor, cert: { subject: subj('new root'), pathLength: undefined, keyOf: 'new-root', ...bad } },
      { id: 'i', issuer: 'new-root', cert: { subject: subj('issuing CA under the new root'), pathLength: 0 } },
    ];
    push(`${r.name}-cross-all`, `under a new root whose self-signed form and two cross-certificates (one ${r.what}) are sent is accepted`, { others: cross, leafIssuer: 'i', send: { list: ['i', 'new-root', 'x-bad', 'x-good'] } }, acceptAny('recommended'));
    push(`${r.name}-cross-bad-only`, `under a new root cross-certified only by a certificate ${r.what} is refused`, { others: cross, leafIssuer: 'i', send: { list: ['i', 'new-root', 'x-bad'] } }, rejectIfInvalid);
  }

  // Root rotation: the new root N is cross-signed by the trusted one (BetterTLS two-roots graph).
  const rotation: OtherCert[] = [
    { id: 'new-root', issuer: 'self', cert: { subject: subj('rotated root'), pathLength: undefined, notAfterDays: 3650 } },
    { id: 'cross', issuer: anchor, cert: { subject: subj('rotated root'), pathLength: undefined, keyOf: 'new-root' } },
    { id: 'i', issuer: 'new-root', cert: { subject: subj('issuing CA under the rotated root'), pathLength: 0 } },
  ];
  push('rotation-cross-only', 'under a rotated root, sent with its cross-certificate from the trusted root, is accepted', { others: rotation, leafIssuer: 'i', send: { list: ['i', 'cross'] } }, () => required('accept', 'leaf ← issuing CA ← cross-certificate ← trusted root is a valid path.'), [...REFS, 'RFC 4158 §2.4']);
  push('rotation-with-new-root', 'under a rotated root, sent with the new self-signed root and the cross-certificate, is accepted', { others: rotation, leafIssuer: 'i', send: { list: ['i', 'new-root', 'cross'] } }, () => recommended('accept', 'The self-signed new root is untrusted and must be passed over for the cross-certificate.'), [...REFS, 'RFC 4158 §2.4']);
  push('rotation-cross-first', 'under a rotated root, with the cross-certificate listed before the new root, is accepted', { others: rotation, leafIssuer: 'i', send: { list: ['cross', 'i', 'new-root'] } }, () => recommended('accept', 'Order after the leaf is free (RFC 8446 §4.4.2); a valid path exists.'), [...REFS, 'RFC 8446 §4.4.2']);
  push('rotation-new-root-only', 'under a rotated root, sent without the cross-certificate, is refused', { others: rotation, leafIssuer: 'i', send: { list: ['i', 'new-root'] } }, () => required('reject', 'Without the cross-certificate the path ends at an untrusted root.'), [...REFS, 'RFC 5280 §6.1']);

  // Bridge (RFC 4158 §2.4): the anchor cross-certifies a bridge, the bridge cross-certifies a partner root.
  const bridge: OtherCert[] = [
    { id: 'bridge', issuer: anchor, cert: { subject: subj('bridge CA'), pathLength: undefined } },
    { id: 'partner-root', issuer: 'self', cert: { subject: subj('partner root'), pathLength: undefined, notAfterDays: 3650 } },
    { id: 'partner-cross', issuer: 'bridge', cert: { subject: subj('partner root'), pathLength: undefined, keyOf: 'partner-root' } },
    { id: 'i', issuer: 'partner-root', cert: { subject: subj('partner issuing CA'), pathLength: 0 } },
  ];
  push('bridge-path', 'from a partner PKI reached through a bridge CA is accepted', { others: bridge, leafIssuer: 'i', send: { list: ['i', 'partner-cross', 'bridge'] } }, () => required('accept', 'leaf ← partner CA ← partner root (cross-certified by the bridge) ← bridge ← trusted root is valid.'), [...REFS, 'RFC 4158 §2.4']);
  push('bridge-path-shuffled', 'from a partner PKI through a bridge, sent with the partner root and out of order, is accepted', { others: bridge, leafIssuer: 'i', send: { list: ['bridge', 'partner-root', 'partner-cross', 'i'] } }, () => recommended('accept', 'A valid path exists among the certificates sent (RFC 8446 §4.4.2).'), [...REFS, 'RFC 4158 §2.4']);
  push('bridge-missing', 'from a partner PKI whose bridge certificate is not sent is refused', { others: bridge, leafIssuer: 'i', send: { list: ['i', 'partner-cross'] } }, () => required('reject', 'Without the bridge certificate no path reaches the anchor.'), [...REFS, 'RFC 4158 §2.4']);

  // Chain of pain (limbo pathological::multiple-chains-expired-intermediate): an expired cross path beside a valid direct one.
  const pain: OtherCert[] = [
    { id: 'i', issuer: anchor, cert: { subject: subj('CA of the chain of pain'), pathLength: 1 } },
    { id: 'old-root', issuer: 'self', cert: { subject: subj('old root'), pathLength: undefined } },
    { id: 'i-old', issuer: 'old-root', cert: { subject: subj('CA of the chain of pain'), pathLength: 1, keyOf: 'i', notBeforeDays: -400, notAfterDays: -30 } },
  ];
  push('chain-of-pain', 'whose issuer is also sent as an expired certificate under an old untrusted root is accepted', { others: pain, leafIssuer: 'i', send: { list: ['i-old', 'old-root', 'i'] } }, () => recommended('accept', 'A valid path through the current certificate of the issuer exists.'), [...REFS, 'limbo pathological::multiple-chains-expired-intermediate']);
  return out;
};
export default pathBuilding;
