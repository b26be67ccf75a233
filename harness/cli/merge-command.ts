import { mergeIndexes } from '../many/merge.js';
import { exitCodeOf } from '../many/index-report.js';
import { publishToCi } from '../many/job-summary.js';

/**
 * `conformance report merge DIR... --out DIR`: one index from many (index.json, index.md,
 * index.html, junit.xml); the exit code of the merged set; under GitHub Actions the job summary and
 * the annotations of the whole set. With --json, stdout carries the merged index alone.
 */
export async function mergeCommand(dirs: string[], out: string, flags: { json?: boolean } = {}): Promise<number> {
  const { index, indexPath, outcomes } = await mergeIndexes(dirs, out);
  const say = (line: string) => (flags.json ? process.stderr : process.stdout).write(line);
  await publishToCi(index, outcomes, { write: say });
  const s = index.summary;
  if (flags.json) process.stdout.write(JSON.stringify(index, null, 2) + '\n');
  say(`${s.targets} target${s.targets === 1 ? '' : 's'} merged: ${s.conformant} conformant, ${s.nonConformant} non-conformant, ${s.couldNotRun} could not run · index: ${indexPath}\n`);
  return exitCodeOf(s);
}
