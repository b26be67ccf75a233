import type { KeyObject } from 'node:crypto';
import { appendFile, lstat, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveCases } from '../cases/resolve.js';
import { UsageError, quote } from '../errors.js';
import { describeObservation, interpret, judge, summarize } from '../judge.js';
import type { CaseResult, Observation, ResolvedCase, Role } from '../model.js';
import { PACKAGE_VERSION } from '../package-root.js';
import { profileHash } from '../profile/profile-hash.js';
import type { Profile } from '../profile/schema.js';
import { renderHtmlReport } from './html-report.js';
import {
  MANIFEST_FILE,
  SIGNATURE_FILE,
  buildManifest,
  hashFiles,
  listCoveredFiles,
  manifestSignatureValid,
  parseManifest,
  sha256Hex,
  writeManifest,
  type Manifest,
} from './manifest.js';
import { renderMarkdownReport } from './markdown-report.js';
import { renderJunit } from './junit-report.js';
import { writeReportJson, type Report } from './report.js';
import { READ_LIMITS, UnreadableFileError, readBounded } from '../io/read-bounded.js';
import { writeFileReplacing } from '../io/write-file-replacing.js';

/**
 * A report directory: report.json, junit.xml, report.md,
 * report.html and manifest.json, optionally manifest.sig. `writeReportDir` writes it at the end of
 * a run; `verifyReportDir` checks it later, anywhere, by hashes and by re-judging every recorded
 * observation under the recorded profile.
 */

/** The files writeReportDir writes itself; the manifest of a complete directory lists each. */
export const REPORT_FILES = ['report.json', 'junit.xml', 'report.md', 'report.html'] as const;

export interface ReportDirContext {
  /** The resolved profile the run judged with (`LoadedProfile.profile`): recorded whole in the manifest. */
  profile: Profile;
  /** Its SHA-256 (`LoadedProfile.sha256`); must be the one in report.json. */
  sha256: string;
  /** When the run ended; default: now. */
  finishedAt?: Date;
  /** File to append report.md to; default: $GITHUB_STEP_SUMMARY when set; null: none. */
  stepSummary?: string | null;
}

/**
 * Writes report.json, report.md and report.html into `dir`, then manifest.json over every file
 * there (junit.xml included), and appends report.md to the CI step summary. `ctx` can be the
 * run's LoadedProfile as it is. Returns the path of report.json, like writeReportJson.
 */
export async function writeReportDir(dir: string, report: Report, ctx: ReportDirContext): Promise<string> {
  const sha256 = profileHash(ctx.profile);
  // A manifest that pairs a report with another profile would be evidence of nothing.
  if (sha256 !== ctx.sha256 || sha256 !== report.profile.sha256) {
    throw new Error(`writeReportDir: the profile passed (sha256 ${sha256}) is not the one the report was judged with (sha256 ${report.profile.sha256})`);
  }
  const reportPath = await writeReportJson(dir, report);
  const markdown = renderMarkdownReport(report);
  // Each file replaces what stands at its name: a symbolic link planted there is never written through.
  await writeFileReplacing(join(dir, 'junit.xml'), renderJunit(report));
  await writeFileReplacing(join(dir, 'report.md'), markdown);
  await writeFileReplacing(join(dir, 'report.html'), renderHtmlReport(report));
  const manifest = buildManifest({ report, profile: ctx.profile, profileSha256: sha256, finishedAt: ctx.finishedAt ?? new Date(), files: await hashFiles(dir) });
  await writeManifest(dir, manifest);

  const summaryFile = ctx.stepSummary === undefined ? process.env.GITHUB_STEP_SUMMARY : ctx.stepSummary;
  if (summaryFile) {
    try {
      // Appended, never overwritten: other steps of the job write to the same summary.
      await appendFile(summaryFile, `${markdown}\n`);
    } catch (err) {
      process.stderr.write(`warning: GITHUB_STEP_SUMMARY ${quote(summaryFile)} cannot be appended to (${(err as NodeJS.ErrnoException).code}); the summary is in ${join(dir, 'report.md')}.\n`);
    }
  }
  return reportPath;
}

export interface VerifyOptions {
  /** Public key that must verify manifest.sig; absent: the signature is not checked. */
  publicKey?: KeyObject;
}

export interface VerifyOutcome {
  /** One line per difference, each naming the file, the field or the case that differs. Empty: all good. */
  differences: string[];
  /** One line saying what was checked, for a clean result. */
  summary: string;
}

const short = (hex: string) => `${String(hex).slice(0, 12)}…`;

/** Canonical JSON (sorted keys), to compare recorded objects whatever their key order. */
function canonical(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort) : x && typeof x === 'object' ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])])) : x;
  return JSON.stringify(sort(v));
}

/**
 * Why `name` in `dir` is not evidence: the evidence is the regular files in the directory, so a
 * symbolic link (to anywhere, even to identical bytes) or a FIFO, device or directory is a
 * difference, and is never read (a FIFO would block the read). Null: a regular file, or absent.
 */
async function notRegularFile(dir: string, name: string): Promise<string | null> {
  const path = join(dir, name);
  const st = await lstat(path).catch(() => null);
  if (!st || st.isFile()) return null;
  if (st.isSymbolicLink()) {
    const to = await readlink(path).catch(() => '?');
    return `${name}: a symbolic link (to ${quote(to)}), not a file in the report directory`;
  }
  return `${name}: not a regular file (${st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : 'a special file'})`;
}

/** A manifest entry names a file directly in the directory, never a path out of it. */
function safeName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[\\/]/.test(name);
}

/**
 * Checks a report directory. Throws UsageError (exit 2) when there is nothing to verify (no
 * directory, no manifest.json); otherwise returns every difference found, one line each.
 */
export async function verifyReportDir(dir: string, opts: VerifyOptions = {}): Promise<VerifyOutcome> {
  try {
    if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
  } catch (err) {
    throw new UsageError('verify-dir-unreadable', `${quote(dir)} is not a readable report directory (${(err as NodeJS.ErrnoException).code}). Pass the --report-dir of a run.`);
  }
  const manifestLink = await notRegularFile(dir, MANIFEST_FILE);
  if (manifestLink) return { differences: [manifestLink], summary: '' };
  let manifestBytes: Buffer;
  try {
    manifestBytes = await readBounded(join(dir, MANIFEST_FILE), { maxBytes: READ_LIMITS.report, label: 'verify:' });
  } catch (err) {
    if (err instanceof UsageError && !(err instanceof UnreadableFileError)) throw err;
    throw new UsageError('verify-no-manifest', `${quote(join(dir, MANIFEST_FILE))} cannot be read (${(err as UnreadableFileError).errno}): the directory holds no manifest to verify. Pass a --report-dir written by "conformance run".`);
  }

  const differences: string[] = [];
  const notes: string[] = [];

  // The signature first: it covers the manifest, which covers everything else.
  let signature: string | null = null;
  const signatureLink = await notRegularFile(dir, SIGNATURE_FILE);
  if (signatureLink) differences.push(signatureLink);
  else {
    try {
      signature = (await readBounded(join(dir, SIGNATURE_FILE), { maxBytes: 64 * 1024, label: 'verify:' })).toString('utf8');
    } catch {
      signature = null;
    }
  }
  if (opts.publicKey && !signatureLink) {
    if (signature === null) differences.push(`${SIGNATURE_FILE}: missing, but --pubkey asks for a signed manifest`);
    else if (!manifestSignatureValid(manifestBytes, signature, opts.publicKey)) differences.push(`${SIGNATURE_FILE}: the signature does not verify with --pubkey over ${MANIFEST_FILE}`);
    else notes.push(`signature valid (${opts.publicKey.asymmetricKeyType})`);
  } else if (signature !== null) {
    notes.push(`${SIGNATURE_FILE} not checked (pass --pubkey)`);
  }

  const parsed = parseManifest(manifestBytes.toString('utf8'));
  if (typeof parsed === 'string') return { differences: [...differences, parsed], summary: '' };
  const manifest: Manifest = parsed;

  // Files: each listed one present and unchanged, none added, the report files all listed.
  const listed = Object.keys(manifest.files).sort();
  for (const name of listed) {
    if (!safeName(name)) {
      differences.push(`${MANIFEST_FILE}: lists ${quote(name)}, which is not a file inside the directory`);
      continue;
    }
    const notFile = await notRegularFile(dir, name);
    if (notFile) {
      differences.push(notFile);
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await readBounded(join(dir, name), { maxBytes: READ_LIMITS.report, label: 'verify:' });
    } catch (err) {
      differences.push(err instanceof UnreadableFileError ? `${name}: missing (${MANIFEST_FILE} lists it)` : `${name}: ${(err as Error).message.replace(/^error: verify: /, '')}`);
      continue;
    }
    const now = sha256Hex(bytes);
    if (now !== manifest.files[name]) differences.push(`${name}: SHA-256 ${short(now)} does not match ${MANIFEST_FILE} (${short(manifest.files[name]!)}): the file was changed`);
  }
  const present = await listCoveredFiles(dir);
  for (const name of present) if (!(name in manifest.files)) differences.push((await notRegularFile(dir, name)) ?? `${name}: not listed in ${MANIFEST_FILE}`);
  for (const name of REPORT_FILES) if (!(name in manifest.files) && !present.includes(name)) differences.push(`${name}: missing, and not listed in ${MANIFEST_FILE}`);

  // The profile: its recorded hash, and the same profile in the manifest and in the report.
  const recomputed = profileHash(manifest.profile.resolved);
  if (recomputed !== manifest.profile.sha256) {
    differences.push(`${MANIFEST_FILE}: profile ${quote(manifest.profile.name)} hashes to ${short(recomputed)}, not the recorded sha256 ${short(manifest.profile.sha256)}: the profile was changed`);
  }

  let report: Report | null = null;
  // Re-judged only from the directory's own report.json (a link was named above).
  if (await notRegularFile(dir, 'report.json')) return { differences, summary: '' };
  try {
    report = JSON.parse((await readBounded(join(dir, 'report.json'), { maxBytes: READ_LIMITS.report, label: 'verify:' })).toString('utf8')) as Report;
    if (!report || typeof report !== 'object' || !Array.isArray(report.results) || !report.profile) throw new Error('no "results" or "profile"');
  } catch (err) {
    // A missing report.json is already said above.
    if (!(err instanceof UnreadableFileError && err.errno === 'ENOENT')) differences.push(`report.json: not a report (${(err as Error).message})`);
    report = null;
  }
  if (!report) return { differences, summary: '' };

  if (report.profile.sha256 !== manifest.profile.sha256) {
    differences.push(`report.json: profile sha256 ${short(report.profile.sha256)} differs from ${MANIFEST_FILE} (${short(manifest.profile.sha256)})`);
  }
  if (report.profile.name !== manifest.profile.name) differences.push(`report.json: profile name ${quote(report.profile.name)} differs from ${MANIFEST_FILE} (${quote(manifest.profile.name)})`);
  if (canonical(report.target) !== canonical(manifest.target)) differences.push(`report.json: target ${canonical(report.target)} differs from ${MANIFEST_FILE} (${canonical(manifest.target)})`);
  if (report.startedAt !== manifest.startedAt) differences.push(`report.json: startedAt ${quote(report.startedAt)} differs from ${MANIFEST_FILE} (${quote(manifest.startedAt)})`);
  if (canonical(report.tool) !== canonical(manifest.tool)) differences.push(`report.json: tool ${canonical(report.tool)} differs from ${MANIFEST_FILE} (${canonical(manifest.tool)})`);

  // Verdicts: re-judged from the recorded observations under the recorded profile.
  // zod loads only for `verify`: a run writes reports without it.
  const { profileSchema } = await import('../profile/schema.js');
  const profile = profileSchema.safeParse(manifest.profile.resolved);
  if (!profile.success) {
    const issue = profile.error.issues[0];
    differences.push(`${MANIFEST_FILE}: the recorded profile is not a valid profile (${issue?.path.join('.') || 'top level'}: ${issue?.message}), so no verdict can be re-judged`);
    return { differences, summary: '' };
  }
  try {
    differences.push(...rejudgeReport(report, profile.data));
  } catch (err) {
    // A hand-edited report can be any JSON; what cannot be read is a difference, not a crash.
    differences.push(`report.json: its results cannot be re-judged (${(err as Error).message})`);
  }

  const summary =
    `ok: ${dir}: ${listed.length} files match ${MANIFEST_FILE}; ${report.results.length} verdicts re-judged under profile ${manifest.profile.name} ` +
    `(sha256 ${manifest.profile.sha256.slice(0, 12)}) by mtls-conformance ${PACKAGE_VERSION} agree (${report.summary?.verdict})${notes.length ? `; ${notes.join('; ')}` : ''}`;
  return { differences, summary };
}

/**
 * Judges every recorded observation again with the current judge, the way the suites do (the
 * positive control of the case's role decides whether a refusal means anything), and names each
 * case whose verdict, expectation or severity differs from the record, then the summary.
 */
export function rejudgeReport(report: Report, profile: Profile): string[] {
  const differences: string[] = [];
  let cases = new Map<string, ResolvedCase>(resolveCases(profile).map((c) => [c.id, c]));
  // A report of a larger suite (--suite deep/exhaustive): its cases are built only when needed.
  if (report.results.some((r) => !cases.has(r.id))) cases = new Map(resolveCases(profile, undefined, 'exhaustive').map((c) => [c.id, c]));
  const recorded = new Map(report.results.map((r) => [r.id, r]));
  const controls = new Map<Role, Observation | null>();
  for (const c of cases.values()) if (c.positiveControl) controls.set(c.role, recorded.get(c.id)?.observed ?? null);

  const rejudged: CaseResult[] = [];
  for (const r of report.results) {
    const c = cases.get(r.id);
    if (!c) {
      differences.push(`${r.id}: not a case of mtls-conformance ${PACKAGE_VERSION}, so its verdict cannot be re-judged`);
      continue;
    }
    if (r.expect !== c.expect) differences.push(`${r.id}: expectation recorded ${quote(r.expect)}, the profile gives ${quote(c.expect)}`);
    if (r.severity !== c.severity) differences.push(`${r.id}: severity recorded ${quote(r.severity)}, the profile gives ${quote(c.severity)}`);
    if ((r.waived ?? null) !== (c.waived ?? null)) differences.push(`${r.id}: waiver recorded ${quote(r.waived ?? 'none')}, the profile gives ${quote(c.waived ?? 'none')}`);
    const control = controls.get(c.role) ?? null;
    try {
      const verdict = judge(c, r.observed, profile, {
        controlAccepted: control ? interpret(control, profile) === 'accepted' : null,
        controlSummary: control ? describeObservation(control) : undefined,
      });
      if (verdict.verdict !== r.verdict) differences.push(`${r.id}: verdict recorded ${quote(r.verdict)}, re-judged ${quote(verdict.verdict)} (${verdict.reason})`);
      rejudged.push({ case: c, observation: r.observed, verdict });
    } catch (err) {
      differences.push(`${r.id}: the recorded observation cannot be re-judged (${(err as Error).message})`);
    }
  }
  const again = summarize(rejudged);
  const s = report.summary ?? ({} as Report['summary']);
  for (const k of ['pass', 'fail', 'inconclusive', 'skip', 'verdict'] as const) {
    if (s[k] !== again[k]) differences.push(`report.json: summary.${k} recorded ${JSON.stringify(s[k] ?? null)}, re-judged ${JSON.stringify(again[k])}`);
  }
  return differences;
}
