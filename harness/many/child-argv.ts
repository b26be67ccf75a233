import { scopeOf, splitRunTokens, type RunOptionScope, type WrittenFlag } from '../flags/run-options.js';
import { UsageError, quote } from '../errors.js';
import { targetsError, type TargetEntry } from './targets-file.js';

/**
 * What each child `conformance run` of a targets file is given: the user's own `run` tokens exactly
 * as written, minus the flags that name a target or steer the multi-target run, with --report-dir
 * replaced by the child's own directory, plus the entry's target, profile and `args:`. Never a
 * list of flags copied by hand: a flag added to run-options.ts reaches every child by itself.
 */

/** The role an entry's target plays: a URL is a server, a "client:" entry a client program. */
export function roleOf(entry: TargetEntry): 'server' | 'client' {
  return entry.kind === 'client' ? 'client' : 'server';
}

/**
 * The flags the user wrote after `run`, split by the run command's own definitions. A flag that
 * names a target is refused: with --targets-file every target comes from the file.
 */
export function userRunFlags(targetsFile: string, tokens: readonly string[]): WrittenFlag[] {
  const { flags } = splitRunTokens(tokens);
  const target = flags.find((f) => scopeOf(f.option) === 'target');
  if (target) {
    throw new UsageError(
      'target-conflict',
      `--targets-file ${quote(targetsFile)} and ${quote(target.tokens.join(' '))} both given. Put every target in the file, with its own flags under "args:".`,
    );
  }
  return flags;
}

const FOR: Record<'server' | 'client', string> = { server: 'server targets', client: 'client programs (--target-client)' };

function fits(scope: RunOptionScope, role: 'server' | 'client'): boolean {
  return scope !== 'server' && scope !== 'client' ? true : scope === role;
}

function notApplicable(path: string, entry: TargetEntry, flag: string, scope: 'server' | 'client', from: string): UsageError {
  const what = roleOf(entry) === 'client' ? `the client program ${quote(entry.target)}` : `the server ${quote(entry.target)}`;
  return targetsError(
    path,
    entry.where,
    `${from}${flag} applies only to ${FOR[scope]}, and this entry is ${what}. Remove ${flag}, or run these entries from a targets file of their own.`,
  );
}

/**
 * Every flag, the user's and the entry's, must apply to the entry's target: `--target-ca` means
 * nothing to a client program, `--client-cert-ca` nothing to a server. Checked for every entry
 * before any child runs.
 */
export function checkApplicable(path: string, entry: TargetEntry, user: readonly WrittenFlag[]): void {
  const role = roleOf(entry);
  for (const f of user) {
    const scope = scopeOf(f.option);
    if (!fits(scope, role)) throw notApplicable(path, entry, f.option.long!, scope as 'server' | 'client', '');
  }
  for (const f of splitRunTokens(entry.args ?? []).flags) {
    const scope = scopeOf(f.option);
    if (!fits(scope, role)) throw notApplicable(path, entry, f.option.long!, scope as 'server' | 'client', '"args": ');
  }
}

/** The child's arguments after `conformance`: `run`, the entry's target, the user's flags, its profile and report directory, its `args:`. */
export function childArgv(entry: TargetEntry, user: readonly WrittenFlag[], reportDir: string): string[] {
  const passed = user.filter((f) => {
    const scope = scopeOf(f.option);
    if (scope === 'target' || scope === 'many') return false;
    // Replaced: the child's own report directory, and the entry's own profile when it names one.
    if (f.option.long === '--report-dir') return false;
    if (f.option.long === '--profile' && entry.profile !== undefined) return false;
    return true;
  });
  return [
    'run',
    roleOf(entry) === 'client' ? '--target-client' : '--target',
    entry.target,
    ...passed.flatMap((f) => f.tokens),
    ...(entry.profile !== undefined ? ['--profile', entry.profile] : []),
    '--report-dir',
    reportDir,
    ...(entry.args ?? []),
  ];
}
