import type { CertVariation, ChainSpec } from '../../../certs/chain-spec.js';
import type { Eku, San } from '../../../certs/spec.js';
import type { PkiRules, Profile } from '../../profile/schema.js';
import type { Role, Severity } from '../../model.js';
import { info, recommended, required, type CaseEntry, type ChainProbe, type Policy } from '../define.js';

/**
 * The vocabulary of the deep corpus (issue 16 §2, docs/corpus-plan.md): each family is a generator
 * of CaseEntries for one role, each case varying one thing from a valid chain under the anchor the
 * target already trusts (client-ca for a server target, the {ca} file for a client target).
 */

/** A family: its cases for the target's role. */
export type Family = (role: Role) => CaseEntry[];

/** The EKU a leaf of this role's chains needs: a server target is shown client certificates. */
export function rightEku(role: Role): Eku {
  return role === 'server' ? 'clientAuth' : 'serverAuth';
}
export function wrongEku(role: Role): Eku {
  return role === 'server' ? 'serverAuth' : 'clientAuth';
}

/** Who holds the chain, for titles. */
export function holder(role: Role): string {
  return role === 'server' ? 'client certificate' : 'server certificate';
}

/**
 * n inline intermediates from the anchor down, each allowing exactly the CAs below it
 * (pathLenConstraint n-1 .. 0), with `at` varying the one at a depth (1 = under the anchor).
 */
export function cas(n: number, at: Record<number, CertVariation> = {}): CertVariation[] {
  return Array.from({ length: n }, (_, i) => ({ pathLength: n - 1 - i, ...at[i + 1] }));
}

/** The name a client target verifies in the deep client cases (README "Testing a client": {resolve}, {name}). */
export const HOST = 'api.mtls-conformance.localhost';
/** The address every reference server listens on and the default client cases verify. */
export const LOOPBACK: San = { type: 'ip', value: '127.0.0.1' };

/**
 * A case entry with the fields every deep case has. `expect` and `severity` may depend on the profile.
 */
export interface DeepCase {
  name: string;
  title: string;
  chain: ChainSpec;
  refs: string[];
  policy: (p: Profile) => Policy;
  probe?: ChainProbe;
  positiveControl?: boolean;
}

export function entry(c: DeepCase): CaseEntry {
  return { name: c.name, title: c.title, chain: c.chain, refs: c.refs, policy: c.policy, ...(c.probe ? { probe: c.probe } : {}) };
}

export const must = (expect: 'accept' | 'reject', why: string) => () => required(expect, why);
export const should = (expect: 'accept' | 'reject', why: string) => () => recommended(expect, why);
export const note = (expect: 'accept' | 'reject', why: string) => () => info(expect, why);

/** Hex of a string's UTF-8 bytes (raw GeneralNames for sanRaw). */
export function hex(s: string): string {
  return Buffer.from(s, 'utf8').toString('hex');
}

/** One document's reading of a certificate: what a validator following it does, and why (its clause). */
export interface Reading {
  expect: 'accept' | 'reject';
  why: string;
  /** Default required. recommended where the document itself lets a validator go either way (a MAY). */
  severity?: Severity;
}

/**
 * A certificate on which RFC 5280 and the Web PKI (CA/B Forum Baseline Requirements) disagree
 * (issue 16 §2: "where RFC 5280 and the Web PKI disagree, a profile field chooses").
 */
export interface Disagreement {
  rfc5280: Reading;
  webpki: Reading;
  /**
   * Under `certificates.rules: either`: the reading whose expectation the case shows as information,
   * or the case's own policy where it is not information (the profile's EKU rule decides it). Either
   * way the expectation a profile without the field had before it existed, so its verdicts do not move.
   */
  either: Exclude<PkiRules, 'either'> | ((p: Profile) => Policy);
  /**
   * A rule of the profile itself that refuses the certificate whatever the documents say (EKU
   * required or exclusive, hostname matching, a SAN identity): consulted where the chosen reading accepts.
   */
  profileRule?: (p: Profile) => Policy | undefined;
}

const ruleName = { rfc5280: 'RFC 5280', webpki: 'the Web PKI (CA/B BR)' } as const;
const verb = { accept: 'accepts', reject: 'refuses' } as const;
const say = (rules: Exclude<PkiRules, 'either'>, r: Reading) => `${ruleName[rules]} ${verb[r.expect]}: ${r.why}`;
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The policy of a Disagreement under the profile's `certificates.rules`. */
export function decideByRules(d: Disagreement): (p: Profile) => Policy {
  return (p) => {
    const rules = p.certificates.rules;
    const both = `${say('rfc5280', d.rfc5280)} ${cap(say('webpki', d.webpki))}`;
    if (rules === 'either') {
      if (typeof d.either === 'function') {
        const own = d.either(p);
        return { ...own, rationale: `${own.rationale} (Where the documents disagree: ${both} certificates.rules chooses.)` };
      }
      return info(d[d.either].expect, `${both} The profile takes neither side (certificates.rules: either): information.`);
    }
    const chosen = d[rules];
    const other = rules === 'rfc5280' ? 'webpki' : 'rfc5280';
    const own = chosen.expect === 'accept' ? d.profileRule?.(p) : undefined;
    if (own) return own;
    const rationale = `certificates.rules: ${rules}. ${cap(say(rules, chosen))} ${cap(ruleName[other])} would ${d[other].expect === 'accept' ? 'accept' : 'refuse'} it.`;
    return { expect: chosen.expect, severity: chosen.severity ?? 'required', rationale };
  };
}

/** The side whose certificate the target validates: a server target is shown client certificates. */
export function side(role: Role): 'client' | 'server' {
  return role === 'server' ? 'client' : 'server';
}

/** profileRule: the profile requires the role's purpose to be listed in EKU (certificates.<side>.eku: required | exclusive). */
export const ekuListed = (role: Role, what: string) => (p: Profile): Policy | undefined => {
  const rule = p.certificates[side(role)].eku;
  return rule === 'any' ? undefined : required('reject', `The profile requires ${rightEku(role)} to be listed (certificates.${side(role)}.eku: ${rule}); ${what}.`);
};
