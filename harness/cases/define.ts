import type { Profile } from '../profile/schema.js';
import type { CaseDefinition, Expectation, HandshakeRecipe, PropertyName, Recipe, ReferenceServerRecipe, Role, Severity, SuiteName, TlsVersion } from '../model.js';
import type { ChainSpec } from '../../certs/chain-spec.js';

/**
 * How a case is written: one entry in the file of its area (harness/cases/<role>/<area>.ts). The
 * id's role and area come from where the entry lives; its certificates are a chain spec, not a name.
 */

export interface Policy {
  expect: Expectation;
  severity: Severity;
  rationale: string;
  skip?: string;
  /**
   * A denial-of-service case (limbo's `denial-of-service` feature): what the severity requires is an
   * answer, acceptance or refusal, within the bound (--timeout); a target that gives neither fails.
   * Which answer it gives is information: `expect` is the reference expectation, shown in the reason.
   */
  answerWithin?: boolean;
}

export const required = (expect: Expectation, rationale: string): Policy => ({ expect, severity: 'required', rationale });
export const recommended = (expect: Expectation, rationale: string): Policy => ({ expect, severity: 'recommended', rationale });
export const info = (expect: Expectation, rationale: string): Policy => ({ expect, severity: 'info', rationale });

/** What a case with a chain adds to its handshake (server role) or reference server (client role). */
export interface ChainProbe {
  /** Pin one protocol version; absent: the profile's allowed versions (the harness offers TLS 1.2-1.3). */
  version?: TlsVersion;
  /** A revocation case: what the target asked the harness's CRL/OCSP responder is attached to the observation. */
  revocation?: boolean;
  /**
   * Client role: the DNS name the client must verify instead of 127.0.0.1 (it reaches the
   * reference server under it by {resolve}, {name}/{connect}, or a resolver mapping .localhost to loopback).
   */
  serverName?: string;
}

/** The probes that carry no certificate of the case's own. */
export type OtherProbe = Exclude<Recipe, HandshakeRecipe | ReferenceServerRecipe>;

export interface CaseEntry {
  /** Last segment of the id: `expired` in server/client-auth/expired. Stable once released. */
  name: string;
  title: string;
  /**
   * Server role: the client certificate chain the harness presents (null: none). Client role: the
   * server chain the reference server serves. `{}` is the side's valid leaf under its CA.
   */
  chain?: ChainSpec | null;
  /** For a case with a chain: what it adds (version, revocation). Otherwise: its probe. */
  probe?: ChainProbe | OtherProbe;
  refs: string[];
  /** The expectation, severity and rationale a profile gives the case. */
  policy: (profile: Profile) => Policy;
  /** The one case per role that must be accepted before any rejection means anything. */
  positiveControl?: boolean;
  /** For property cases: which property of the observation is checked. */
  property?: PropertyName;
  /** The report family, when it differs from the area's. */
  family?: string;
}

/** The cases of one `<role>/<area>` file. */
export interface AreaCases {
  role: Role;
  area: string;
  entries: CaseEntry[];
  /** The suite the area belongs to; absent: the default suite (core). */
  suite?: SuiteName;
  /** The report family of its cases (deep areas: the area name). */
  family?: string;
}

export function area(role: Role, name: string, entries: CaseEntry[]): AreaCases {
  return { role, area: name, entries };
}

/** A case of the catalogue: its definition (recipe derived from the chain) and the rule a profile applies. */
export interface CatalogueEntry extends CaseDefinition {
  /** The chain the case presents or serves; null: presents none; absent: the probe carries no certificate. */
  chain?: ChainSpec | null;
  policy: (profile: Profile) => Policy;
}
