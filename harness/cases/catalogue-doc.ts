import { loadProfile } from '../profile/load.js';
import { AREAS, findCase } from './catalogue.js';
import { describeChain } from './describe-chain.js';
import { sideOf } from './registry.js';
import { resolveCases } from './resolve.js';

/** docs/cases.md, generated from the catalogue so it cannot drift (a test compares them). */
export function renderCaseCatalogue(profiles = ['intermediate', 'modern']): string {
  const resolved = profiles.map((p) => ({ name: p, cases: resolveCases(loadProfile(p).profile) }));
  const base = resolved[0]!.cases;
  const lines = [
    '# Case catalogue',
    '',
    'Generated from the case catalogue (`npm run docs` in the repository); do not edit by hand. The same list, with the expectations and severities a profile gives: `conformance cases --profile P [--json]`.',
    'Ids are stable: once released, an id never changes meaning. `conformance cases --profile P` prints the same for any profile.',
    '',
    `| id | ${profiles.map((p) => `${p}: expect / severity`).join(' | ')} | refs |`,
    `|---|${profiles.map(() => '---').join('|')}|---|`,
  ];
  for (const c of base) {
    const cells = resolved.map(({ cases }) => {
      const r = cases.find((x) => x.id === c.id)!;
      return r.skip ? `skip unless clientIdentity` : `${r.expect} / ${r.severity}`;
    });
    lines.push(`| \`${c.id}\` | ${cells.join(' | ')} | ${c.refs.join('; ')} |`);
  }
  lines.push('', '## What each case does and why', '');
  // One section per area file: where a case is added, and what its chain varies.
  for (const a of AREAS) {
    lines.push(`### ${a.role}/${a.area}`, '', `Declared in \`harness/cases/${a.role}/${a.area}.ts\`.`, '');
    for (const c of base.filter((x) => x.id.startsWith(`${a.role}/${a.area}/`))) {
      const chain = findCase(c.id)?.chain;
      const carries = chain === undefined ? [] : [`${c.role === 'server' ? 'Presents' : 'Serves'}: ${describeChain(chain, sideOf(c.role))}.`, ''];
      lines.push(`#### \`${c.id}\``, '', c.title + '.', '', ...carries, `Rationale (${profiles[0]}): ${c.rationale}`, '');
    }
  }
  return lines.join('\n');
}
