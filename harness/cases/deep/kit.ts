import type { CertVariation, ChainSpec } from '../../../certs/chain-spec.js';
import type { Eku, San } from '../../../certs/spec.js';
import type { Profile } from '../../profile/schema.js';
import type { Role } from '../../model.js';
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
