import { parse as parseShellWords } from 'shell-quote';
import { UsageError, quote } from '../errors.js';
import { builtinTarget } from './builtin-target.js';
import { clientCommandTarget } from './client-command-target.js';
import { clientImageTarget } from './client-image-target.js';
import { serverImageTarget } from './server-image-target.js';
import type { Target } from './target.js';
import { urlTarget } from './url-target.js';

/**
 * The run's target flags -> the one Target a run tests, decided here once, by a table: each row is
 * a flag that names a target and the kind it makes. Adding a kind is its file plus one row.
 */

export interface TargetFlags {
  target?: string;
  targetImage?: string;
  targetPort?: number;
  targetEnv: string[];
  targetCmd?: string;
  targetClient?: string;
  targetClientImage?: string;
}

/** The flags that only shape an image target (--target-port, --target-env, --target-cmd). */
export type ImageFlags = Pick<TargetFlags, 'targetPort' | 'targetEnv' | 'targetCmd'>;

interface TargetRow {
  flag: string;
  key: 'target' | 'targetImage' | 'targetClient' | 'targetClientImage';
  /** Whether --target-port, --target-env and --target-cmd go with it. */
  takesImageFlags: boolean;
  make(value: string, flags: ImageFlags): Target;
}

/** Every flag that names a target, and the kind it makes. */
export const TARGET_FLAGS: readonly TargetRow[] = [
  { flag: '--target', key: 'target', takesImageFlags: false, make: (value) => (value.startsWith('builtin:') ? builtinTarget(value) : urlTarget(value)) },
  {
    flag: '--target-image',
    key: 'targetImage',
    takesImageFlags: true,
    make(name, flags) {
      if (!flags.targetPort) throw new UsageError('target-port-missing', `--target-image ${quote(name)} needs --target-port: the TLS port the image listens on (host networking).`);
      const port = flags.targetPort;
      // {port} in --target-cmd becomes --target-port.
      const cmd = flags.targetCmd ? commandWords('--target-cmd', flags.targetCmd).map((w) => w.replace(/\{port\}/g, String(port))) : undefined;
      return serverImageTarget({ name, port, env: parseEnvFlags(flags.targetEnv), cmd });
    },
  },
  { flag: '--target-client', key: 'targetClient', takesImageFlags: false, make: (command) => clientCommandTarget(command) },
  {
    flag: '--target-client-image',
    key: 'targetClientImage',
    takesImageFlags: true,
    make: (name, flags) => clientImageTarget({ name, args: flags.targetCmd ? commandWords('--target-cmd', flags.targetCmd) : [], env: parseEnvFlags(flags.targetEnv) }),
  },
];

/** With no target flag, a run tests the embedded reference server. */
export const DEFAULT_TARGET = 'builtin:strict';

/**
 * The Target the flags name, or a usage error (exit 2) before anything is read or started: two
 * targets, an image flag without an image, a target value that is refused.
 */
export function targetFromFlags(flags: TargetFlags): Target {
  const given = TARGET_FLAGS.filter((row) => flags[row.key] !== undefined);
  if (given.length > 1) {
    throw new UsageError('target-conflict', `${given.map((row) => `${row.flag} ${quote(flags[row.key])}`).join(' and ')} given together: a run tests one target. Pass one of them.`);
  }
  const row = given[0];
  // Flags of an image target given without one would be dropped without a word.
  if (!row?.takesImageFlags) {
    const stray = [flags.targetPort !== undefined && '--target-port', flags.targetEnv.length > 0 && '--target-env', flags.targetCmd !== undefined && '--target-cmd'].filter(Boolean);
    if (stray.length > 0) throw new UsageError('target-flag-without-image', `${stray.join(', ')} only go${stray.length === 1 ? 'es' : ''} with --target-image or --target-client-image. Remove ${stray.length === 1 ? 'it' : 'them'}, or name the image.`);
  }
  return row ? row.make(flags[row.key]!, flags) : builtinTarget(DEFAULT_TARGET);
}

/** Whether any flag names a target (without one, the run says it tests the embedded server). */
export function targetGiven(flags: TargetFlags): boolean {
  return TARGET_FLAGS.some((row) => flags[row.key] !== undefined);
}

/**
 * Words of --target-cmd, split as a POSIX shell would (quotes, escapes), but never run by a shell:
 * an operator (`;`, `|`, `&&`, redirections) or a glob is refused instead of silently becoming a word.
 */
export function commandWords(flag: string, value: string): string[] {
  const words = parseShellWords(value, (name) => `$${name}`);
  return words.map((w) => {
    if (typeof w === 'string') return w;
    const op = 'op' in w ? (w.op === 'glob' ? (w as { pattern: string }).pattern : w.op) : 'comment' in w ? `#${w.comment}` : String(w);
    throw new UsageError('target-cmd-shell', `${flag} ${quote(value)} contains the shell syntax ${quote(op)}; it is split into words, not run by a shell. Quote the word, or wrap the command in: sh -c '...'.`);
  });
}

/** --target-env KEY=VALUE (repeatable) -> the container's environment. */
export function parseEnvFlags(values: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError('target-env-invalid', `--target-env ${quote(v)} is not KEY=VALUE. Pass e.g. --target-env TLS_PORT=8443.`);
    env[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return env;
}
