import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Material } from '../../certs/generate.js';
import type { Profile } from '../profile/schema.js';
import type { ReportTarget } from '../report/report.js';
import type { ServerPlan } from '../run/plan.js';
import { startReferenceServer } from '../peers/reference-server.js';
import { startContainerTarget } from './container-target.js';
import { parseTarget, preflight } from './target.js';

/**
 * One notion of a target that is a server: each kind (a URL, an embedded reference server, a
 * container image) is a `ServerTarget` whose `start()` gives a started target to probe and to stop
 * (testcontainers' GenericContainer -> StartedTestContainer is the model). Adding a kind touches
 * this file only.
 */

export interface ServerTargetContext {
  profile: Profile;
  /** A certificate of the store by name (server, client-ca, ...). */
  cert(name: string): Material & { certPem: string; keyPem: string };
  certsDir: string;
  timeoutMs: number;
  servername?: string;
  protocol?: ServerPlan['protocol'];
}

export interface StartedServerTarget extends AsyncDisposable {
  endpoint: ServerPlan['target'];
  report: ReportTarget;
  protocol: ServerPlan['protocol'];
  /** Stop what start() started; returns the container's log, if any. Idempotent. */
  stop(): Promise<string | undefined>;
}

export interface ServerTarget {
  start(ctx: ServerTargetContext): Promise<StartedServerTarget>;
}

export interface ImageSpec {
  name: string;
  port: number;
  env: Record<string, string>;
  cmd?: string[];
}

function started(endpoint: ServerPlan['target'], report: ReportTarget, protocol: ServerPlan['protocol'], stopOnce: () => Promise<string | undefined>): StartedServerTarget {
  let stopping: Promise<string | undefined> | undefined;
  const stop = () => (stopping ??= stopOnce());
  return { endpoint, report, protocol, stop, [Symbol.asyncDispose]: async () => void (await stop()) };
}

/** `--target https://host:port` or `tls://host:port`: nothing to start; checked by a preflight handshake. */
export function urlTarget(input: string): ServerTarget {
  const spec = parseTarget(input);
  if (spec.kind !== 'url') return builtinTarget(spec.name);
  return {
    async start(ctx) {
      const endpoint = { host: spec.host, port: spec.port, servername: ctx.servername ?? spec.host, url: spec.url };
      await preflight(endpoint, ctx.timeoutMs);
      return started(endpoint, { kind: 'url', url: spec.url }, ctx.protocol ?? spec.protocol, async () => undefined);
    },
  };
}

/** `builtin:strict` / `builtin:lenient`: an embedded reference server on 127.0.0.1. */
/** The client CRL bundle `certs init` writes (trust/client-crl.pem), if the store has one. */
function readCrlBundle(certsDir: string): string | undefined {
  try {
    return readFileSync(join(certsDir, 'trust', 'client-crl.pem'), 'utf8') || undefined;
  } catch {
    return undefined;
  }
}

export function builtinTarget(name: 'strict' | 'lenient'): ServerTarget {
  return {
    async start(ctx) {
      const server = await startReferenceServer({
        mode: name,
        profile: ctx.profile,
        serverCertPem: ctx.cert('server').certPem,
        serverKeyPem: ctx.cert('server').keyPem,
        clientCaPem: ctx.cert('client-ca').certPem,
        clientCrlPem: readCrlBundle(ctx.certsDir),
      });
      const endpoint = { host: server.host, port: server.port, servername: ctx.servername ?? server.host, url: server.url };
      return started(endpoint, { kind: 'url', url: server.url, builtin: name }, ctx.protocol ?? 'https', async () => void (await server.close()));
    },
  };
}

/** `--target-image`: a server image started on the host network, certificates mounted read-only. */
export function imageTarget(image: ImageSpec): ServerTarget {
  return {
    async start(ctx) {
      const container = await startContainerTarget({ image: image.name, port: image.port, env: image.env, cmd: image.cmd, certsDir: ctx.certsDir, startTimeoutMs: Math.max(ctx.timeoutMs * 4, 20_000) });
      const endpoint = { host: container.host, port: container.port, servername: ctx.servername ?? container.host, url: container.url };
      return started(endpoint, { kind: 'container', image: image.name, port: image.port, url: container.url }, ctx.protocol ?? 'https', () => container.stop());
    },
  };
}

/** The target a run's options name. The target string is parsed (and refused) before anything starts. */
export function serverTargetFor(opts: { target: string; image?: ImageSpec }): ServerTarget {
  return opts.image ? imageTarget(opts.image) : urlTarget(opts.target);
}
