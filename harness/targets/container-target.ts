import { makeDirs } from '../io/make-dirs.js';
import { writeFile } from 'node:fs/promises';
import { http } from '../node-http.js';

const { request } = http;
import { join } from 'node:path';
import { importTestcontainers } from '../optional-import.js';
import { HarnessError, UsageError, quote } from '../errors.js';
import { tlsAnswer } from './target.js';
import { onShutdown } from '../process/lifetime.js';

/**
 * A vendor's server image as the target: started with testcontainers on the host network (all
 * traffic stays on 127.0.0.1), the `certs init` material mounted read-only at /conformance, waited
 * for until its port answers TLS, and always removed. Its log goes into the report directory.
 */

/** Where the certificate material appears inside the container (README documents these). */
export const CONTAINER_CERTS_DIR = '/conformance';

export interface ContainerTargetOptions {
  image: string;
  port: number;
  env: Record<string, string>;
  cmd?: string[];
  certsDir: string;
  /** Bound on waiting for the port to answer TLS. */
  startTimeoutMs: number;
}

export interface StartedContainerTarget extends AsyncDisposable {
  host: string;
  port: number;
  url: string;
  id: string;
  /** Stop and remove the container; returns its log. */
  stop(): Promise<string>;
}

export function parseEnvFlags(values: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError('target-env-invalid', `error: --target-env ${quote(v)} is not KEY=VALUE. Pass e.g. --target-env TLS_PORT=8443.`);
    env[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return env;
}

function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export async function startContainerTarget(opts: ContainerTargetOptions): Promise<StartedContainerTarget> {
  // The optional peer first: a missing package is a usage error (exit 2), before any engine check.
  const tc = await importTestcontainers(`--target-image ${quote(opts.image)}`);
  // testcontainers' resource reaper needs a registry image; the target is removed by us instead.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  const engine = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const why = await pingEngine(engine, 3000);
  if (why) {
    throw new HarnessError(
      'no-container-engine',
      `error: --target-image ${quote(opts.image)} needs a container engine, and none answers at ${engine} (${why}). Install and start Docker (apt-get install docker.io; dockerd), or test a running service with --target https://host:port.`,
    );
  }
  if (!(await imageExists(engine, opts.image, 3000))) {
    throw new HarnessError('container-image-missing', `error: --target-image ${quote(opts.image)} is not an image the engine has locally, and the harness does not pull from registries. Build or load it first (docker build / docker load / docker import), then re-run.`);
  }
  // Tell testcontainers the engine we checked, so it does not fall back to another one.
  process.env.DOCKER_HOST = engine;
  let container: import('testcontainers').StartedTestContainer;
  try {
    let generic = new tc.GenericContainer(opts.image)
      .withNetworkMode('host')
      .withBindMounts([{ source: opts.certsDir, target: CONTAINER_CERTS_DIR, mode: 'ro' }])
      .withEnvironment({ CONFORMANCE_PORT: String(opts.port), ...opts.env })
      .withPullPolicy({ shouldPull: () => false });
    if (opts.cmd && opts.cmd.length > 0) generic = generic.withCommand(opts.cmd);
    container = await generic.start();
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0] ?? '';
    throw new HarnessError('container-start-failed', `error: --target-image ${quote(opts.image)} could not be started: ${msg}. Check the image name (build or load it locally first) and --target-cmd.`);
  }

  const readLogs = async (): Promise<string> => {
    const stream = await container.logs();
    return await new Promise<string>((resolve) => {
      let text = '';
      stream.on('data', (d: Buffer | string) => (text += d.toString()));
      stream.on('end', () => resolve(text));
      stream.on('error', () => resolve(text));
      // A running container's log stream follows forever: take what is there now.
      setTimeout(() => {
        stream.destroy();
        resolve(text);
      }, 300);
    });
  };

  let stopped: Promise<string> | undefined;
  // A signalled run removes its container at once (no log, no grace): nothing outlives the run.
  const unregister = onShutdown(`container ${opts.image}`, () => container.stop({ remove: true, timeout: 0 }));
  const stop = () =>
    (stopped ??= (async () => {
      unregister();
      const log = await readLogs().catch(() => '');
      await container.stop({ remove: true, timeout: 2_000 }).catch(() => undefined);
      return log;
    })());

  // Wait until the port answers TLS, bounded; a container that exits early is reported with its log.
  const deadline = Date.now() + opts.startTimeoutMs;
  for (;;) {
    const obs = await tlsAnswer('127.0.0.1', opts.port, 1000);
    if (obs.outcome !== 'harness-error' && obs.outcome !== 'timeout') break;
    const running = await isRunning(tc, container.getId());
    if (!running || Date.now() > deadline) {
      const log = await stop();
      const why = running ? `did not answer TLS on 127.0.0.1:${opts.port} within ${opts.startTimeoutMs} ms` : 'exited before answering TLS';
      throw new HarnessError('container-not-ready', `error: --target-image ${quote(opts.image)} ${why}. Last log lines: ${JSON.stringify(tail(log, 5))}. Check --target-port and --target-cmd.`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    host: '127.0.0.1',
    port: opts.port,
    url: `https://127.0.0.1:${opts.port}`,
    id: container.getId(),
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop();
    },
  };
}

/** GET /_ping on the engine's API; null when it answers, else why not. Bounded by timeoutMs. */
export async function pingEngine(dockerHost: string, timeoutMs: number): Promise<string | null> {
  const r = await engineGet(dockerHost, '/_ping', timeoutMs);
  return typeof r === 'string' ? r : r === 200 ? null : `HTTP ${r} from /_ping`;
}

/** Whether the engine has the image locally (no registry is pulled from: tests build theirs). */
export async function imageExists(dockerHost: string, image: string, timeoutMs: number): Promise<boolean> {
  return (await engineGet(dockerHost, `/images/${encodeURIComponent(image)}/json`, timeoutMs)) === 200;
}

/** GET on the engine's API: the HTTP status, or why there was none. Bounded by timeoutMs. */
function engineGet(dockerHost: string, path: string, timeoutMs: number): Promise<number | string> {
  return new Promise((resolve) => {
    const unix = dockerHost.startsWith('unix://') ? dockerHost.slice('unix://'.length) : null;
    const tcp = /^tcp:\/\/([^:/]+):(\d+)/.exec(dockerHost);
    if (!unix && !tcp) {
      resolve(`DOCKER_HOST ${quote(dockerHost)} is neither unix:// nor tcp://`);
      return;
    }
    const req = request({ ...(unix ? { socketPath: unix } : { host: tcp![1], port: Number(tcp![2]) }), path, method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}

async function isRunning(tc: typeof import('testcontainers'), id: string): Promise<boolean> {
  try {
    const client = await tc.getContainerRuntimeClient();
    const info = await client.container.inspect(client.container.getById(id));
    return Boolean(info.State?.Running);
  } catch {
    return false;
  }
}

export async function saveContainerLog(reportDir: string | undefined, log: string): Promise<void> {
  if (!reportDir) return;
  await makeDirs(reportDir);
  await writeFile(join(reportDir, 'container.log'), log);
}
