import { http } from '../node-http.js';
import { HarnessError, quote } from '../errors.js';
import { importTestcontainers } from '../optional-import.js';

/**
 * The container engine both image kinds (server-image-target.ts, client-image-target.ts) run on:
 * testcontainers loaded on demand, the engine asked whether it answers and has the image, before
 * anything starts. The harness never pulls from a registry.
 */

/** Where the certificate material appears inside a container (README documents these). */
export const CONTAINER_CERTS_DIR = '/conformance';

const { request } = http;

function engineHost(): string {
  return process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
}

/**
 * testcontainers, ready for `image`: the optional package loaded (missing: exit 2), the engine
 * answering and the image present locally (else exit 3, one line naming `flag`). `fallback` is
 * the sentence that says what to do without an engine.
 */
export async function containerEngineFor(flag: string, image: string, fallback: string): Promise<typeof import('testcontainers')> {
  // The optional peer first: a missing package is a usage error (exit 2), before any engine check.
  const tc = await importTestcontainers(`${flag} ${quote(image)}`);
  // testcontainers' resource reaper needs a registry image; the target is removed by us instead.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  const engine = engineHost();
  const why = await pingEngine(engine, 3000);
  if (why) {
    throw new HarnessError('no-container-engine', `${flag} ${quote(image)} needs a container engine, and none answers at ${engine} (${why}). Install and start Docker (apt-get install docker.io; dockerd), or ${fallback}.`);
  }
  if (!(await imageExists(engine, image, 3000))) {
    throw new HarnessError('container-image-missing', `${flag} ${quote(image)} is not an image the engine has locally, and the harness does not pull from registries. Build or load it first (docker build / docker load / docker import), then re-run.`);
  }
  // Tell testcontainers the engine we checked, so it does not fall back to another one.
  process.env.DOCKER_HOST = engine;
  return tc;
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

/** Whether the container still runs (false if the engine cannot say). */
export async function isRunning(tc: typeof import('testcontainers'), id: string): Promise<boolean> {
  try {
    const client = await tc.getContainerRuntimeClient();
    const info = await client.container.inspect(client.container.getById(id));
    return Boolean(info.State?.Running);
  } catch {
    return false;
  }
}

/** The last lines of a log, for a one-line message. */
export function logTail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
