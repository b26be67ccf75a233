import { HarnessError, quote } from '../errors.js';
import { onShutdown } from '../process/lifetime.js';
import { CONTAINER_CERTS_DIR, containerEngineFor, isRunning, logTail } from './container-engine.js';
import { startedTarget, type StartedServerTarget, type Target } from './target.js';
import { tlsAnswer } from './url-target.js';

/**
 * `--target-image IMAGE --target-port PORT`: a vendor's server image, started with testcontainers
 * on the host network (all traffic stays on 127.0.0.1), the `certs init` material mounted
 * read-only at /conformance, waited for until its port answers TLS, and always removed. Its log
 * is what is left when it stops: the run saves it beside the report.
 */

export interface ServerImageSpec {
  name: string;
  port: number;
  env: Record<string, string>;
  /** Command and arguments ({port} already substituted); the image's own when absent. */
  cmd?: string[];
}

export function serverImageTarget(image: ServerImageSpec): Target {
  return {
    role: 'server',
    source: `--target-image ${quote(image.name)}`,
    async start(ctx) {
      const tc = await containerEngineFor('--target-image', image.name, 'test a running service with --target https://host:port');
      const startTimeoutMs = Math.max(ctx.timeoutMs * 4, 20_000);
      let container: import('testcontainers').StartedTestContainer;
      try {
        let generic = new tc.GenericContainer(image.name)
          .withNetworkMode('host')
          .withBindMounts([{ source: ctx.certsDir, target: CONTAINER_CERTS_DIR, mode: 'ro' }])
          .withEnvironment({ CONFORMANCE_PORT: String(image.port), ...image.env })
          .withPullPolicy({ shouldPull: () => false });
        if (image.cmd && image.cmd.length > 0) generic = generic.withCommand(image.cmd);
        container = await generic.start();
      } catch (err) {
        const msg = (err as Error).message.split('\n')[0] ?? '';
        throw new HarnessError('container-start-failed', `--target-image ${quote(image.name)} could not be started: ${msg}. Check the image name (build or load it locally first) and --target-cmd.`);
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

      // A signalled run removes its container at once (no log, no grace): nothing outlives the run.
      const unregister = onShutdown(`container ${image.name}`, () => container.stop({ remove: true, timeout: 0 }));
      const url = `https://127.0.0.1:${image.port}`;
      const started = startedTarget<StartedServerTarget>(
        {
          role: 'server',
          endpoint: { host: '127.0.0.1', port: image.port, servername: ctx.servername ?? '127.0.0.1', url },
          report: { kind: 'container', image: image.name, port: image.port, url },
          protocol: ctx.protocol ?? 'https',
          timeoutMs: ctx.timeoutMs,
          warnings: [],
        },
        async () => {
          unregister();
          const log = await readLogs().catch(() => '');
          await container.stop({ remove: true, timeout: 2_000 }).catch(() => undefined);
          return { log };
        },
      );

      // Wait until the port answers TLS, bounded; a container that exits early is reported with its log.
      const deadline = Date.now() + startTimeoutMs;
      for (;;) {
        const obs = await tlsAnswer('127.0.0.1', image.port, 1000);
        if (obs.outcome !== 'harness-error' && obs.outcome !== 'timeout') break;
        const running = await isRunning(tc, container.getId());
        if (!running || Date.now() > deadline) {
          const { log } = await started.stop();
          const why = running ? `did not answer TLS on 127.0.0.1:${image.port} within ${startTimeoutMs} ms` : 'exited before answering TLS';
          throw new HarnessError('container-not-ready', `--target-image ${quote(image.name)} ${why}. Last log lines: ${JSON.stringify(logTail(log ?? '', 5))}. Check --target-port and --target-cmd.`);
        }
        await new Promise((r) => setTimeout(r, 150));
      }
      return started;
    },
  };
}
