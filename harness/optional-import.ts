import { UsageError, quote } from './errors.js';

/**
 * Optional peer dependencies (testcontainers for container targets, vitest for the embedding) load
 * on demand, so a CI job that only probes a URL never installs them. When one is missing, the user
 * gets one line saying what to install (exit 2), not a module-resolution stack.
 */

export const OPTIONAL_PEERS = {
  testcontainers: '^11 || ^12',
  vitest: '^4 || ^5',
} as const;

export type OptionalPeer = keyof typeof OPTIONAL_PEERS;

export function isMissingModule(err: unknown, name: string): boolean {
  const e = err as NodeJS.ErrnoException;
  return (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && new RegExp(`['"]${name}['"/]`).test(String(e.message));
}

export function missingPeerError(name: OptionalPeer, feature: string): UsageError {
  return new UsageError(
    'optional-dependency-missing',
    // The command must paste into a shell as it is: no range with "||" in it.
    `${feature} needs the optional package ${quote(name)} (major ${OPTIONAL_PEERS[name].replace(/\^/g, "").replace(" || ", " or ")}), which is not installed. Install it beside mtls-conformance: npm install --save-dev ${name} (with npx: npx -p mtls-conformance -p ${name} conformance ...).`,
  );
}

export async function importTestcontainers(feature: string): Promise<typeof import('testcontainers')> {
  try {
    return await import('testcontainers');
  } catch (err) {
    if (isMissingModule(err, 'testcontainers')) throw missingPeerError('testcontainers', feature);
    throw err;
  }
}
