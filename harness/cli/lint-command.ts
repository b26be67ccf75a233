import { loadProfile } from '../profile/load.js';
import type { Role } from '../model.js';
import { lint, lintExitCode } from '../lint/lint.js';
import { formatLint } from '../lint/format-lint.js';

/** `conformance lint FILE...`: certificates and CSRs checked against a profile; exit 0, 1 or 2. */
export async function lintCommand(files: string[], flags: { profile: string; role?: Role; host?: string; json?: boolean }): Promise<number> {
  const profile = loadProfile(flags.profile);
  const report = await lint(files, { profile, role: flags.role, host: flags.host });
  process.stdout.write((flags.json ? JSON.stringify(report, null, 2) : formatLint(report)) + '\n');
  return lintExitCode(report);
}
