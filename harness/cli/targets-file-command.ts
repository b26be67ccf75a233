import { readSignKeyFile } from '../report/manifest.js';
import { loadIssuerFlags, readText } from '../../certs/prepare-certs.js';
import { loadProfile } from '../profile/load.js';
import { checkApplicable, userRunFlags } from '../many/child-argv.js';
import { runMany } from '../many/run-many.js';
import { readTargetsFile } from '../many/targets-file.js';
import { parseShard, shardOf } from '../many/shard.js';
import { targetDirNames } from '../many/target-dir.js';
import { publishToCi } from '../many/job-summary.js';

export interface TargetsFileFlags {
  targetsFile: string;
  reportDir?: string;
  profile: string;
  parallel: number;
  shard?: string;
  timeoutMs: number;
  /** As commander parsed them: checked here once, as a single run checks them. */
  signKey?: string;
  issuerCert?: string;
  issuerKey?: string;
  targetCa?: string;
  clientCertCa?: string;
  /** Print index.json to stdout, and nothing else there. */
  json?: boolean;
}

/**
 * `conformance run --targets-file FILE [run flags]`: every entry checked, and the inputs the
 * parent can check once (the signing key, the issuer pair, CA files, the common profile) checked as a single
 * run checks them, before any child runs; then the children; then one line per target.
 * `tokens` are the user's own tokens after `run`, passed to each child (harness/many/child-argv.ts).
 */
export async function targetsFileCommand(tokens: string[], flags: TargetsFileFlags): Promise<number> {
  const user = userRunFlags(flags.targetsFile, tokens);
  const shard = flags.shard ? parseShard(flags.shard) : undefined;
  const all = await readTargetsFile(flags.targetsFile);
  // Every entry, not only this shard's: every job of a CI matrix refuses the same file the same way.
  for (const e of all) checkApplicable(flags.targetsFile, e, user);
  // Directory names over the whole file, before the slice: stable and unique across every shard.
  const names = targetDirNames(all);
  const entries = shardOf(
    all.map((e, i) => ({ ...e, dir: names[i]! })),
    shard,
  );
  // A bad --sign-key, issuer or profile would fail every child alike: one usage error, and nothing runs.
  if (flags.signKey !== undefined) await readSignKeyFile(flags.signKey);
  await loadIssuerFlags(flags.issuerCert, flags.issuerKey);
  // CA files: read (bounded) as a single run reads them, so a wrong path is one line, not a could-not-run per target.
  if (flags.targetCa !== undefined) await readText(flags.targetCa, '--target-ca');
  if (flags.clientCertCa !== undefined) await readText(flags.clientCertCa, '--client-cert-ca');
  if (entries.some((e) => e.profile === undefined)) loadProfile(flags.profile);

  const reportDir = flags.reportDir ?? 'conformance-report';
  const n = entries.length;
  // With --json, stdout carries the index alone; progress and annotations go to stderr.
  const say = (line: string) => (flags.json ? process.stderr : process.stdout).write(line);
  say(`Running ${n} target${n === 1 ? '' : 's'}${shard ? ` (shard ${shard.index}/${shard.count}${shard.from ? ` from ${shard.from}` : ''})` : ''}, ${flags.parallel} at a time, reports under ${reportDir}\n`);
  const { index, exitCode, indexPath, outcomes } = await runMany({
    entries,
    reportDir,
    parallel: flags.parallel,
    defaultProfile: flags.profile,
    flags: user,
    timeoutMs: flags.timeoutMs,
    onTarget: (t) => say(`${t.verdict.toUpperCase().padEnd(15)} ${t.target}  (${t.pass} pass, ${t.fail} fail, ${t.inconclusive} inconclusive)${t.error ? `  ${t.error}` : ''}\n`),
  });
  await publishToCi(index, outcomes, { write: say });
  const s = index.summary;
  if (flags.json) process.stdout.write(JSON.stringify(index, null, 2) + '\n');
  say(`${s.targets} target${s.targets === 1 ? '' : 's'}: ${s.conformant} conformant, ${s.nonConformant} non-conformant, ${s.couldNotRun} could not run · index: ${indexPath}\n`);
  return exitCode;
}
