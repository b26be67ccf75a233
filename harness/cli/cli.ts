import { statSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConformanceError, UsageError, quote } from '../errors.js';
import type { CaseResult } from '../model.js';
import { PACKAGE_VERSION } from '../package-root.js';
import { defaultCertsDir } from '../../certs/default-dir.js';
import type { RunOutcome } from '../run/finish.js';
import { mark, printTimings } from '../run/timings.js';
import { targetLabel, type ReportTarget } from '../report/report.js';
import { formatResults, formatSummaryLine } from '../report/terminal.js';
import { asOptionParser, validateHttpMethod, validateHttpPath, validateOutputDir } from './validate-flags.js';

// Each command's module loads when that command runs: start-up time is the user's time.
const lazy = {
  run: async () => (await import('../run/run.js')).run,
  targetFlags: () => import('../targets/target-flags.js'),
  runMany: () => import('../run/run-many.js'),
  certsInit: async () => (await import('./certs-init.js')).certsInit,
  listCases: async () => (await import('./cases-command.js')).listCases,
  profile: () => import('./profile-command.js'),
  lintCommand: async () => (await import('./lint-command.js')).lintCommand,
  serveCommand: async () => (await import('./serve-command.js')).serveCommand,
  verifyCommand: async () => (await import('./verify-command.js')).verifyCommand,
};

/** The `conformance` CLI. Every user error is one line and an exit code (PRODUCT.md). */

function positiveInt(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`${flag} ${quote(value)} must be a whole number ≥ 1.`);
    return Number(value);
  };
}

/** `5000`, `5000ms` or `5s` -> milliseconds. */
function duration(flag: string) {
  return (value: string): number => {
    const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value.trim());
    const ms = m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : NaN;
    if (!m || !(ms > 0) || ms > 600_000) throw new InvalidArgumentError(`${flag} ${quote(value)} must be a positive duration up to 600s, e.g. 5000, 500ms or 5s.`);
    return Math.round(ms);
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function checkReportDir(dir: string | undefined): void {
  if (!dir) return;
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError('report-dir-not-dir', `error: --report-dir ${quote(dir)} is a file, not a directory. Pass a directory path (it is created if missing).`);
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
  timeout: number;
  concurrency: number;
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
}

function printOutcome(out: RunOutcome, targetLabel: string, flags: OutputFlags = {}): number {
  const r = out.report;
  clearProgress();
  if (flags.json) {
    // The report on stdout, nothing else: for `| jq` and friends.
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  } else {
    if (!flags.quiet) {
      process.stdout.write(`mtls-conformance ${r.tool.version} · target ${targetLabel} · profile ${r.profile.name} (sha256 ${r.profile.sha256.slice(0, 12)})\n`);
      process.stdout.write(formatResults(out.results) + '\n');
    }
    process.stdout.write(formatSummaryLine(r, out.reportPath) + '\n');
  }
  if (out.fatal) process.stderr.write(out.fatal + '\n');
  return out.exitCode;
}

let progressShown = false;

/** Live progress on a terminal (case by case, one line rewritten); nothing when piped, --quiet or --json. */
function progressPrinter(flags: OutputFlags): ((r: CaseResult) => void) | undefined {
  if (!process.stderr.isTTY || flags.quiet || flags.json) return undefined;
  let n = 0;
  return (r) => {
    n++;
    progressShown = true;
    process.stderr.write(`\r\x1b[2K  ${n} judged · ${r.verdict.verdict.toUpperCase()} ${r.case.id}`);
  };
}

function clearProgress(): void {
  if (progressShown) process.stderr.write('\r\x1b[2K');
  progressShown = false;
}

async function runCommand(flags: RunFlags): Promise<number> {
  checkReportDir(flags.reportDir);
  if (flags.targetsFile) return runTargetsFile(flags);
  // flags -> target (refused here, before anything is read or started) -> the one run pipeline.
  const { targetFromFlags, targetGiven } = await lazy.targetFlags();
  const target = targetFromFlags(flags);
  if (!targetGiven(flags) && !flags.json && !flags.quiet) {
    process.stdout.write(`No --target given: running against the embedded reference server builtin:strict. Point it at your server with: conformance run --target https://host:port\n`);
  }
  const out = await (await lazy.run())(target, {
    profile: flags.profile,
    certsDir: flags.certs,
    targetCa: flags.targetCa,
    clientCertCa: flags.clientCertCa,
    reportDir: flags.reportDir,
    only: flags.only,
    timeoutMs: flags.timeout,
    concurrency: flags.concurrency,
    httpPath: flags.httpPath,
    httpMethod: flags.httpMethod,
    protocol: flags.protocol,
    servername: flags.servername,
    issuerCert: flags.issuerCert,
    issuerKey: flags.issuerKey,
    signKey: flags.signKey,
    slow: flags.slow ?? false,
    onResult: progressPrinter(flags),
  });
  for (const w of out.warnings) process.stderr.write(w + '\n');
  return printOutcome(out, outcomeLabel(out.report.target), flags);
}

/** The target as the run's first line names it: a client command quoted, an embedded server or a server image with its URL. */
function outcomeLabel(t: ReportTarget): string {
  if (t.kind === 'client-command') return `client command ${quote(String(t.command))}`;
  return t.builtin || (t.kind === 'container' && t.url) ? `${targetLabel(t)} (${String(t.url)})` : targetLabel(t);
}

async function runTargetsFile(flags: RunFlags): Promise<number> {
  if (flags.target || flags.targetClient) {
    throw new UsageError('target-conflict', `error: --targets-file ${quote(flags.targetsFile)} and --target/--target-client both given. Put every target in the file.`);
  }
  const { parseShard, readTargetsFile, runMany, shardOf } = await lazy.runMany();
  const shard = flags.shard ? parseShard(flags.shard) : undefined;
  const entries = shardOf(await readTargetsFile(flags.targetsFile!), shard);
  const common: string[] = ['--timeout', String(flags.timeout), '--concurrency', String(flags.concurrency), '--http-path', flags.httpPath, '--http-method', flags.httpMethod];
  if (flags.certs) common.push('--certs', flags.certs);
  if (flags.targetCa) common.push('--target-ca', flags.targetCa);
  if (flags.protocol) common.push('--protocol', flags.protocol);
  if (flags.clientCertCa) common.push('--client-cert-ca', flags.clientCertCa);
  if (flags.slow) common.push('--slow');
  for (const g of flags.only) common.push('--only', g);
  const reportDir = flags.reportDir ?? 'conformance-report';
  process.stdout.write(`Running ${entries.length} target${entries.length === 1 ? '' : 's'}${shard ? ` (shard ${shard.index}/${shard.count})` : ''}, ${flags.parallel} at a time, reports under ${reportDir}\n`);
  const { index, exitCode, indexPath } = await runMany({ entries, reportDir, parallel: flags.parallel, defaultProfile: flags.profile, commonArgs: common, timeoutMs: flags.timeout });
  for (const t of index.targets) {
    process.stdout.write(`${t.verdict.toUpperCase().padEnd(15)} ${t.target}  (${t.pass} pass, ${t.fail} fail, ${t.inconclusive} inconclusive)${t.error ? `  ${t.error}` : ''}\n`);
  }
  const s = index.summary;
  process.stdout.write(`${s.targets} target${s.targets === 1 ? '' : 's'}: ${s.conformant} conformant, ${s.nonConformant} non-conformant, ${s.couldNotRun} could not run · index: ${indexPath}\n`);
  return exitCode;
}

export function buildProgram(): Command {
  const program = new Command('conformance')
    .description('mTLS conformance: run certificate-matrix suites against a target and judge it by a TLS policy profile.')
    .version(PACKAGE_VERSION, '-v, --version')
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showSuggestionAfterError(false);

  program
    .command('run')
    .description('Run the conformance suite against a target server and report case by case.')
    .option('-t, --target <url>', 'https://host:port, tls://host:port, builtin:strict or builtin:lenient (default: builtin:strict)')
    .option('--target-image <image>', 'a server container image to start and test (testcontainers, host network; certs mounted at /conformance)')
    .option('--target-client-image <image>', 'a client container image to test: run once per case on the host network (certs at /conformance; CONFORMANCE_* in its environment; arguments from --target-cmd, {url} substituted)')
    .option('--target-port <port>', 'with --target-image: the TLS port it listens on', positiveInt('--target-port'))
    .option('--target-env <KEY=VALUE>', 'with --target-image: environment for the container (repeatable)', collect, [])
    .option('--target-cmd <command>', 'with --target-image: command and arguments for the container ({port} is --target-port); with --target-client-image: its arguments ({url} etc. substituted)')
    .option('--targets-file <file>', 'several targets, one per line or a YAML list ("- target: URL" with optional "profile:"); one report directory each and an index')
    .option('--parallel <n>', 'with --targets-file: targets run at once', positiveInt('--parallel'), 4)
    .option('--shard <i/n>', 'with --targets-file: run only the i-th of n slices (for CI job matrices)')
    .option('--target-client <command>', 'a client program to test: run once per case against a reference server; {url} {host} {port} {ca} {cert} {key} {crl} are substituted')
    .option('--client-cert-ca <file>', 'with --target-client: the client brings its own certificate, issued by this CA (PEM)')
    .option('-p, --profile <name|file>', 'built-in profile name or a profile file (YAML/JSON)', 'intermediate')
    .option('--certs <dir>', `certificate directory made by "certs init" (default: ${defaultCertsDir()})`)
    .option('--target-ca <file>', "CA bundle (PEM) that verifies the target's certificate (default: the certs server CA plus the system roots)")
    .option('--report-dir <dir>', 'write report.json, junit.xml, report.md, report.html and manifest.json here', asOptionParser(validateOutputDir('--report-dir')), 'conformance-report')
    .option('-q, --quiet', 'print only the summary line (and errors)')
    .option('--json', 'print the report (report.json) to stdout instead of the table')
    .option('--sign-key <file>', 'sign manifest.json with this private key (PEM, Ed25519 or ECDSA); check with: conformance verify DIR --pubkey PUB')
    .option('--only <glob>', 'run only cases whose id matches (repeatable; * within a segment, ** across)', collect, [])
    .option('--timeout <duration>', 'bound on every network wait and on each run of a --target-client command, e.g. 5000, 500ms, 5s', duration('--timeout'), 5000)
    .option('--concurrency <n>', 'cases probed at once', positiveInt('--concurrency'), 8)
    .option('--http-path <path>', 'request path for the application round trip; with --protocol grpc, the method path (/ means /grpc.health.v1.Health/Check)', asOptionParser(validateHttpPath), '/')
    .option('--http-method <method>', 'request method for the application round trip', asOptionParser(validateHttpMethod), 'GET')
    .addOption(new Option('--protocol <protocol>', 'https: acceptance is an HTTP response over HTTP/2 or HTTP/1.1 (ALPN); grpc: a gRPC call over HTTP/2, any gRPC answer but 16/7 accepts; tls: the connection stays open for a read window').choices(['https', 'grpc', 'tls']))
    .option('--servername <name>', 'SNI and hostname-check name, when it differs from the target host')
    .option('--issuer-cert <file>', 'issue the client matrix under this CA certificate (PEM) instead of the generated client CA')
    .option('--issuer-key <file>', 'private key of --issuer-cert (PEM)')
    .option('--slow', "also run the checks that wait in real time: a session offered again once the profile's maxSessionLifetimeSeconds (plus 5 s) has passed must not be resumed")
    .action(async (flags: RunFlags) => {
      program.setOptionValue('exitCode', await runCommand(flags));
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
    .action(async (dir: string, flags: { host: string[]; profile: string; force?: boolean; issuerCert?: string; issuerKey?: string }) => {
      program.setOptionValue('exitCode', await (await lazy.certsInit())(dir, flags));
    });

  program
    .command('cases')
    .description('List every case id with its expectation, severity and rationale under a profile.')
    .option('-p, --profile <name|file>', 'profile that sets expectations and severities', 'intermediate')
    .option('--json', 'print JSON')
    .action(async (flags: { profile: string; json?: boolean }) => {
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
    .option('--certs <dir>', `certificate directory made by "certs init" (default: ${defaultCertsDir()})`)
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
    .description('Merge per-job report directories into one index (index.json, index.md).')
    .requiredOption('--out <dir>', 'where the merged index goes', asOptionParser(validateOutputDir('--out')))
    .action(async (dirs: string[], flags: { out: string }) => {
      const { index, indexPath } = await (await lazy.runMany()).mergeIndexes(dirs, flags.out);
      const { exitCodeOf } = await lazy.runMany();
      process.stdout.write(`${index.summary.targets} target${index.summary.targets === 1 ? '' : 's'} merged: ${index.summary.conformant} conformant, ${index.summary.nonConformant} non-conformant, ${index.summary.couldNotRun} could not run · index: ${indexPath}\n`);
      program.setOptionValue('exitCode', exitCodeOf(index.summary));
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
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
        process.exitCode = 0;
        return;
      }
      const msg = err.message.replace(/^error: /, '').replace(/\n[\s\S]*$/, '');
      process.stderr.write(`error: ${msg}${/\.$/.test(msg) ? '' : '.'} Run "conformance --help" for the commands and flags.\n`);
      process.exitCode = 2;
      return;
    }
    if (err instanceof ConformanceError) {
      process.stderr.write(err.message + '\n');
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`error: internal fault in mtls-conformance: ${(err as Error)?.message ?? String(err)}. Please report it with the command you ran.\n`);
    if (process.env.CONFORMANCE_DEBUG) process.stderr.write(String((err as Error)?.stack) + '\n');
    process.exitCode = 3;
  }
}
