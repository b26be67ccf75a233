import { resolve } from 'node:path';
import { HarnessError, UsageError, quote } from '../errors.js';
import { shellQuote } from '../probes/client-command-probe.js';
import type { ReportTarget } from '../report/report.js';
import { CONTAINER_CERTS_DIR, imageExists, pingEngine } from './container-target.js';

/**
 * One notion of a target that is a client, as server-target.ts is for servers: a command run once
 * per case, or a container image run once per case. Each kind says how it is run, where it sees the
 * certificate files, what to clean up after a case, and checks what it needs before the run.
 */

export interface ClientImageSpec {
  name: string;
  args: string[];
  env: Record<string, string>;
}

export interface ClientTarget {
  /** The shell command run per case ({url}, {ca}, ... substituted). */
  command: string;
  report: ReportTarget;
  /** Where the client sees a file of the certificate directory. */
  pathFor(hostPath: string): string;
  /** Run after each case, whatever happened. */
  cleanupCommand?: string;
  /** Extra environment for the command. */
  env?: Record<string, string>;
  warnings: string[];
  /** Checked before any case runs (an engine that answers, an image that exists). */
  check(): Promise<void>;
}

/** The CONFORMANCE_* variables of the client contract (docs: README "Testing a client"). */
export const CLIENT_CONTRACT_ENV = ['CONFORMANCE_URL', 'CONFORMANCE_HOST', 'CONFORMANCE_PORT', 'CONFORMANCE_CA_FILE', 'CONFORMANCE_CRL_FILE', 'CONFORMANCE_CLIENT_CERT', 'CONFORMANCE_CLIENT_KEY'] as const;

/** `--target-client CMD`: a program on this machine. */
export function commandTarget(command: string): ClientTarget {
  if (!command.trim()) throw new UsageError('target-client-empty', 'error: --target-client "" is empty. Give the command that runs your client, e.g. --target-client \'node my-client.js {url}\'.');
  const warnings = /\{(url|host|port)\}/.test(command)
    ? []
    : [`warning: --target-client ${quote(command)} has no {url} placeholder: the URL is passed only in the environment (CONFORMANCE_URL, CONFORMANCE_HOST, CONFORMANCE_PORT).`];
  return { command, report: { kind: 'client-command', command }, pathFor: (p) => p, warnings, check: async () => undefined };
}

/** `--target-client-image IMAGE`: one container per case on the host network, the certificates at /conformance. */
export function imageClientTarget(image: ClientImageSpec, certsDir: string): ClientTarget {
  const dir = resolve(certsDir);
  // Named after the case's port, so the cleanup of one case never touches another's container.
  const containerName = 'mtls-conformance-client-{port}';
  const envFlags = [...CLIENT_CONTRACT_ENV, ...Object.keys(image.env)].flatMap((k) => ['-e', k]);
  const args = image.args.map((a) => (/^\{(url|host|port|ca|cert|key|crl)\}$/.test(a) ? a : shellQuote(a)));
  const command = ['docker', 'run', '--rm', '--network', 'host', '--name', containerName, '-v', `${shellQuote(dir)}:${CONTAINER_CERTS_DIR}:ro`, ...envFlags, shellQuote(image.name), ...args].join(' ');
  const engine = () => process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  return {
    command,
    report: { kind: 'container', role: 'client', image: image.name, command },
    pathFor: (p) => CONTAINER_CERTS_DIR + p.slice(dir.length),
    cleanupCommand: `docker rm -f ${containerName} >/dev/null 2>&1 || true`,
    env: image.env,
    warnings: [],
    async check() {
      const why = await pingEngine(engine(), 3000);
      if (why) throw new HarnessError('no-container-engine', `error: --target-client-image ${quote(image.name)} needs a container engine, and none answers (${why}). Install and start Docker (apt-get install docker.io; dockerd), or test the client with --target-client 'command {url}'.`);
      if (!(await imageExists(engine(), image.name, 3000))) {
        throw new HarnessError('container-image-missing', `error: --target-client-image ${quote(image.name)} is not an image the engine has locally, and the harness does not pull from registries. Build or load it first, then re-run.`);
      }
    },
  };
}

export function clientTargetFor(opts: { command: string; image?: ClientImageSpec }, certsDir: string): ClientTarget {
  return opts.image ? imageClientTarget(opts.image, certsDir) : commandTarget(opts.command);
}
