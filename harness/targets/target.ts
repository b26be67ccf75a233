import type { Material } from '../../certs/generate.js';
import type { AppProtocol } from '../model.js';
import type { ClientLauncher, ServerEndpoint } from '../plan.js';
import type { Profile } from '../profile/schema.js';
import type { ReportTarget } from '../report/report.js';

/**
 * One notion of a target, on the model of testcontainers' GenericContainer.start() ->
 * StartedTestContainer.stop() -> StoppedTestContainer: a `Target` is what the user named (parsed
 * and refused before anything starts, harness/targets/target-flags.ts); `start()` gives a
 * `StartedTarget` that says what it is for the report, how a case is observed against it and its
 * time bound; `stop()` gives a `StoppedTarget`, what is left of it (its log). One file per kind.
 */

export type TargetRole = 'server' | 'client';

/** What a target needs to start: the run's profile, certificates and bounds. */
export interface TargetContext {
  profile: Profile;
  /** A certificate of the store by name (server, client-ca, ...). */
  cert(name: string): Material & { certPem: string; keyPem: string };
  /** The certificate directory (absolute), mounted into container targets. */
  certsDir: string;
  timeoutMs: number;
  /** --servername: SNI and hostname-check name of a server target. */
  servername?: string;
  /** --protocol: how a server target's acceptance is read; else the kind's own default. */
  protocol?: AppProtocol;
  /** Working directory of a client command. */
  cwd: string;
}

export interface Target {
  role: TargetRole;
  /** The flag and value the user named it by, for messages: `--target-client "node c.js"`. */
  source: string;
  start(ctx: TargetContext): Promise<StartedTarget>;
}

/** What is left of a stopped target. */
export interface StoppedTarget {
  /** The target's log (a container's), saved beside the report. */
  log?: string;
}

interface StartedCommon extends AsyncDisposable {
  /** What the target is, for the report. */
  report: ReportTarget;
  /** Bound on one observation against the target (--timeout). */
  timeoutMs: number;
  /** Lines for the user about how the target was named (printed on stderr). */
  warnings: string[];
  /** Stop what start() started. Idempotent: the second call gives the first call's result. */
  stop(): Promise<StoppedTarget>;
}

/** A server target, started: a case is observed by connecting to its endpoint. */
export interface StartedServerTarget extends StartedCommon {
  role: 'server';
  endpoint: ServerEndpoint;
  protocol: AppProtocol;
}

/** A client target, started: a case is observed by launching the client once against the case's reference server. */
export interface StartedClientTarget extends StartedCommon {
  role: 'client';
  launch: ClientLauncher;
  /** Where the client sees a file of the certificate directory (a container sees /conformance/...). */
  pathFor(hostPath: string): string;
}

export type StartedTarget = StartedServerTarget | StartedClientTarget;

type Fields<T extends StartedTarget> = Omit<T, 'stop' | typeof Symbol.asyncDispose>;

/** A started target from its fields and what stopping it does (run once, whoever asks first). */
export function startedTarget<T extends StartedTarget>(fields: Fields<T>, stopOnce: () => Promise<StoppedTarget> = async () => ({})): T {
  let stopping: Promise<StoppedTarget> | undefined;
  const stop = () => (stopping ??= stopOnce());
  return { ...fields, stop, [Symbol.asyncDispose]: async () => void (await stop()) } as unknown as T;
}
