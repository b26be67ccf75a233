import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { LineCounter, isSeq, parseDocument } from 'yaml';
import { showValue } from '../flags/validate-flags.js';
import { bareRunCommand, scopeOf, splitRunTokens } from '../flags/run-options.js';
import { looksLikePath } from '../profile/load.js';
import { READ_LIMITS, readBoundedText } from '../io/read-bounded.js';
import { UsageError, quote } from '../errors.js';

/**
 * A targets file holds targets, never scripts: one URL per line (# comments), or a YAML list
 * whose entries say what they are: `- target: URL` or `- client: COMMAND` (a client program to
 * test, run as --target-client), each with optional `profile:` and `args:`. Anything else is a
 * usage error naming its line; bytes that are not text are refused before parsing.
 */

export interface TargetEntry {
  /** The URL, or for a client entry the command line. */
  target: string;
  /** url: a server, tested as --target; client: a client program the file declared with "client:", tested as --target-client. */
  kind: 'url' | 'client';
  /** The entry's profile as the run loads it: a name, or a file path resolved next to the targets file. */
  profile?: string;
  /** The profile path as the targets file writes it (relative to the file), where it differs from `profile`: what the index records. */
  profileWritten?: string;
  /** Extra `run` arguments for this target. */
  args?: string[];
  /** Where the entry is written, for messages: `line 3` or `line 3 (entry 2)`. */
  where: string;
}

/** Targets in one file: far more than any CI matrix runs, far less than a memory problem. */
const MAX_TARGETS = 1000;

export function targetsError(path: string, where: string, message: string): UsageError {
  return new UsageError('targets-file-invalid', `--targets-file ${quote(path)} ${where}: ${message}`);
}

/** A target written as text must be a URL (or builtin:NAME); anything else is never run as a command. */
function isTargetUrl(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(value) || /^builtin:[a-z]+$/.test(value);
}

function notAUrl(path: string, where: string, value: string): UsageError {
  return targetsError(
    path,
    where,
    `${showValue(value)} is not a target URL. A line holds https://host:port, tls://host:port or builtin:NAME; a client program to test is written as a YAML entry "- client: 'node my-client.js {url}'"; nothing else is run.`,
  );
}

export async function readTargetsFile(path: string): Promise<TargetEntry[]> {
  const text = await readBoundedText(path, { maxBytes: READ_LIMITS.targetsFile, label: '--targets-file', code: 'targets-file' });
  return parseTargetsFile(path, text);
}

/** The entries of a targets file's text; `path` names the file in messages and anchors relative profile paths. */
export function parseTargetsFile(path: string, text: string): TargetEntry[] {
  // A YAML list (`- target: ...`, `- client: ...` or `- https://...`), else one target per line.
  const entries = /^-(\s|$)/m.test(text.trim()) ? yamlEntries(path, text) : lineEntries(path, text);
  if (entries.length === 0) throw new UsageError('targets-file-empty', `--targets-file ${quote(path)} lists no target. Put one target URL per line.`);
  if (entries.length > MAX_TARGETS) throw new UsageError('targets-file-invalid', `--targets-file ${quote(path)} lists ${entries.length} targets; at most ${MAX_TARGETS} run from one file. Split it and use --shard or several jobs.`);
  return entries;
}

function lineEntries(path: string, text: string): TargetEntry[] {
  const entries: TargetEntry[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    if (!isTargetUrl(line)) throw notAUrl(path, `line ${i + 1}`, line);
    entries.push({ target: line, kind: 'url', where: `line ${i + 1}` });
  }
  return entries;
}

/**
 * An entry's `args:` checked with the `run` command's own parser before any target runs: a typo
 * (`--onyl`) or a bad value is a usage error naming its line, not a could-not-run halfway through.
 * Flags that choose the target or the report directory are the entry's own and the run's.
 */
function checkArgs(path: string, where: string, args: string[], run: Command): void {
  let parsed: { operands: string[]; unknown: string[] };
  try {
    parsed = run.parseOptions(args);
  } catch (err) {
    // commander's own message for a missing or invalid option value (exitOverride makes it throw).
    const msg = String((err as Error).message).replace(/^error: /, '').split('\n')[0]!.replace(/\.$/, '');
    throw targetsError(path, where, `"args": ${msg}. Fix the entry's "args:"; "conformance run --help" lists the flags.`);
  }
  const bad = parsed.unknown[0] ?? parsed.operands[0];
  if (bad !== undefined) {
    const what = bad.startsWith('-') ? `${quote(bad)} is not a flag of "conformance run"` : `${quote(bad)} is not a flag or the value of one`;
    throw targetsError(path, where, `"args": ${what}. Fix the entry's "args:"; "conformance run --help" lists the flags.`);
  }
  const reserved = splitRunTokens(args, run).flags.find((f) => ['target', 'many'].includes(scopeOf(f.option)) || f.option.long === '--report-dir');
  if (reserved) {
    throw targetsError(path, where, `"args" may not carry ${quote(reserved.option.long)}: what runs and where its report goes is the entry's "target:"/"client:" and --report-dir.`);
  }
}

function yamlEntries(path: string, text: string): TargetEntry[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw targetsError(path, `line ${lines.linePos(e.pos[0]).line}`, `not valid YAML: ${e.message.split('\n')[0]}. Fix the syntax.`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    throw targetsError(path, 'line 1', `refused: ${String((err as Error).message).split('\n')[0]}. Write the entries out without YAML aliases.`);
  }
  if (!Array.isArray(data) || !isSeq(doc.contents)) throw targetsError(path, 'line 1', 'must be a YAML list of targets ("- target: https://host:port" or "- client: COMMAND").');
  const seq = doc.contents;
  let run: Command | undefined;
  return data.map((item: unknown, i): TargetEntry => {
    const range = (seq.items[i] as { range?: [number, number, number] } | undefined)?.range;
    const where = `line ${range ? lines.linePos(range[0]).line : 1} (entry ${i + 1})`;
    if (typeof item === 'string') {
      if (!isTargetUrl(item)) throw notAUrl(path, where, item);
      return { target: item, kind: 'url', where };
    }
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw targetsError(path, where, 'an entry is "target: URL" or "client: COMMAND", with optional "profile:" and "args:".');
    const e = item as Record<string, unknown>;
    const unknownKeys = Object.keys(e).filter((k) => !['target', 'client', 'profile', 'args'].includes(k));
    if (unknownKeys.length > 0) throw targetsError(path, where, `unknown field ${quote(unknownKeys[0])}; an entry has "target:" or "client:", and optionally "profile:" and "args:".`);
    if (e.target !== undefined && e.client !== undefined) throw targetsError(path, where, 'has both "target:" and "client:"; an entry tests one target.');
    if (e.profile !== undefined && typeof e.profile !== 'string') throw targetsError(path, where, '"profile" must be a profile name or file path.');
    if (e.args !== undefined && !(Array.isArray(e.args) && e.args.every((a) => typeof a === 'string'))) throw targetsError(path, where, '"args" must be a list of strings.');
    const args = e.args as string[] | undefined;
    if (args) checkArgs(path, where, args, (run ??= bareRunCommand()));
    // A profile file is found next to the targets file (as "extends" is next to the profile), not in the current directory.
    const profile = typeof e.profile === 'string' && looksLikePath(e.profile) ? resolve(dirname(resolve(path)), e.profile) : (e.profile as string | undefined);
    const written = profile !== e.profile ? { profileWritten: e.profile as string } : {};
    const common = { ...(profile !== undefined ? { profile, ...written } : {}), ...(args ? { args } : {}), where };
    if (typeof e.client === 'string' && e.client.trim()) return { target: e.client, kind: 'client', ...common };
    if (e.client !== undefined) throw targetsError(path, where, '"client" must be the command line of the client program to test.');
    if (typeof e.target !== 'string') throw targetsError(path, where, 'has no "target:"; use "- target: https://host:port" or "- client: COMMAND" (optionally with "profile:").');
    if (!isTargetUrl(e.target)) throw notAUrl(path, where, e.target);
    return { target: e.target, kind: 'url', ...common };
  });
}
