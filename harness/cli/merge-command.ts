import { mergeIndexes } from '../many/merge.js';
import { exitCodeOf } from '../many/index-report.js';

/** `conformance report merge DIR... --out DIR`: one index from many; the exit code of the merged set. */
export async function mergeCommand(dirs: string[], out: string): Promise<number> {
  const { index, indexPath } = await mergeIndexes(dirs, out);
  const s = index.summary;
  process.stdout.write(`${s.targets} target${s.targets === 1 ? '' : 's'} merged: ${s.conformant} conformant, ${s.nonConformant} non-conformant, ${s.couldNotRun} could not run · index: ${indexPath}\n`);
  return exitCodeOf(s);
}
