import { quote } from '../errors.js';
import { readBounded } from '../io/read-bounded.js';
import { readPublicKey } from '../report/manifest.js';
import { verifyReportDir } from '../report/report-dir.js';

/**
 * `conformance verify DIR [--pubkey FILE]`: exit 0 with one line when every file matches
 * manifest.json and every recorded verdict re-judges the same; exit 1 with one line per
 * difference; exit 2 when there is no report directory or manifest to check.
 */
export async function verifyCommand(dir: string, flags: { pubkey?: string }): Promise<number> {
  let publicKey;
  if (flags.pubkey !== undefined) {
    const pem = (await readBounded(flags.pubkey, { maxBytes: 1024 * 1024, label: '--pubkey', code: 'file' })).toString('utf8');
    publicKey = readPublicKey(pem, `--pubkey ${quote(flags.pubkey)}`);
  }
  const outcome = await verifyReportDir(dir, { publicKey });
  if (outcome.differences.length === 0) {
    process.stdout.write(outcome.summary + '\n');
    return 0;
  }
  process.stdout.write(outcome.differences.map((d) => `differs: ${d}\n`).join(''));
  return 1;
}
