import type { CertVariation } from '../../../certs/chain-spec.js';
import type { KeyKind } from '../../../certs/spec.js';
import type { Profile } from '../../profile/schema.js';
import type { Role, TlsVersion } from '../../model.js';
import { info, recommended, required, type CaseEntry, type Policy } from '../define.js';
import { cas, entry, holder, type Family } from './kit.js';

/**
 * algorithms: leaf keys and issuer signatures a validator meets in practice (interop: accepted
 * where the profile allows them), over TLS 1.3 and 1.2 (their signature schemes differ), and weak
 * ones the profile forbids. RFC 8446 §4.2.3, RFC 4055 (PSS), RFC 8410 (Ed25519); limbo webpki::forbidden-*.
 */
const LEAF_KEYS: { name: string; key: KeyKind; pss?: boolean; ref: string }[] = [
  { name: 'p256', key: 'ec-p256', ref: 'RFC 8446 §4.2.3' },
  { name: 'p384', key: 'ec-p384', ref: 'RFC 8446 §4.2.3' },
  { name: 'ed25519', key: 'ed25519', ref: 'RFC 8410' },
  { name: 'rsa2048', key: 'rsa-2048', ref: 'RFC 8446 §4.2.3' },
  { name: 'rsa3072', key: 'rsa-3072', ref: 'RFC 8446 §4.2.3' },
  { name: 'rsa4096', key: 'rsa-4096', ref: 'RFC 8446 §4.2.3' },
  { name: 'rsa-pss-key', key: 'rsa-2048', pss: true, ref: 'RFC 4055 §1.2' },
];

function allowed(p: Profile, role: Role, key: KeyKind, pss: boolean | undefined): Policy {
  const side = role === 'server' ? 'client' : 'server';
  const c = p.certificates[side];
  if (key.startsWith('rsa-') && Number(key.slice(4)) < c.minRsaBits) return required('reject', `The profile requires RSA ≥ ${c.minRsaBits} bits (certificates.${side}.minRsaBits).`);
  if (key === 'ec-p256' && c.minEcBits > 256) return required('reject', `The profile requires EC ≥ ${c.minEcBits} bits.`);
  if (key === 'ed25519' || pss) return info('accept', `${key === 'ed25519' ? 'Ed25519 (RFC 8410)' : 'An RSASSA-PSS key (RFC 4055)'} is valid but not universally supported: accepting it is interoperability, not a requirement.`);
  return recommended('accept', 'A key the profile allows: refusing it locks out compliant partners.');
}

const algorithms: Family = (role: Role): CaseEntry[] => {
  const h = holder(role);
  const out: CaseEntry[] = [];
  for (const version of ['TLSv1.3', 'TLSv1.2'] as TlsVersion[]) {
    for (const k of LEAF_KEYS) {
      const v = version === 'TLSv1.3' ? '' : '-tls12';
      out.push(
        entry({
          name: `leaf-${k.name}${v}`,
          title: `A ${h} with a ${k.name} key over ${version} is accepted where the profile allows it`,
          chain: { intermediates: cas(1), leaf: { key: k.key, ...(k.pss ? { pssKey: true } : {}) } },
          probe: { version },
          refs: [k.ref, 'RFC 8446 §4.4.2.2', 'profile certificates.*.minRsaBits'],
          policy: (p) => (p.tls.versions.includes(version) ? allowed(p, role, k.key, k.pss) : { ...info('accept', `The profile does not allow ${version}.`), skip: `the profile does not allow ${version}` }),
        }),
      );
    }
  }
  const issuers: { name: string; what: string; ca: CertVariation; leaf?: CertVariation; ref: string; pedantic?: boolean }[] = [
    { name: 'issuer-p384-sha384', what: 'a P-384 intermediate signing with ECDSA-SHA384', ca: { key: 'ec-p384' }, leaf: { signatureHash: 'SHA-384' }, ref: 'RFC 5758 §3.2' },
    { name: 'issuer-p256-sha384', what: 'a P-256 intermediate signing with ECDSA-SHA384', ca: {}, leaf: { signatureHash: 'SHA-384' }, ref: 'RFC 5758 §3.2' },
    { name: 'issuer-rsa-pkcs1-sha256', what: 'an RSA intermediate signing with PKCS#1 v1.5 SHA-256', ca: { key: 'rsa-2048' }, ref: 'RFC 4055 §5' },
    { name: 'issuer-rsa-pkcs1-sha384', what: 'an RSA intermediate signing with PKCS#1 v1.5 SHA-384', ca: { key: 'rsa-2048' }, leaf: { signatureHash: 'SHA-384' }, ref: 'RFC 4055 §5' },
    { name: 'issuer-rsa-pss-sha256', what: 'an RSA intermediate signing with RSASSA-PSS SHA-256', ca: { key: 'rsa-2048' }, leaf: { signatureScheme: 'pss' }, ref: 'RFC 4055 §3' },
    { name: 'issuer-rsa-pss-sha384', what: 'an RSA intermediate signing with RSASSA-PSS SHA-384', ca: { key: 'rsa-2048' }, leaf: { signatureScheme: 'pss', signatureHash: 'SHA-384' }, ref: 'RFC 4055 §3' },
    { name: 'issuer-ed25519', what: 'an Ed25519 intermediate', ca: { key: 'ed25519' }, ref: 'RFC 8410 §6', pedantic: true },
    { name: 'issuer-rsa4096', what: 'an RSA-4096 intermediate', ca: { key: 'rsa-4096' }, ref: 'RFC 4055 §5' },
  ];
  for (const i of issuers) {
    out.push(
      entry({
        name: i.name,
        title: `A ${h} issued by ${i.what} is accepted`,
        chain: { intermediates: cas(1, { 1: i.ca }), ...(i.leaf ? { leaf: i.leaf } : {}) },
        refs: [i.ref, 'RFC 5280 §4.1.1.2'],
        policy: () => (i.pedantic ? info('accept', 'Ed25519 certificate signatures (RFC 8410) are valid but not supported everywhere.') : recommended('accept', 'A common, sound signature algorithm: refusing it breaks interoperability.')),
      }),
    );
  }
  const side = role === 'server' ? 'client' : 'server';
  const weak: { name: string; what: string; chain: CertVariation[]; leaf?: CertVariation; rule: (p: Profile) => boolean; ref: string }[] = [
    { name: 'sha1-intermediate', what: 'an intermediate signed with SHA-1', chain: cas(1, { 1: { signatureHash: 'SHA-1' } }), rule: (p) => p.certificates[side].forbiddenSignatureHashes.includes('sha1'), ref: 'limbo webpki::forbidden-signature-algorithm' },
    { name: 'sha1-leaf-under-intermediate', what: 'a leaf signed with SHA-1 by an intermediate', chain: cas(1), leaf: { signatureHash: 'SHA-1' }, rule: (p) => p.certificates[side].forbiddenSignatureHashes.includes('sha1'), ref: 'RFC 9155 §5' },
    { name: 'rsa1024-intermediate', what: 'an RSA-1024 intermediate', chain: cas(1, { 1: { key: 'rsa-1024' } }), rule: (p) => p.certificates[side].minRsaBits > 1024, ref: 'limbo webpki::forbidden-weak-rsa-key-in-root' },
    { name: 'rsa1024-leaf-under-intermediate', what: 'an RSA-1024 leaf under an intermediate', chain: cas(1), leaf: { key: 'rsa-1024' }, rule: (p) => p.certificates[side].minRsaBits > 1024, ref: 'limbo webpki::forbidden-weak-rsa-in-leaf' },
  ];
  for (const w of weak) {
    out.push(
      entry({
        name: w.name,
        title: `A ${h} chain with ${w.what} is refused`,
        chain: { intermediates: w.chain, ...(w.leaf ? { leaf: w.leaf } : {}) },
        refs: [w.ref, 'NIST SP 800-131A Rev. 2'],
        policy: (p) => (w.rule(p) ? required('reject', 'The profile forbids this algorithm anywhere in the path, not only on the leaf.') : info('accept', 'The profile allows this algorithm.')),
      }),
    );
  }
  return out;
};
export default algorithms;
