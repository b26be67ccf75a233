import type { RevocationPlan } from '../certs/revocation-data.js';
import type { AppProtocol, ResolvedCase } from './model.js';
import type { Profile } from './profile/schema.js';

/**
 * What a run hands its cases, as data: the plan for a server target (serialisable: vitest
 * `provide`s it to the suite) and the plan for a client target. The run builds it
 * (harness/run/prepare.ts), the probe adapters read it (harness/probes/server-case-probes.ts,
 * client-case-probe.ts). Types only: this file stands below every layer that uses it and imports
 * nothing above the model.
 */

export interface PresentedCert {
  chainPem: string;
  leafPem: string;
  keyPem: string;
}

/** Where a server target is reached. */
export interface ServerEndpoint {
  host: string;
  port: number;
  servername: string;
  url: string;
}

export interface ServerPlan {
  target: ServerEndpoint;
  profile: Profile;
  /** Cases to run (after --only); the positive control always runs, selected or not. */
  cases: ResolvedCase[];
  control: ResolvedCase;
  /** Client certificates by store name. Private keys stay in memory and in the 0600 store. */
  certs: Record<string, PresentedCert>;
  /** CA bundle that verifies the target's certificate. */
  targetCa: string[];
  /** A CA no target chains to, for seeing exactly the chain the target sends. */
  unrelatedCaPem: string;
  /** https: HTTP/2 or HTTP/1.1 by ALPN; grpc: a gRPC call over HTTP/2 to httpPath (`/`: the health check); tls: the connection stays open. */
  protocol: AppProtocol;
  httpPath: string;
  httpMethod: string;
  timeoutMs: number;
  readWindowMs: number;
  /** --slow: checks that wait in real time (a session offered again after the profile's maximum lifetime). */
  slow: boolean;
  /** The CRLs and OCSP answers the harness's responder serves for the run (the certificates' CDP and OCSP URL). */
  revocation?: RevocationPlan;
}

/** The files a client under test is handed, as the client sees them (a container sees /conformance/...). */
export interface ClientFiles {
  caFile: string;
  certFile?: string;
  keyFile?: string;
  crlFile?: string;
  /** A case's own CRL file where it has one (a stale CRL in its chain), by the store name of the certificate served: its {crl} instead of crlFile. */
  caseCrlFiles?: Record<string, string>;
}

/** One run of the client under test for one case: where to connect, and the CONFORMANCE_* environment. */
export interface ClientLaunch {
  /** {url} {host} {port} {ca} {cert} {key} {crl}: the placeholders of --target-client and --target-cmd. */
  values: Record<string, string>;
  /** The client contract's CONFORMANCE_* variables (README "Testing a client"). */
  env: Record<string, string>;
  /** Bound on the run: the client is killed (its container removed) after it. */
  timeoutMs: number;
}

/** How one run of the client ended. Output is kept to a bounded tail of each stream. */
export interface ClientRun {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Why the client could not be started at all, if so. */
  spawnError: string | null;
  stdout: string;
  stderr: string;
}

/** Runs the client once (a command on this machine, a one-shot container) and says how it ended; never throws for the client's behaviour. */
export type ClientLauncher = (launch: ClientLaunch) => Promise<ClientRun>;

/** The plan for a client target: how a case's client run is launched, and the server certificates the reference servers present. */
export interface ClientPlan {
  launch: ClientLauncher;
  profile: Profile;
  cases: ResolvedCase[];
  control: ResolvedCase;
  /** Server certificates by store name: chain (leaf + what the case sends) and key. */
  serverCerts: Record<string, { chainPem: string; keyPem: string }>;
  /** CA the client's own certificate should come from. */
  clientCaPem: string;
  files: ClientFiles;
  timeoutMs: number;
  /** The CRLs and OCSP answers the harness's responder serves for the run; also the stapled OCSP responses. */
  revocation?: RevocationPlan;
}

/** The most times `--repeat` / `repeat` runs one reject case (a bound on a run's length). */
export const MAX_REPEAT = 100;
