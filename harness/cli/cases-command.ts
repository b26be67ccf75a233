import type { SuiteName } from '../model.js';
import { resolveCases } from '../cases/resolve.js';
import { loadProfile } from '../profile/load.js';

/** `conformance cases`: every id with its expectation and rationale under a profile. */
export function listCases(flags: { profile: string; json?: boolean; suite?: SuiteName }): number {
  const { profile } = loadProfile(flags.profile);
  const cases = resolveCases(profile, undefined, flags.suite ?? 'core');
  if (flags.json) {
    process.stdout.write(JSON.stringify(cases.map(({ recipe: _r, ...c }) => c), null, 2) + '\n');
    return 0;
  }
  const width = Math.max(...cases.map((c) => c.id.length));
  process.stdout.write(`Cases under profile ${profile.name}:\n`);
  for (const c of cases) {
    const expect = c.skip ? `skip (${c.skip})` : c.expect === 'property' ? 'check' : c.expect;
    process.stdout.write(`${c.id.padEnd(width)}  ${expect.padEnd(8)} ${c.severity.padEnd(11)} ${c.title}\n${' '.repeat(width + 2)}${c.rationale} [${c.refs.join('; ')}]\n`);
  }
  return 0;
}
