import type { Profile } from '../profile/schema.js';
import type { TlsVersion } from '../model.js';
import type { CertSide, ChainSpec } from '../../certs/chain-spec.js';
import { info, recommended, required, type Policy } from './define.js';

/** Rules and texts that cases of several area files share. */

export const RFC5280_PATH = 'RFC 5280 §6.1';

/**
 * A revocation case's expectation from the profile's `revocation` setting for the target's role.
 * off skips it; the default (recommended) reports a target that does not check without failing it.
 */
export function revocationPolicy(p: Profile, role: 'server' | 'client', why: string): Policy {
  const setting = p.revocation?.[role] ?? 'recommended';
  if (setting === 'off') return { ...info('reject', `The profile does not ask for revocation checks (revocation.${role}: off).`), skip: `the profile does not ask for revocation checks (revocation.${role}: off)` };
  const rationale = `${why} The profile sets revocation.${role}: ${setting}${setting === 'recommended' ? ' (a target that does not check is reported, not failed)' : ''}.`;
  return setting === 'required' ? required('reject', rationale) : recommended('reject', rationale);
}

/**
 * A version is required only where the profile says so (tls.requiredVersions). Refusing an allowed
 * TLS 1.2 or 1.3 that is not required is an interoperability note (RFC 9325 §3.1.1: implementations
 * MUST support TLS 1.2 and SHOULD support 1.3, but a partner policy may choose 1.3 only): a TLS 1.3-only
 * target is conformant under a profile that merely allows 1.2. An allowed TLS 1.0/1.1 is information.
 */
export function versionPolicy(p: Profile, version: TlsVersion, refuse: string): Policy {
  if (!p.tls.versions.includes(version)) return required('reject', `The profile allows ${p.tls.versions.join(', ')}; ${refuse}.`);
  if (p.tls.requiredVersions.includes(version)) return required('accept', `The profile requires ${version} (tls.requiredVersions).`);
  if (version === 'TLSv1.2' || version === 'TLSv1.3') {
    return recommended('accept', `The profile allows ${version} but does not require it (tls.requiredVersions): refusing it is an interoperability note, not a failure; partners that speak only ${version} cannot connect.`);
  }
  return info('accept', `The profile allows ${version} but does not require it.`);
}

/**
 * Path validation beyond the leaf (RFC 5280 §6.1), the same five defects in both directions: each
 * chain differs from a valid one in one thing, and is sent whole. `intermediates` names the shared
 * CAs of the side (certs/matrix.ts) from the anchor down.
 */
export interface PathDefect {
  name: string;
  what: string;
  refs: string[];
  why: string;
  chain: (side: CertSide) => ChainSpec;
}

export const PATH_DEFECTS: PathDefect[] = [
  {
    name: 'expired-intermediate',
    what: 'issued by an intermediate CA that has expired',
    refs: ['RFC 5280 §6.1.3 (a)(2)', 'RFC 5280 §4.1.2.5'],
    why: 'Every certificate in the path must be inside its validity period (RFC 5280 §6.1.3 (a)(2)), not only the leaf; a validator that checks the leaf alone accepts certificates from a retired CA.',
    chain: (side) => ({ intermediates: [`${side}-intermediate-expired`] }),
  },
  {
    name: 'intermediate-no-basic-constraints',
    what: 'issued by an intermediate without basicConstraints (keyUsage keyCertSign set)',
    refs: ['RFC 5280 §4.2.1.9', 'RFC 5280 §6.1.4 (k)'],
    why: 'Without basicConstraints cA TRUE the issuer is not a CA (RFC 5280 §6.1.4 (k)), whatever its keyUsage asserts: any certificate holder could otherwise issue certificates.',
    chain: (side) => ({ intermediates: [`${side}-intermediate-no-bc`] }),
  },
  {
    name: 'path-length-exceeded',
    what: 'issued below an intermediate whose pathLenConstraint is 0',
    refs: ['RFC 5280 §4.2.1.9', 'RFC 5280 §6.1.4 (l)', 'RFC 5280 §6.1.4 (m)'],
    why: 'The intermediate has pathLenConstraint 0: no further CA may follow it (RFC 5280 §6.1.4 (l), (m)), yet a CA below it issued this certificate.',
    chain: (side) => ({ intermediates: [`${side}-intermediate`, `${side}-intermediate-sub`] }),
  },
  {
    name: 'name-constraints-violated',
    what: "whose names fall outside its issuing CA's name constraints",
    refs: ['RFC 5280 §4.2.1.10', 'RFC 5280 §6.1.3 (b)', 'RFC 5280 §6.1.3 (c)'],
    why: 'The issuing intermediate permits only permitted.invalid, 192.0.2.0/24, 2001:db8::/32 and O=mtls-conformance permitted subtree; the leaf names none of them (RFC 5280 §6.1.3 (b), (c)). Name constraints are how a partner CA is limited to its own names.',
    chain: (side) => ({ intermediates: [`${side}-intermediate-nc`] }),
  },
  {
    name: 'unknown-critical-extension',
    what: 'carrying a critical extension the validator cannot know',
    refs: ['RFC 5280 §4.2', 'RFC 5280 §6.1.5 (f)'],
    why: 'RFC 5280 §4.2: a system MUST reject a certificate that has a critical extension it does not recognise; the extension (an id-TEST OID, RFC 7229) may restrict use in a way the validator would ignore.',
    chain: () => ({ leaf: { unknownCriticalExtension: true } }),
  },
];
