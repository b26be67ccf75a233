/**
 * A readable name for the suite file in vitest's output, instead of its path inside the package
 * (`node_modules/mtls-conformance/dist/suites/server.suite.js`). vitest names a file task by its
 * path when it collects the file; renaming it while the file is being collected is what reporters
 * then show (the default, dot and junit reporters read the file task's name). Best effort: the
 * collector is reached through vitest's runner API (vitest 5: TestRunner.getCurrentSuite; vitest 4:
 * `vitest/suite`); if neither is there the path stays.
 */
import * as vitest from 'vitest';

type SuiteCollector = { file?: { name?: unknown } };
type GetCurrentSuite = () => SuiteCollector;

export async function nameSuiteFile(name: string): Promise<void> {
  let getCurrentSuite = (vitest as unknown as { TestRunner?: { getCurrentSuite?: GetCurrentSuite } }).TestRunner?.getCurrentSuite;
  if (!getCurrentSuite) {
    // A variable specifier: vitest 5 has no `vitest/suite`, and its types must not be asked for it.
    const legacy = 'vitest/suite';
    getCurrentSuite = await import(legacy).then((m: { getCurrentSuite?: GetCurrentSuite }) => m.getCurrentSuite).catch(() => undefined);
  }
  try {
    const file = getCurrentSuite?.().file;
    if (file && typeof file.name === 'string') file.name = name;
  } catch {
    // Outside collection there is no current suite: keep the path.
  }
}
