/**
 * The nouns that flow through the harness, as plain data:
 * profile -> cases -> probes -> observations -> judge -> verdicts -> reports.
 */
import type { Alert } from './probes/alerts.js';

export type Role = 'server' | 'client';
export type Severity = 'required' | 'recommended' | 'info';
export type Expectation = 'accept' | 'reject' | 'property';
export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export type Outcome =
  | 'handshake-alert'
  | 'post-handshake-alert'
  | 'tcp-reset'
  | 'closed-no-data'
  | 'http-status'
  | 'accepted'
  | 'timeout'
  | 'harness-error'
  /** Client targets: the command ended without ever opening a connection to the reference server. */
  | 'no-connection';

/** What one probe saw. Never judged here: `judge` decides what it means. */
export interface Observation {
  outcome: Outcome;
  alert: Alert | null;
  httpStatus: number | null;
  tlsVersion: string | null;
  cipher: string | null;
  detail: string;
  durationMs: number;
  /** The certificate the target presented, when the handshake got that far. */
  peer?: PeerCertificateFacts;
  /** Client targets: what the reference server saw and how the command ended. */
  client?: ClientRunFacts;
  /** Suite sweeps: the suites (IANA names) the target accepted when each was offered alone. */
  sweep?: { version: string; accepted: string[]; inconclusive: string[]; offered: number };
}

export interface ClientRunFacts {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Last lines of the command's output, for the report of a failed case. */
  stdoutTail: string;
  stderrTail: string;
  connected: boolean;
  handshakeCompleted: boolean;
  /** Request line of the application request the client sent, if it sent one. */
  request: string | null;
  /** The certificate the client presented (public; PEM), null if none. */
  presentedCertPem: string | null;
  /** Whether the presented certificate verifies against the CA the client's certificate should come from. */
  presentedAuthorized: boolean;
  presentedError: string | null;
  /** ISO time of the observation: certificate validity is judged against it. */
  observedAt: string;
}

export interface PeerCertificateFacts {
  /** Verified against --target-ca (or the default trust) by the harness. */
  authorized: boolean;
  authorizationError: string | null;
  /** RFC 6125 / RFC 9110 §4.3.4 check of the name the harness connected to. */
  hostnameMatches: boolean;
  hostnameError: string | null;
  subject: string;
  issuer: string;
  validTo: string;
  /** The leaf the target presented (public; PEM), and when: its properties are judged against that time. */
  certPem: string;
  observedAt: string;
  /** Whether the chain the target sent (not the one Node completes locally) leads to a trust anchor. */
  chain?: { complete: boolean; sent: number; detail: string };
}

export type PropertyName =
  | 'peer-trusted'
  | 'peer-hostname'
  | 'peer-eku'
  | 'peer-key-strength'
  | 'peer-validity-period'
  | 'peer-not-expired'
  | 'peer-renewal-window'
  | 'peer-signature-algorithm'
  | 'peer-chain-complete'
  | 'suites-allowed'
  | 'client-cert-presented'
  | 'client-cert-eku'
  | 'client-cert-key-strength'
  | 'client-cert-validity-period'
  | 'client-cert-not-expired'
  | 'client-cert-renewal-window'
  | 'client-cert-identity';

export type VerdictValue = 'pass' | 'fail' | 'inconclusive' | 'skip';

export interface Verdict {
  verdict: VerdictValue;
  reason: string;
}

/** How the harness presents itself in a client-handshake probe. */
export interface HandshakeRecipe {
  kind: 'client-handshake';
  /** Store name of the certificate to present, or null to present none. */
  cert: string | null;
  /** Send only the leaf even if its spec names a chain. */
  leafOnly?: boolean;
  /** Pin one protocol version; absent: the profile's allowed versions. */
  version?: TlsVersion;
  /** The harness presents weak or legacy material on purpose: run its side at OpenSSL security level 0. */
  legacy?: boolean;
}

/** The harness plays the server: a reference server with one case's certificate chain and protocol settings. */
export interface ReferenceServerRecipe {
  kind: 'reference-server';
  /** Store name of the server certificate to present. */
  cert: string;
  version?: TlsVersion;
  legacy?: boolean;
}

/** A ClientHello written by the harness: sees versions and suites the local OpenSSL cannot offer. */
export interface RawHelloRecipe {
  kind: 'raw-version';
  version: 'SSLv3' | TlsVersion;
}

/** Offer each known suite alone at one version and record which the target accepts. */
export interface SuiteSweepRecipe {
  kind: 'suite-sweep';
  version: 'TLSv1.2' | 'TLSv1.3';
}

/** A property case judged from the positive control's observation (e.g. the target's own certificate). */
export interface ControlRecipe {
  kind: 'control';
}

export type Recipe = HandshakeRecipe | ReferenceServerRecipe | RawHelloRecipe | SuiteSweepRecipe | ControlRecipe;

/** A case as declared in the catalogue, before a profile gives it an expectation. */
export interface CaseDefinition {
  id: string;
  title: string;
  role: Role;
  recipe: Recipe;
  refs: string[];
  /** True for the one case per role that must be accepted before any rejection means anything. */
  positiveControl?: boolean;
  /** For property cases: which property of the observation is checked. */
  property?: PropertyName;
}

/** A case with what the profile expects of it. */
export interface ResolvedCase extends Omit<CaseDefinition, 'property'> {
  property?: CaseDefinition['property'];
  expect: Expectation;
  severity: Severity;
  rationale: string;
  /** Set when the profile makes the case not applicable. */
  skip?: string;
  /** Set when the profile waives a failure of this case. */
  waived?: string;
}

export interface CaseResult {
  case: ResolvedCase;
  observation: Observation | null;
  verdict: Verdict;
}
