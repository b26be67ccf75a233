import { statSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import type { SuiteName } from '../model.js';
import { ConformanceError, UsageError, errorLine, quote } from '../errors.js';
import type { CaseResult } from '../model.js';
import { PACKAGE_VERSION } from '../package-root.js';
import { defaultCertsDir } from '../../certs/default-dir.js';
import type { RunOutcome } from '../run/finish.js';
import { mark, printTimings } from '../run/timings.js';
import { targetLabel, type ReportTarget } from '../report/report.js';
import { caseEvent, errorEndEvent, runEndEvent, runStartEvent, writeEvent, type RunStart } from '../report/events.js';
import { formatClosing, formatHeader, formatLiveLine, formatSummaryLine, idWidthOf } from '../report/terminal.js';
import { asOptionParser, validateCertsDir, validateOutputDir } from '../flags/validate-flags.js';
import { addRunOptions, collect } from '../flags/run-options.js';

// Each command's module loads when that command runs: start-up time is the user's time.
const lazy = {
  run: async () => (await import('../run/run.js')).run,
  targetFlags: () => import('../targets/target-flags.js'),
  targetsFileCommand: async () => (await import('./targets-file-command.js')).targetsFileCommand,
  mergeCommand: async () => (await import('./merge-command.js')).mergeCommand,
  jobSummary: () => import('../many/job-summary.js'),
  certsInit: async () => (await import('./certs-init.js')).certsInit,
  listCases: async () => (await import('./cases-command.js')).listCases,
  profile: () => import('./profile-command.js'),
  lintCommand: async () => (await import('./lint-command.js')).lintCommand,
  serveCommand: async () => (await import('./serve-command.js')).serveCommand,
  verifyCommand: async () => (await import('./verify-command.js')).verifyCommand,
};

/** The `conformance` CLI. Every user error is one line and an exit code (PRODUCT.md). */

function checkReportDir(dir: string | undefined): void {
  if (!dir) return;
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError('report-dir-not-dir', `--report-dir ${quote(dir)} is a file, not a directory. Pass a directory path (it is created if missing).`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
  }
}

interface RunFlags extends OutputFlags {
  targetClientImage?: string;
  signKey?: string;
  targetImage?: string;
  targetPort?: number;
  targetEnv: string[];
  targetCmd?: string;
  targetsFile?: string;
  parallel: number;
  shard?: string;
  target?: string;
  targetClient?: string;
  clientCertCa?: string;
  profile: string;
  certs?: string;
  targetCa?: string;
  reportDir?: string;
  only: string[];
  suite: SuiteName;
  timeout: number;
  concurrency: number;
  repeat: number;
  httpPath: string;
  httpMethod: string;
  protocol?: 'https' | 'grpc' | 'tls';
  servername?: string;
  issuerCert?: string;
  issuerKey?: string;
  slow?: boolean;
}

interface OutputFlags {
  quiet?: boolean;
  json?: boolean;
  ndjson?: boolean;
}

/** The end of a run: after the live lines, what decides the verdict first, then the summary line (or the run-end event). */
function printOutcome(out: RunOutcome, flags: OutputFlags = {}): number {
  const r = out.report;
  if (flags.ndjson) {
    writeEvent(runEndEvent(r, out.exitCode, out.reportPath));
  } else if (flags.json) {
    // The report on stdout, nothing else: for `| jq` and friends.
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  } else {
    const closing = flags.quiet ? '' : formatClosing(r);
    // A blank line parts the live lines from what decides the verdict.
    if (closing) process.stdout.write(`\n${closing}\n`);
    process.stdout.write(formatSummaryLine(r, out.reportPath) + '\n');
  }
  if (out.fatal) process.stderr.write(errorLine(out.fatal) + '\n');
  return out.exitCode;
}

/**
 * Live output, TTY or not (a CI log must show progress, not minutes of silence): the header as
 * soon as the target is ready, then one line per case as it is judged; with --ndjson the same as
 * events. Nothing with --quiet or --json (stdout is then the summary line, or the report only).
 */
function liveOutput(flags: OutputFlags): { onStart?: (s: RunStart) => void; onResult?: (r: CaseResult) => void; onError?: (err: unknown) => void } {
  let n = 0;
  let total = 0;
  let width = 0;
  if (flags.ndjson) {
    let started: number | undefined;
    return {
      onStart: (s) => {
        started = performance.now();
        total = s.cases.length;
        writeEvent(runStartEvent(s));
      },
      onResult: (r) => writeEvent(caseEvent(r, ++n, total)),
      // A stream that began ends with run-end, also when the run stops on an error (stderr has its line).
      onError: (err) => {
        if (started === undefined) return;
        const exitCode = err instanceof ConformanceError ? err.exitCode : 3;
        writeEvent(errorEndEvent(exitCode, Math.round(performance.now() - started), (err as Error)?.message ?? String(err)));
      },
    };
  }
  if (flags.json || flags.quiet) return {};
  return {
    onStart: (s) => {
      total = s.cases.length;
      width = idWidthOf(s.cases.map((c) => c.id));
      process.stdout.write(formatHeader(s, outcomeLabel(s.target), PACKAGE_VERSION) + '\n');
    },
    onResult: (r) => process.stdout.write(formatLiveLine(r, ++n, total, width) + '\n'),
  };
}

async function runCommand(flags: RunFlags): Promise<number> {
  checkReportDir(flags.reportDir);
  if (flags.json && flags.ndjson) {
    // Not an error: a targets-file child gets the user's flags as written, and stdout can carry only one; the stream wins, the report is in --report-dir.
    process.stderr.write(`warning: --json ignored: --ndjson prints the run as JSON lines (the report is ${flags.reportDir ? `in ${flags.reportDir}` : 'in --report-dir'}).\n`);
    flags.json = false;
  }
  // flags -> target (refused here, before anything is read or started) -> the one run pipeline.
  const { targetFromFlags, targetGiven } = await lazy.targetFlags();
  const target = targetFromFlags(flags);
  if (!targetGiven(flags) && !flags.json && !flags.ndjson && !flags.quiet) {
    process.stdout.write(`No --target given: running against the embedded reference server builtin:strict. Point it at your server with: conformance run --target https://host:port\n`);
  }
  const live = liveOutput(flags);
  const out = await (await lazy.run())(target, {
    profile: flags.profile,
    certsDir: flags.certs,
    targetCa: flags.targetCa,
    clientCertCa: flags.clientCertCa,
    reportDir: flags.reportDir,
    only: flags.only,
    suite: flags.suite,
    timeoutMs: flags.timeout,
    concurrency: flags.concurrency,
    repeat: flags.repeat,
    httpPath: flags.httpPath,
    httpMethod: flags.httpMethod,
    protocol: flags.protocol,
    servername: flags.servername,
    issuerCert: flags.issuerCert,
    issuerKey: flags.issuerKey,
    signKey: flags.signKey,
    slow: flags.slow ?? false,
    ...live,
  }).catch((err: unknown) => {
    live.onError?.(err);
    throw err;
  });
  for (const w of out.warnings) process.stderr.write(w + '\n');
  const code = printOutcome(out, flags);
  // Under GitHub Actions: an ::error per required failure, a ::warning per finding (stderr when stdout carries JSON or JSON lines).
  if (process.env.GITHUB_ACTIONS === 'true') for (const line of (await lazy.jobSummary()).reportAnnotations(out.report)) (flags.json || flags.ndjson ? process.stderr : process.stdout).write(line + '\n');
  return code;
}

/** The target as the run's first line names it: a client command quoted, an embedded server or a server image with its URL. */
function outcomeLabel(t: ReportTarget): string {
  if (t.kind === 'client-command') return `client command ${quote(String(t.command))}`;
  return t.builtin || (t.kind === 'container' && t.url) ? `${targetLabel(t)} (${String(t.url)})` : targetLabel(t);
}

async function runTargetsFile(flags: RunFlags, tokens: string[]): Promise<number> {
  checkReportDir(flags.reportDir);
  const { targetsFile, reportDir, profile, parallel, shard, timeout: timeoutMs, signKey, issuerCert, issuerKey, targetCa, clientCertCa, json, ndjson } = flags;
  return (await lazy.targetsFileCommand())(tokens, { targetsFile: targetsFile!, reportDir, profile, parallel, shard, timeoutMs, signKey, issuerCert, issuerKey, targetCa, clientCertCa, json, ndjson });
}

/**
 * The tokens the user wrote after `run`, in order: the program's own args are the command name,
 * then everything after it (the program has no flags of its own but --help and --version).
 */
function runTokens(program: Command): string[] {
  return program.args[0] === 'run' ? program.args.slice(1) : [];
}

/** Under every `--help`: the exit codes (PRODUCT.md) and the two commands most runs start from. */
const HELP_FOOTER = `
Exit codes:
  0  conformant (every required case passed)
  1  not conformant (a required case failed)
  2  usage or configuration error (a flag, a profile, a file): one line on stderr
  3  the harness could not run (target unreachable, positive control refused): one line on stderr

Examples:
  conformance certs init ./conformance-certs
  conformance run --target https://127.0.0.1:8443 --certs ./conformance-certs --profile intermediate`;

/**
 * Commander's message as our one line: "error: unknown option '--targett'" plus its suggestion,
 * which commander prints on a second line "(Did you mean --target?)", moved into the line.
 */
export function usageLine(message: string): string {
  const [first = '', ...rest] = message.replace(/^error: /, '').split('\n');
  const suggestion = /\(Did you mean (?:one of )?([^)?]+)\?\)/.exec(rest.join('\n'))?.[1];
  const msg = first.trim();
  const said = `${msg}${/\.$/.test(msg) ? '' : '.'}${suggestion ? ` Did you mean ${suggestion.split(', ').map((s) => quote(s)).join(' or ')}?` : ''}`;
  return errorLine(`${said} Run "conformance --help" for the commands and flags.`);
}

export function buildProgram(): Command {
  const program = new Command('conformance')
    .description('mTLS conformance: run certificate-matrix suites against a target and judge it by a TLS policy profile.')
    .version(PACKAGE_VERSION, '-v, --version')
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    // Commander's "(Did you mean ...?)" comes on a second line; main() moves it into our one line.
    .showSuggestionAfterError(true)
    .addHelpText('after', HELP_FOOTER);

  const run = program.command('run').description('Run the conformance suite against a target server and report case by case.').addHelpText('after', HELP_FOOTER);
  addRunOptions(run).action(async (flags: RunFlags) => {
    // A targets file runs each entry as its own `conformance run` with the tokens the user wrote (harness/many/).
    program.setOptionValue('exitCode', flags.targetsFile ? await runTargetsFile(flags, runTokens(program)) : await runCommand(flags));
  });

  const certs = program.command('certs').description('Certificate material for a target.');
  certs
    .command('init')
    .argument('<dir>', 'directory to write (created if missing)')
    .description('Write the CAs a target must trust, a server certificate for it, and the client certificate matrix.')
    .option('--host <name>', 'host name or address for target/server-cert.pem (repeatable; default localhost, 127.0.0.1, ::1)', collect, [])
    .option('-p, --profile <name|file>', 'profile whose client identity rule shapes the client certificates', 'intermediate')
    .option('--force', 'regenerate everything, the CAs too (a target trusting the old CAs must be reconfigured)')
    .option('--issuer-cert <file>', 'issue the client matrix under this CA certificate (PEM)')
    .option('--issuer-key <file>', 'private key of --issuer-cert (PEM)')
    .addOption(new Option('--suite <suite>', 'also generate the certificates of a larger suite (deep, exhaustive) into <dir>/<suite>').choices(['core', 'deep', 'exhaustive']).default('core'))
    .action(async (dir: string, flags: { host: string[]; profile: string; force?: boolean; issuerCert?: string; issuerKey?: string; suite: SuiteName }) => {
      program.setOptionValue('exitCode', await (await lazy.certsInit())(dir, flags));
    });

  program
    .command('cases')
    .description('List every case id with its expectation, severity and rationale under a profile.')
    .option('-p, --profile <name|file>', 'profile that sets expectations and severities', 'intermediate')
    .option('--json', 'print JSON')
    .addOption(new Option('--suite <suite>', 'core (default), deep (core + the corpus) or exhaustive').choices(['core', 'deep', 'exhaustive']).default('core'))
    .action(async (flags: { profile: string; json?: boolean; suite: SuiteName }) => {
      program.setOptionValue('exitCode', (await lazy.listCases())(flags));
    });

  program
    .command('lint')
    .argument('<file...>', 'certificates and CSRs: PEM (bundles too) or DER')
    .description('Check certificates and certificate requests against the profile: one table per object; exit 1 on a required finding.')
    .option('-p, --profile <name|file>', 'profile whose certificate and CSR rules apply', 'intermediate')
    .addOption(new Option('--role <role>', 'role of the leaf certificates and CSRs (default: from the EKU)').choices(['server', 'client']))
    .option('--host <name>', 'host name clients connect to: checked against server certificates and CSRs')
    .option('--json', 'print one JSON document')
    .action(async (files: string[], flags: { profile: string; role?: 'server' | 'client'; host?: string; json?: boolean }) => {
      program.setOptionValue('exitCode', await (await lazy.lintCommand())(files, flags));
    });

  program
    .command('serve')
    .description('Serve the client case matrix: one reference server per case on 127.0.0.1, each connection judged live, until Ctrl-C.')
    .option('-p, --profile <name|file>', 'profile that sets what a correct client does at each server', 'intermediate')
    .option('--certs <dir>', `certificate directory made by "certs init" (default: ${defaultCertsDir()}, made on first use)`, asOptionParser(validateCertsDir))
    .option('--json', 'print the servers as one JSON line, then one JSON line per connection')
    .action(async (flags: { profile: string; certs?: string; json?: boolean }) => {
      program.setOptionValue('exitCode', await (await lazy.serveCommand())(flags));
    });

  program
    .command('verify')
    .argument('<dir>', 'report directory written by "conformance run"')
    .description('Check a report directory: every file against manifest.json, the profile against its hash, every verdict re-judged from its recorded observation; exit 0 if all agree, 1 with one line per difference.')
    .option('--pubkey <file>', 'public key (PEM) that must verify manifest.sig (Ed25519, Ed448 or ECDSA)')
    .action(async (dir: string, flags: { pubkey?: string }) => {
      program.setOptionValue('exitCode', await (await lazy.verifyCommand())(dir, flags));
    });

  const report = program.command('report').description('Work with report directories.');
  report
    .command('merge')
    .argument('<dir...>', 'report directories (index.json from --targets-file runs, or single-run report dirs)')
    .description('Merge per-job report directories (CI artifacts, wherever they were downloaded) into one index: index.json, index.md, index.html and junit.xml (a testsuite per target).')
    .requiredOption('--out <dir>', 'where the merged index goes', asOptionParser(validateOutputDir('--out')))
    .option('--json', 'print the merged index (index.json) to stdout')
    .action(async (dirs: string[], flags: { out: string; json?: boolean }) => {
      program.setOptionValue('exitCode', await (await lazy.mergeCommand())(dirs, flags.out, flags));
    });

  const profile = program.command('profile').description('Validate and inspect profiles.');
  profile
    .command('check')
    .argument('<file>', 'profile file')
    .description('Validate a profile file; exit 0 if valid, 2 with the first error if not.')
    .action(async (file: string) => {
      program.setOptionValue('exitCode', (await lazy.profile()).profileCheck(file));
    });
  profile
    .command('show')
    .argument('<name|file>', 'built-in name or profile file')
    .description('Print the resolved profile (after extends and defaults) as YAML.')
    .action(async (ref: string) => {
      program.setOptionValue('exitCode', (await lazy.profile()).profileShow(ref));
    });
  return program;
}

export async function main(argv: string[]): Promise<void> {
  mark('cliLoaded');
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    process.exitCode = (program.getOptionValue('exitCode') as number | undefined) ?? 0;
    printTimings();
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || (err.code === 'commander.help' && err.exitCode === 0)) {
        process.exitCode = 0;
        return;
      }
      // Bare `conformance` (or `conformance certs`): commander has printed the help to stderr; no command ran.
      if (err.code === 'commander.help') {
        process.exitCode = 2;
        return;
      }
      process.stderr.write(usageLine(err.message) + '\n');
      process.exitCode = 2;
      return;
    }
    if (err instanceof ConformanceError) {
      process.stderr.write(err.message + '\n');
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(errorLine(`internal fault in mtls-conformance: ${(err as Error)?.message ?? String(err)}. Please report it with the command you ran.`) + '\n');
    if (process.env.CONFORMANCE_DEBUG) process.stderr.write(String((err as Error)?.stack) + '\n');
    process.exitCode = 3;
  }
}
