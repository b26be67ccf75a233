import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where certificates are cached when no --certs is given: $XDG_CACHE_HOME or ~/.cache. */
export function defaultCertsDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'mtls-conformance', 'certs');
}
