import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's own directory (the one holding package.json), from source or from dist/. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'profiles'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('mtls-conformance: cannot find the package root');
    dir = up;
  }
  return dir;
}

export const PACKAGE_ROOT = findRoot();

export function packagePath(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}

export const PACKAGE_VERSION: string = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * The command-line entry a child `conformance run` is started with: the bundle (the package's bin,
 * scripts/bundle-cli.mjs) where it was built, else the unbundled entry (a checkout built with tsc only).
 */
export function cliEntry(): string {
  const bundle = packagePath('dist', 'cli', 'conformance.js');
  return existsSync(bundle) ? bundle : packagePath('dist', 'harness', 'cli', 'main.js');
}
