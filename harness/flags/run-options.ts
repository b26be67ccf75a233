import { Command, InvalidArgumentError, Option } from 'commander';
import { defaultCertsDir } from '../../certs/default-dir.js';
import { quote } from '../errors.js';
import { SUITE_NAMES } from '../model.js';
import { MAX_REPEAT } from '../plan.js';
import { checkRunNumber, type RunNumber } from '../run/run-bounds.js';
import { asOptionParser, validateCertsDir, validateHttpMethod, validateHttpPath, validateOutputDir, validateServerName } from './validate-flags.js';

/**
 * The flags of `conformance run`, declared once as data: cli.ts builds the command from them, and a
 * multi-target run (harness/many/) reads the same table to pass each child the user's own flags.
 * `scope` says which targets a flag can apply to, so a flag nobody handles cannot exist: a new flag
 * needs a scope, and the targets-file test walks this table.
 */

/**
 * - `target`: names the one target of a run (never passed to a targets-file child: each entry brings its own);
 * - `many`: only for --targets-file, read by the parent;
 * - `any`: applies to every target;
 * - `server` / `client`: applies only where the target is a server / a client program.
 */
export type RunOptionScope = 'target' | 'many' | 'any' | 'server' | 'client';

export interface RunOptionSpec {
  /** commander's flags string: `-p, --profile <name|file>`. */
  flags: string;
  description: string;
  scope: RunOptionScope;
  parse?: (value: string, previous: never) => unknown;
  default?: unknown;
  choices?: readonly string[];
}

function positiveInt(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`${flag} ${quote(value)} must be a whole number ≥ 1.`);
    return Number(value);
  };
}

/** Decimal digits only (no sign, no blanks, no "1e3"), else NaN: what a whole-number flag reads. */
function wholeNumber(value: string): number {
  return /^\d+$/.test(value) ? Number(value) : NaN;
}

/**
 * A flag whose number the API takes too (--repeat, --concurrency, --timeout): the text read here,
 * the bound checked where the API checks it (run/run-bounds.ts), so both say the same. Its
 * UsageError passes through commander as our one line (exit 2), as asOptionParser's do.
 */
function boundedNumber(name: RunNumber, read: (value: string) => number) {
  return (value: string): number => checkRunNumber(name, read(value), value);
}

/** `5000`, `5000ms` or `5s` -> milliseconds (NaN when it is none of these). */
function durationMs(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value.trim());
  return m ? Math.round(Number(m[1]) * (m[2] === 's' ? 1000 : 1)) : NaN;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}


export const RUN_OPTIONS: readonly RunOptionSpec[] = [
  { scope: 'target', flags: '-t, --target <url>', description: 'https://host:port, tls://host:port, builtin:strict or builtin:lenient (default: builtin:strict)' },
  { scope: 'target', flags: '--target-image <image>', description: 'a server container image to start and test (testcontainers, host network; certs mounted at /conformance)' },
  {
    scope: 'target',
    flags: '--target-client-image <image>',
    description: 'a client container image to test: run once per case on the host network (certs at /conformance; CONFORMANCE_* in its environment; arguments from --target-cmd, {url} substituted)',
  },
  { scope: 'target', flags: '--target-port <port>', description: 'with --target-image: the TLS port it listens on', parse: positiveInt('--target-port') },
  { scope: 'target', flags: '--target-env <KEY=VALUE>', description: 'with --target-image: environment for the container (repeatable)', parse: collect, default: [] },
  {
    scope: 'target',
    flags: '--target-cmd <command>',
    description: 'with --target-image: command and arguments for the container ({port} is --target-port); with --target-client-image: its arguments ({url} etc. substituted)',
  },
  {
    scope: 'many',
    flags: '--targets-file <file>',
    description: 'several targets, one per line or a YAML list ("- target: URL" with optional "profile:"); each runs as its own "conformance run" with your other flags; one report directory each and an index',
  },
  { scope: 'many', flags: '--parallel <n>', description: 'with --targets-file: targets run at once', parse: positiveInt('--parallel'), default: 4 },
  { scope: 'many', flags: '--shard <i/n|auto>', description: 'with --targets-file: run only the i-th of n slices (for CI job matrices); auto: from CI_NODE_INDEX/CI_NODE_TOTAL' },
  { scope: 'target', flags: '--target-client <command>', description: 'a client program to test: run once per case against a reference server; {url} {host} {port} {ca} {cert} {key} {crl} are substituted' },
  { scope: 'client', flags: '--client-cert-ca <file>', description: 'with --target-client: the client brings its own certificate, issued by this CA (PEM)' },
  { scope: 'any', flags: '-p, --profile <name|file>', description: 'built-in profile name or a profile file (YAML/JSON)', default: 'intermediate' },
  { scope: 'any', flags: '--certs <dir>', description: `certificate directory made by "certs init" (default: ${defaultCertsDir()}, made on first use)`, parse: asOptionParser(validateCertsDir) },
  { scope: 'server', flags: '--target-ca <file>', description: "CA bundle (PEM) that verifies the target's certificate (default: the certs server CA plus the system roots)" },
  {
    scope: 'any',
    flags: '--report-dir <dir>',
    description: 'write report.json, junit.xml, report.md, report.html and manifest.json here',
    parse: asOptionParser(validateOutputDir('--report-dir')),
    default: 'conformance-report',
  },
  { scope: 'any', flags: '-q, --quiet', description: 'print only the summary line (and errors)' },
  { scope: 'any', flags: '--json', description: 'print the report (report.json) to stdout instead of the table' },
  { scope: 'any', flags: '--ndjson', description: 'print the run as JSON lines on stdout as it happens: run-start, one "case" per case judged, run-end (schemas/events.schema.json)' },
  { scope: 'any', flags: '--sign-key <file>', description: 'sign manifest.json with this private key (PEM, Ed25519 or ECDSA); check with: conformance verify DIR --pubkey PUB' },
  {
    scope: 'any',
    flags: '--suite <suite>',
    description: 'core: the default suite; deep: core + the corpus (about 430 server and 700 client cases, docs/corpus-plan.md); exhaustive: deep + the full name-constraint product and the name-smuggling set',
    choices: SUITE_NAMES,
    default: 'core',
  },
  { scope: 'any', flags: '--only <glob>', description: 'run only cases whose id matches (repeatable; * within a segment, ** across)', parse: collect, default: [] },
  { scope: 'any', flags: '--timeout <duration>', description: 'bound on every network wait and on each run of a --target-client command, e.g. 5000, 500ms, 5s', parse: boundedNumber('timeoutMs', durationMs), default: 5000 },
  { scope: 'any', flags: '--concurrency <n>', description: 'cases probed at once', parse: boundedNumber('concurrency', wholeNumber), default: 8 },
  {
    scope: 'any',
    flags: '--repeat <n>',
    description: `run every reject case n times (at most ${MAX_REPEAT}); one acceptance in n fails it ("accepted k of n"): for targets that let a bad certificate in only sometimes`,
    parse: boundedNumber('repeat', wholeNumber),
    default: 1,
  },
  {
    scope: 'server',
    flags: '--http-path <path>',
    description: 'request path for the application round trip; with --protocol grpc, the method path (/ means /grpc.health.v1.Health/Check)',
    parse: asOptionParser(validateHttpPath),
    default: '/',
  },
  { scope: 'server', flags: '--http-method <method>', description: 'request method for the application round trip', parse: asOptionParser(validateHttpMethod), default: 'GET' },
  {
    scope: 'server',
    flags: '--protocol <protocol>',
    description: 'https: acceptance is an HTTP response over HTTP/2 or HTTP/1.1 (ALPN); grpc: a gRPC call over HTTP/2, any gRPC answer but 16/7 accepts; tls: the connection stays open for a read window',
    choices: ['https', 'grpc', 'tls'],
  },
  { scope: 'server', flags: '--servername <name>', description: 'SNI and hostname-check name, when it differs from the target host', parse: asOptionParser(validateServerName) },
  { scope: 'any', flags: '--issuer-cert <file>', description: 'issue the client matrix under this CA certificate (PEM) instead of the generated client CA' },
  { scope: 'any', flags: '--issuer-key <file>', description: 'private key of --issuer-cert (PEM)' },
  {
    scope: 'server',
    flags: '--slow',
    description: "also run the checks that wait in real time: a session offered again once the profile's maxSessionLifetimeSeconds (plus 5 s) has passed must not be resumed",
  },
];

/** The commander Option of a spec. */
export function toOption(spec: RunOptionSpec): Option {
  const option = new Option(spec.flags, spec.description);
  if (spec.parse) option.argParser(spec.parse as (value: string, previous: unknown) => unknown);
  if (spec.default !== undefined) option.default(spec.default);
  if (spec.choices) option.choices(spec.choices);
  return option;
}

/** Add every `run` flag to a command (cli.ts's `run`, or a bare one for checking arguments). */
export function addRunOptions(command: Command): Command {
  for (const spec of RUN_OPTIONS) command.addOption(toOption(spec));
  return command;
}

/**
 * A bare `run` command with the same flags, that throws instead of exiting and prints nothing:
 * for checking a targets-file entry's `args:` with commander's own parser.
 */
export function bareRunCommand(): Command {
  return addRunOptions(new Command('run').exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined, outputError: () => undefined }));
}

/** The scope of a flag, as RUN_OPTIONS declares it. */
export function scopeOf(option: Option): RunOptionScope {
  const spec = RUN_OPTIONS.find((s) => s.flags === option.flags);
  if (!spec) throw new Error(`run flag ${option.flags} is not in RUN_OPTIONS`);
  return spec.scope;
}

/** One flag as written on the command line: the option it sets and the tokens that wrote it. */
export interface WrittenFlag {
  option: Option;
  /** The tokens exactly as written (`['--only', 'x']`, `['--only=x']`, `['-px']`), or a normalized form when split out of a group of short flags. */
  tokens: string[];
}

/**
 * Split the tokens the user wrote after `run` into flags, the way commander reads them (long and
 * short names, `--flag=value`, `-pVALUE`, grouped short flags `-qp x`, a value that starts with
 * "-" after a flag that takes one). Anything that is not a known flag is returned as `rest` (commander
 * has already refused such input for the user's own command line; an entry's `args:` is checked
 * with bareRunCommand first).
 */
export function splitRunTokens(tokens: readonly string[], command: Command = bareRunCommand()): { flags: WrittenFlag[]; rest: string[] } {
  const find = (name: string) => command.options.find((o) => o.long === name || o.short === name);
  const maybeOption = (arg: string) => arg.length > 1 && arg[0] === '-';
  const flags: WrittenFlag[] = [];
  const rest: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const arg = tokens[i]!;
    if (arg === '--') {
      rest.push(...tokens.slice(i));
      break;
    }
    const whole = maybeOption(arg) ? find(arg) : undefined;
    if (whole) {
      if (whole.required) {
        flags.push({ option: whole, tokens: tokens.slice(i, i + 2) });
        i++;
      } else if (whole.optional && i + 1 < tokens.length && !maybeOption(tokens[i + 1]!)) {
        flags.push({ option: whole, tokens: tokens.slice(i, i + 2) });
        i++;
      } else {
        flags.push({ option: whole, tokens: [arg] });
      }
      continue;
    }
    if (/^--[^=]+=/.test(arg)) {
      const option = find(arg.slice(0, arg.indexOf('=')));
      if (option && (option.required || option.optional)) {
        flags.push({ option, tokens: [arg] });
        continue;
      }
    }
    // -pVALUE, or a group of short flags (-qp VALUE): commander reads them one letter at a time.
    if (arg.length > 2 && arg[0] === '-' && arg[1] !== '-' && find(`-${arg[1]}`)) {
      let group = arg;
      while (group.length > 1) {
        const option = find(`-${group[1]}`);
        if (!option) break;
        if (!option.required && !option.optional) {
          // A boolean: written on its own in the child's tokens, the rest of the group read on.
          flags.push({ option, tokens: [`-${group[1]}`] });
          group = `-${group.slice(2)}`;
          continue;
        }
        // Takes a value: the rest of the group, else (a required one) the next token.
        if (group.length > 2 || option.optional) flags.push({ option, tokens: [group] });
        else flags.push({ option, tokens: [group, ...tokens.slice(i + 1, i + 2)] }), i++;
        group = '';
      }
      if (group.length > 1) rest.push(group);
      continue;
    }
    rest.push(arg);
  }
  return { flags, rest };
}
