import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, quote } from '../errors.js';
import { startReferenceServer } from '../peers/reference-server.js';
import { startedTarget, type StartedServerTarget, type Target } from './target.js';

/**
 * `--target builtin:strict` / `builtin:lenient` (and a run with no target flag): an embedded
 * reference server on 127.0.0.1 (harness/peers/reference-server.ts), started for the run and
 * closed after it.
 */

export const BUILTIN_TARGETS = ['strict', 'lenient'] as const;
export type BuiltinName = (typeof BUILTIN_TARGETS)[number];

/** `builtin:NAME` -> NAME, or a usage error naming the two there are. */
export function parseBuiltinName(input: string): BuiltinName {
  const name = input.slice('builtin:'.length);
  if ((BUILTIN_TARGETS as readonly string[]).includes(name)) return name as BuiltinName;
  throw new UsageError('target-invalid', `--target ${quote(input)} names no embedded target: use builtin:strict or builtin:lenient.`);
}

/** The client CRL bundle `certs init` writes (trust/client-crl.pem), if the store has one. */
function readCrlBundle(certsDir: string): string | undefined {
  try {
    return readFileSync(join(certsDir, 'trust', 'client-crl.pem'), 'utf8') || undefined;
  } catch {
    return undefined;
  }
}

export function builtinTarget(input: string): Target {
  const name = parseBuiltinName(input);
  return {
    role: 'server',
    source: `--target ${quote(input)}`,
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
      return startedTarget<StartedServerTarget>(
        { role: 'server', endpoint, report: { kind: 'url', url: server.url, builtin: name }, protocol: ctx.protocol ?? 'https', timeoutMs: ctx.timeoutMs, warnings: [] },
        async () => {
          await server.close();
          return {};
        },
      );
    },
  };
}
