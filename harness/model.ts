/**
 * The nouns that flow through the harness, as plain data:
 * profile -> cases -> probes -> observations -> judge -> verdicts -> reports.
 */

/** A TLS alert as seen on the wire (RFC 8446 §6): its code and registry name (harness/tls/alerts.ts names them). */
export interface Alert {
  code: number;
  name: string;
}

export type Role = 'server' | 'client';
export type Severity = 'required' | 'recommended' | 'info';
export type Expectation = 'accept' | 'reject' | 'property';
export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
/**
 * What the application round trip is: https, a request over whichever of HTTP/2 and HTTP/1.1 the
 * server selects by ALPN; grpc, a gRPC call over HTTP/2; tls, the connection staying open.
 */
export type AppProtocol = 'https' | 'grpc' | 'tls';

/** How an exchange ended. The one list: the report schema's `outcome` enum is built from it. */
export const OUTCOMES = [
  'handshake-alert',
  'post-handshake-alert',
  'tcp-reset',
  'closed-no-data',
  'http-status',
  /** A gRPC response: judged by its grpc-status (the profile's rejection.grpcStatuses), as http-status by its status. */
  'grpc-status',
  /**
   * An answer that is neither an accepted call nor a refusal the profile can name: a gRPC call
   * answered without a grpc-status, or with one that is not a status code (0-16). httpStatus says
   * what HTTP status came with it; detail, what was seen.
   */
  'malformed-answer',
  'accepted',
  'timeout',
  'harness-error',
  /** Client targets: the command ended without ever opening a connection to the reference server. */
  'no-connection',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What one probe saw. Never judged here: `judge` decides what it means. */
export interface Observation {
  outcome: Outcome;
  alert: Alert | null;
  httpStatus: number | null;
  tlsVersion: string | null;
  cipher: string | null;
  detail: string;
  durationMs: number;
  /** The application protocol the server selected by ALPN (`h2`, `http/1.1`); null when it selected none. Absent: the handshake did not complete. */
  alpn?: string | null;
  /** For a gRPC response: its grpc-status (0 OK, 16 UNAUTHENTICATED, 7 PERMISSION_DENIED, ...). */
  grpcStatus?: number | null;
  /** The certificate the target presented, when the handshake got that far. */
  peer?: PeerCertificateFacts;
  /** Client targets: what the reference server saw and how the command ended. */
  client?: ClientRunFacts;
  /** Cases that require an answer within a bound (`answerWithin`): that bound (the probe's --timeout), for the verdict's reason. */
  answerBoundMs?: number;
  /** Suite sweeps: the suites (IANA names) the target accepted when each was offered alone. */
  sweep?: {
    version: string;
    accepted: string[];
    inconclusive: string[];
    offered: number;
    /**
     * Whether any ClientHello got a ServerHello: one of the sweep's, or, when it accepted nothing, one
     * offering every suite at TLS 1.3 and at TLS 1.2. false: the target completed no handshake at all,
     * so "accepts no suite" proves nothing. Absent in reports written before it was recorded.
     */
    handshakeSeen?: boolean;
  };
  /** server/session/ticket-lifetime: the session lifetimes the target announced, and the late resumption. */
  session?: SessionFacts;
  /** server/protocol/renegotiation: what a client-initiated renegotiation on TLS 1.2 got. */
  renegotiation?: RenegotiationFacts;
  /** server/protocol/fallback-scsv: a lower-version ClientHello carrying TLS_FALLBACK_SCSV. */
  fallback?: FallbackFacts;
  /** Revocation cases: which mechanisms the target was seen to use. */
  revocation?: RevocationFacts;
  /** Client targets: what the client offered in its ClientHello (versions and suites, IANA names; GREASE and SCSVs left out). */
  offered?: { versions: string[]; suites: string[]; statusRequest?: boolean };
  /** server/client-auth/certificate-verify-wrong-key and server/certificate/requests-client-ca: the harness's own handshakes. */
  clientSignature?: ClientSignatureFacts;
}

/**
 * What the CertificateVerify prober (harness/probes/certificate-verify-probe.ts) saw: per version a
 * control (CertificateVerify signed with the certificate's own key) and, for the wrong-key case, a
 * run signed with a fresh key of the same type.
 */
export interface ClientSignatureFacts {
  runs: ClientSignatureRun[];
  /** The first CertificateRequest seen: the CAs it names (RFC 8446 §4.2.4, RFC 5246 §7.4.4). Null: none seen. */
  certificateRequest: { certificateAuthorities: string[]; namesClientCa: boolean } | null;
  /** Whether a server flight was read completely (server Finished verified) on any run: a missing CertificateRequest then means none was sent. */
  serverFlightRead: boolean;
  /** Why the prober did not run at all (e.g. --protocol grpc: the prober speaks HTTP/1.1 only). */
  notRun?: string;
}

export interface ClientSignatureRun {
  version: 'TLSv1.3' | 'TLSv1.2';
  /** Signed with the right key: the wrong-key refusal only counts once this got in. */
  control: Observation;
  /** Signed with another key; null for a control-only probe. */
  wrongKey: Observation | null;
}

/** What the harness saw of a target's revocation checking during one case. */
export interface RevocationFacts {
  /** running: this run served the CDP and OCSP URLs; shared: another run on the same certificate store does (its log is not ours); unavailable: nobody (port taken). */
  responder: 'running' | 'shared' | 'unavailable';
  /** CAs whose CRL was fetched from the distribution point while the case ran (the harness cannot tell which connection fetched it). */
  crlFetches: string[];
  /** OCSP requests about this case's certificate, with the status answered. */
  ocspRequests: { serial: string; status: 'good' | 'revoked' | 'unknown' }[];
  /** Client targets: whether the client asked for a stapled OCSP response (status_request), if seen. */
  stapleRequested?: boolean;
  /** Client targets: the CRL file handed to the client ({crl}, CONFORMANCE_CRL_FILE). */
  crlFile?: string;
  /**
   * What the target was seen to do about revocation during the case, on the wire: fetched a CRL
   * from a distribution point, sent an OCSP request, asked for a stapled response. Reading a CRL
   * file is not visible from outside; crlFile says one was handed over.
   */
  mechanisms?: ('cdp-fetch' | 'ocsp-request' | 'staple-request')[];
  detail: string;
}

/** What one TLS version's connection showed about session resumption. */
export interface SessionVersionFacts {
  version: 'TLSv1.2' | 'TLSv1.3';
  /**
   * negotiated: a full handshake with the valid client certificate completed; not-spoken: the
   * target refused the version; failed: the handshake or request did not complete otherwise.
   */
  status: 'negotiated' | 'not-spoken' | 'failed';
  /** Sessions the `session` event gave (TLS 1.3: one per NewSessionTicket). */
  sessions: number;
  /** Sessions that carry a ticket (RFC 8446 §4.6.1, RFC 5077 §3.3); the others resume by session id. */
  tickets: number;
  /** ticket_lifetime(_hint) of each ticket, seconds; 0 in TLS 1.2 means unspecified (RFC 5077 §3.3). */
  lifetimes: number[];
  /** With --slow: whether the target resumed a fresh session offered at once (the control: resumption works at all). */
  resumedAtOnce?: boolean | null;
  /** With --slow: whether the target resumed the session offered after the wait. */
  resumedAfterWait?: boolean | null;
  detail: string;
}

export interface SessionFacts {
  versions: SessionVersionFacts[];
  /** With --slow: the age of the sessions when they were offered again, seconds; absent: not checked. */
  waitedSeconds?: number;
}

export interface RenegotiationFacts {
  /**
   * accepted: the renegotiation handshake completed; refused: alert, error or close; ignored: the
   * target neither renegotiated nor refused within the wait; not-applicable: no TLS 1.2 session to
   * renegotiate (the target does not speak TLS 1.2); failed: the initial TLS 1.2 connection failed otherwise.
   */
  result: 'accepted' | 'refused' | 'ignored' | 'not-applicable' | 'failed';
  alert: Alert | null;
  detail: string;
}

export interface FallbackFacts {
  /** Versions a raw ClientHello got a ServerHello for, highest first. */
  spoken: string[];
  /** The version of the fallback ClientHello; null when there is no lower version to fall back to. */
  fallbackVersion: string | null;
  /** What the fallback ClientHello with TLS_FALLBACK_SCSV got. */
  result: 'inappropriate-fallback' | 'other-refusal' | 'accepted' | 'not-applicable' | 'no-answer';
  alert: Alert | null;
  detail: string;
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
  /**
   * What the client sent with its certificate, as the reference server saw it: the intermediates
   * (CA certificates that are not self-signed: the server's trust holds only the client CA, so
   * these came from the client), and whether the leaf is issued directly by a self-signed root.
   */
  presentedChain?: { intermediates: number; issuedByRoot: boolean };
  /** ISO time of the observation: certificate validity is judged against it. */
  observedAt: string;
  /** Where the client printed private key material (redacted from the tails above); absent or empty: nowhere. */
  printedKeyMaterial?: ('stdout' | 'stderr')[];
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
  | 'peer-end-entity'
  | 'suites-allowed'
  | 'session-lifetime'
  | 'renegotiation-refused'
  | 'fallback-refused'
  | 'offered-versions'
  | 'offered-suites'
  | 'client-cert-presented'
  | 'client-cert-eku'
  | 'client-cert-key-strength'
  | 'client-cert-validity-period'
  | 'client-cert-not-expired'
  | 'client-cert-renewal-window'
  | 'client-cert-identity'
  | 'client-cert-end-entity'
  | 'client-key-not-printed'
  | 'requests-client-ca'
  | 'client-cert-chain-sent';

export type VerdictValue = 'pass' | 'fail' | 'inconclusive' | 'skip';

export interface Verdict {
  verdict: VerdictValue;
  reason: string;
}

/** How the harness presents itself in a client-handshake probe. */
export interface HandshakeRecipe {
  kind: 'client-handshake';
  /** Store name of the certificate to present (derived from the case's chain spec by cases/registry.ts), or null to present none. */
  cert: string | null;
  /** Send only the leaf even if its spec names a chain. */
  leafOnly?: boolean;
  /** Pin one protocol version; absent: the profile's allowed versions. */
  version?: TlsVersion;
  /** The harness presents weak or legacy material on purpose: run its side at OpenSSL security level 0 (derived from the chain spec and version). */
  legacy?: boolean;
  /** A revocation case: what the target asked the harness's CRL/OCSP responder is attached to the observation. */
  revocation?: boolean;
}

/** The harness plays the server: a reference server with one case's certificate chain and protocol settings. */
export interface ReferenceServerRecipe {
  kind: 'reference-server';
  /** Store name of the server certificate to present (derived from the case's chain spec by cases/registry.ts). */
  cert: string;
  version?: TlsVersion;
  legacy?: boolean;
  /** A revocation case: the server staples a revoked OCSP response when asked, and the responder's log is attached. */
  revocation?: boolean;
  /** The DNS name the client must verify ({url}, {host}, {name} carry it); absent: 127.0.0.1. */
  serverName?: string;
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

/** Full handshakes at TLS 1.3 and 1.2 with the valid certificate, reading the session tickets the target issues; with --slow, a late resumption. */
export interface SessionLifetimeRecipe {
  kind: 'session-lifetime';
}

/** A TLS 1.2 connection with the valid certificate, then a client-initiated renegotiation. */
export interface RenegotiationRecipe {
  kind: 'renegotiation';
}

/** Raw ClientHellos: the versions the target speaks, then one below its highest with TLS_FALLBACK_SCSV. */
export interface FallbackScsvRecipe {
  kind: 'fallback-scsv';
}

/**
 * The harness's own client handshake (certificate-verify-probe.ts) with the valid certificate:
 * `wrong-key` signs CertificateVerify with another key after a right-key control, per version;
 * `certificate-request` is one right-key handshake, read for its CertificateRequest.
 */
export interface CertificateVerifyRecipe {
  kind: 'certificate-verify';
  mode: 'wrong-key' | 'certificate-request';
}

export type Recipe =
  | CertificateVerifyRecipe
  | HandshakeRecipe
  | ReferenceServerRecipe
  | RawHelloRecipe
  | SuiteSweepRecipe
  | ControlRecipe
  | SessionLifetimeRecipe
  | RenegotiationRecipe
  | FallbackScsvRecipe;

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
  /** The family a report groups the case under (deep corpus: `name-constraints`, `path-building`); absent: its `<role>/<area>`. */
  family?: string;
  /** The suite that adds the case (`deep`, `exhaustive`); absent: the default suite. */
  suite?: SuiteName;
}

/** `--suite`: core (the default suite), deep (core + the corpus), exhaustive (deep + the full name-constraint product). */
export type SuiteName = 'core' | 'deep' | 'exhaustive';
export const SUITE_NAMES: readonly SuiteName[] = ['core', 'deep', 'exhaustive'];

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
  /** The case requires an answer (accept or refuse) within the bound; which one is information (harness/cases/define.ts Policy). */
  answerWithin?: boolean;
}

export interface CaseResult {
  case: ResolvedCase;
  observation: Observation | null;
  verdict: Verdict;
}
