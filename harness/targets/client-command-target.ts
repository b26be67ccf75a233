import { UsageError, quote } from '../errors.js';
import { runCommand, substitute } from '../probes/client-command-probe.js';
import { startedTarget, type StartedClientTarget, type Target } from './target.js';

/**
 * `--target-client CMD`: a client program on this machine, run once per case by /bin/sh in a
 * process group of its own ({url} {host} {port} {ca} {cert} {key} {crl} substituted, the
 * CONFORMANCE_* variables in its environment), killed with its group at the case timeout.
 */

/** The CONFORMANCE_* variables of the client contract (docs: README "Testing a client"). */
export const CLIENT_CONTRACT_ENV = ['CONFORMANCE_URL', 'CONFORMANCE_HOST', 'CONFORMANCE_PORT', 'CONFORMANCE_SERVERNAME', 'CONFORMANCE_CONNECT', 'CONFORMANCE_RESOLVE', 'CONFORMANCE_CA_FILE', 'CONFORMANCE_CRL_FILE', 'CONFORMANCE_CLIENT_CERT', 'CONFORMANCE_CLIENT_KEY'] as const;

export function clientCommandTarget(command: string): Target {
  if (!command.trim()) throw new UsageError('target-client-empty', '--target-client "" is empty. Give the command that runs your client, e.g. --target-client \'node my-client.js {url}\'.');
  const warnings = /\{(url|host|port|connect)\}/.test(command)
    ? []
    : [`warning: --target-client ${quote(command)} has no {url} placeholder: the URL is passed only in the environment (CONFORMANCE_URL, CONFORMANCE_HOST, CONFORMANCE_PORT).`];
  return {
    role: 'client',
    source: `--target-client ${quote(command)}`,
    async start(ctx) {
      return startedTarget<StartedClientTarget>({
        role: 'client',
        report: { kind: 'client-command', command },
        timeoutMs: ctx.timeoutMs,
        warnings,
        pathFor: (p) => p,
        launch: (l) => runCommand(substitute(command, l.values), { cwd: ctx.cwd, timeoutMs: l.timeoutMs, env: l.env }),
      });
    },
  };
}
