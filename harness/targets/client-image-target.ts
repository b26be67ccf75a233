import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import type { WaitStrategy } from 'testcontainers';
import { quote } from '../errors.js';
import type { ClientLaunch, ClientRun } from '../plan.js';
import { TAIL_BYTES } from '../probes/client-command-probe.js';
import { onShutdown } from '../process/lifetime.js';
import { CONTAINER_CERTS_DIR, containerEngineFor } from './container-engine.js';
import { startedTarget, type StartedClientTarget, type Target } from './target.js';

/**
 * `--target-client-image IMAGE`: a client image, run through testcontainers once per case: one
 * container on the host network (the case's reference server listens on 127.0.0.1), the
 * certificate directory mounted read-only at /conformance, the CONFORMANCE_* variables and
 * --target-env in its environment, --target-cmd as its arguments ({url} {host} {port} {ca} {cert}
 * {key} {crl} substituted). The run waits for the one-shot container to exit, bounded by the case
 * timeout, takes its exit code and output, and removes it. A case whose client verifies a host
 * name has that name mapped to 127.0.0.1 in the container's /etc/hosts (loopbackHosts).
 */

export interface ClientImageSpec {
  name: string;
  args: string[];
  env: Record<string, string>;
}

type DockerContainer = Parameters<WaitStrategy['waitUntilReady']>[0];

/** An engine log (stdout and stderr multiplexed: 8-byte frame headers, stream 1 or 2) -> both streams, each a bounded tail. */
export function demuxLog(raw: Buffer): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  let i = 0;
  while (i + 8 <= raw.length) {
    const size = raw.readUInt32BE(i + 4);
    const chunk = raw.subarray(i + 8, i + 8 + size).toString('utf8');
    if (raw[i] === 2) out.stderr = (out.stderr + chunk).slice(-TAIL_BYTES);
    else out.stdout = (out.stdout + chunk).slice(-TAIL_BYTES);
    i += 8 + size;
  }
  return out;
}

/**
 * testcontainers' one-shot startup wait (Wait.forOneShotStartup) fails, and removes the container
 * with its output, when the exit code is not 0, and polls once a second. A client that refuses a
 * bad server exits non-zero, and that is an observation: this one waits for the exit (the engine's
 * wait call, no polling), keeps the exit code and output, and fails only at the bound.
 */
class ExitWaitStrategy implements WaitStrategy {
  exit: { code: number; stdout: string; stderr: string } | null = null;
  timedOut = false;
  output = { stdout: '', stderr: '' };
  constructor(private startupTimeoutMs: number, private image: string) {}
  withStartupTimeout(ms: number): this {
    this.startupTimeoutMs = ms;
    return this;
  }
  isStartupTimeoutSet(): boolean {
    return true;
  }
  getStartupTimeout(): number {
    return this.startupTimeoutMs;
  }
  async waitUntilReady(container: DockerContainer): Promise<void> {
    // A signalled run removes the container at once: nothing outlives the run.
    const unregister = onShutdown(`client container ${this.image}`, () => container.remove({ force: true }));
    let timer: NodeJS.Timeout | undefined;
    try {
      const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), this.startupTimeoutMs)));
      const waited = await Promise.race([container.wait() as Promise<{ StatusCode: number }>, late]);
      const logs = demuxLog(await container.logs({ stdout: true, stderr: true, follow: false }));
      if (waited === 'late') {
        this.timedOut = true;
        this.output = logs;
        // testcontainers stops and removes the container on this error.
        throw new Error(`the client container did not exit within ${this.startupTimeoutMs} ms`);
      }
      this.exit = { code: waited.StatusCode, ...logs };
    } finally {
      clearTimeout(timer);
      unregister();
    }
  }
}

/**
 * The /etc/hosts entries of one case's container: the name its client must dial and verify ({host},
 * {name}: a name under .localhost for the deep suite's hostname cases), on 127.0.0.1 where the
 * reference server listens. RFC 6761 §6.3 says .localhost names are loopback, but glibc's resolver
 * maps only `localhost` itself (from /etc/hosts), so inside an image the name does not resolve; on
 * the host network the container's 127.0.0.1 is the host's. An address needs no entry.
 */
export function loopbackHosts(values: Record<string, string>): { host: string; ipAddress: string }[] {
  const names = new Set([values.host, values.name].filter((n): n is string => !!n && isIP(n) === 0));
  return [...names].map((host) => ({ host, ipAddress: '127.0.0.1' }));
}

/** Remove a container by name, if the engine still has it (bounded by the engine client's own timeouts). */
async function removeQuietly(tc: typeof import('testcontainers'), name: string): Promise<void> {
  try {
    const client = await tc.getContainerRuntimeClient();
    await client.container.dockerode.getContainer(name).remove({ force: true });
  } catch {
    // Already gone.
  }
}

export function clientImageTarget(image: ClientImageSpec): Target {
  return {
    role: 'client',
    source: `--target-client-image ${quote(image.name)}`,
    async start(ctx) {
      const tc = await containerEngineFor('--target-client-image', image.name, "test the client with --target-client 'command {url}'");
      const dir = resolve(ctx.certsDir);
      const launch = async (l: ClientLaunch): Promise<ClientRun> => {
        const wait = new ExitWaitStrategy(l.timeoutMs, image.name);
        // Named, so a container the engine created but could not start is found and removed too.
        const name = `mtls-conformance-client-${randomUUID()}`;
        // No shell: each --target-cmd word is one argument, its placeholders replaced in place.
        const args = image.args.map((a) => a.replace(/\{(url|host|port|ca|cert|key|crl|name|connect|resolve)\}/g, (m, k: string) => l.values[k] ?? m));
        let generic = new tc.GenericContainer(image.name)
          .withName(name)
          .withNetworkMode('host')
          .withExtraHosts(loopbackHosts(l.values))
          .withBindMounts([{ source: dir, target: CONTAINER_CERTS_DIR, mode: 'ro' }])
          .withEnvironment({ ...image.env, ...l.env })
          .withPullPolicy({ shouldPull: () => false })
          .withWaitStrategy(wait)
          .withStartupTimeout(l.timeoutMs);
        if (args.length > 0) generic = generic.withCommand(args);
        try {
          const done = await generic.start();
          await done.stop({ remove: true, timeout: 0 }).catch(() => undefined);
        } catch (err) {
          if (wait.timedOut) return { exitCode: null, signal: null, timedOut: true, spawnError: null, ...wait.output };
          await removeQuietly(tc, name);
          const why = (err as Error).message.split('\n')[0] ?? 'the container did not start';
          // As `docker run` says it (and a shell would): 127 for a command not found, 126 for one that cannot run.
          const exitCode = /executable file not found|no such file or directory/i.test(why) ? 127 : /permission denied/i.test(why) ? 126 : null;
          return { exitCode, signal: null, timedOut: false, spawnError: exitCode === null ? why : null, stdout: '', stderr: why };
        }
        const exit = wait.exit!;
        return { exitCode: exit.code, signal: null, timedOut: false, spawnError: null, stdout: exit.stdout, stderr: exit.stderr };
      };
      return startedTarget<StartedClientTarget>({
        role: 'client',
        report: { kind: 'container', role: 'client', image: image.name, ...(image.args.length > 0 ? { args: image.args } : {}) },
        timeoutMs: ctx.timeoutMs,
        warnings: [],
        pathFor: (p) => CONTAINER_CERTS_DIR + resolve(p).slice(dir.length),
        launch,
      });
    },
  };
}
