import { parse as parseShellWords } from 'shell-quote';
import { UsageError, quote } from '../errors.js';
import { parseEnvFlags } from './container-target.js';
import type { ImageSpec } from './server-target.js';

/**
 * The run's target flags -> the one target a run tests. Every kind is decided here, once:
 * a server (URL, builtin, image) or a client (command, image).
 */

export type TargetChoice =
  | { role: 'server'; target: string; image?: ImageSpec }
  | { role: 'client'; command: string; image?: { name: string; args: string[]; env: Record<string, string> } };

export interface TargetFlags {
  target?: string;
  targetImage?: string;
  targetPort?: number;
  targetEnv: string[];
  targetCmd?: string;
  targetClient?: string;
  targetClientImage?: string;
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
    throw new UsageError('target-cmd-shell', `error: ${flag} ${quote(value)} contains the shell syntax ${quote(op)}; it is split into words, not run by a shell. Quote the word, or wrap the command in: sh -c '...'.`);
  });
}

export function targetFromFlags(flags: TargetFlags): TargetChoice {
  const given = (
    [
      ['--target', flags.target],
      ['--target-image', flags.targetImage],
      ['--target-client', flags.targetClient],
      ['--target-client-image', flags.targetClientImage],
    ] as const
  ).filter(([, v]) => v !== undefined);
  if (given.length > 1) {
    throw new UsageError('target-conflict', `error: ${given.map(([f, v]) => `${f} ${quote(v)}`).join(' and ')} given together: a run tests one target. Pass one of them.`);
  }
  // Flags of an image target given without one would be dropped without a word.
  if (flags.targetImage === undefined && flags.targetClientImage === undefined) {
    const stray = [flags.targetPort !== undefined && '--target-port', flags.targetEnv.length > 0 && '--target-env', flags.targetCmd !== undefined && '--target-cmd'].filter(Boolean);
    if (stray.length > 0) throw new UsageError('target-flag-without-image', `error: ${stray.join(', ')} only go${stray.length === 1 ? 'es' : ''} with --target-image or --target-client-image. Remove ${stray.length === 1 ? 'it' : 'them'}, or name the image.`);
  }
  if (flags.targetClientImage !== undefined) {
    const args = flags.targetCmd ? commandWords('--target-cmd', flags.targetCmd) : [];
    return { role: 'client', command: `image ${flags.targetClientImage}`, image: { name: flags.targetClientImage, args, env: parseEnvFlags(flags.targetEnv) } };
  }
  if (flags.targetClient !== undefined) return { role: 'client', command: flags.targetClient };
  if (flags.targetImage !== undefined) {
    if (!flags.targetPort) throw new UsageError('target-port-missing', `error: --target-image ${quote(flags.targetImage)} needs --target-port: the TLS port the image listens on (host networking).`);
    const port = flags.targetPort;
    // {port} in --target-cmd becomes --target-port.
    const cmd = flags.targetCmd ? commandWords('--target-cmd', flags.targetCmd).map((w) => w.replace(/\{port\}/g, String(port))) : undefined;
    return { role: 'server', target: `container:${flags.targetImage}`, image: { name: flags.targetImage, port, env: parseEnvFlags(flags.targetEnv), cmd } };
  }
  return { role: 'server', target: flags.target ?? 'builtin:strict' };
}
