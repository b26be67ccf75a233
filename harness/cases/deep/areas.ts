import type { Role, SuiteName } from '../../model.js';
import type { AreaCases } from '../define.js';
import type { Family } from './kit.js';
import path from './path.js';
import validity from './validity.js';
import basicConstraints from './basic-constraints.js';
import pathLength from './path-length.js';
import keyUsage from './key-usage.js';
import eku from './eku.js';
import keyIdentifiers from './key-identifiers.js';
import extensions from './extensions.js';
import algorithms from './algorithms.js';
import nameConstraints from './name-constraints.js';
import nameConstraintsProduct, { productCases } from './name-constraints-product.js';
import hostname from './hostname.js';
import pathBuilding from './path-building.js';
import pathological from './pathological.js';
import encoding from './encoding.js';
import crl from './crl.js';
import { exhaustiveClientCases, exhaustiveServerCases } from './name-constraints-exhaustive.js';
import nameSmuggling, { smugglingCases } from './name-smuggling.js';

/**
 * The deep corpus (issue 16 §2; docs/corpus-plan.md): one generator per family, run for each
 * role. Case ids are `<role>/<family>/<name>`; the family is also the case's report family. Built
 * only when a larger suite is asked for (catalogue.ts).
 */
export const DEEP_FAMILIES: [string, Family][] = [
  ['path', path],
  ['validity', validity],
  ['basic-constraints', basicConstraints],
  ['path-length', pathLength],
  ['key-usage', keyUsage],
  ['eku', eku],
  ['key-identifiers', keyIdentifiers],
  ['extensions', extensions],
  ['algorithms', algorithms],
  ['name-constraints', nameConstraints],
  ['name-constraints-product', nameConstraintsProduct],
  ['name-smuggling', nameSmuggling],
  ['hostname', hostname],
  ['path-building', pathBuilding],
  ['pathological', pathological],
  ['encoding', encoding],
  ['crl', crl],
];

const ROLES: Role[] = ['server', 'client'];

function familyAreas(families: [string, Family][], suite: SuiteName, areaName = (f: string) => f, family = (f: string) => f): AreaCases[] {
  const out: AreaCases[] = [];
  for (const role of ROLES) {
    for (const [name, make] of families) {
      const entries = make(role);
      if (entries.length > 0) out.push({ role, area: areaName(name), entries, suite, family: family(name) });
    }
  }
  return out;
}

/** The areas a suite adds beyond the default one. */
export function suiteAreas(suite: SuiteName): AreaCases[] {
  if (suite === 'core') return [];
  const deep = familyAreas(DEEP_FAMILIES, 'deep');
  if (suite === 'deep') return deep;
  // The rest of the BetterTLS-style product: host name and CN axes (name-constraints-product.ts),
  // then the full product of both directions (name-constraints-exhaustive.ts), then the smuggling
  // set beyond the deep slice (name-smuggling.ts; ids smuggle-*, family name-smuggling).
  return [
    ...deep,
    { role: 'server', area: 'name-constraints-exhaustive', entries: exhaustiveServerCases(), suite: 'exhaustive', family: 'name-constraints-product' },
    { role: 'client', area: 'name-constraints-exhaustive', entries: [...productCases('client', true), ...exhaustiveClientCases()], suite: 'exhaustive', family: 'name-constraints-product' },
    { role: 'server', area: 'name-constraints-exhaustive', entries: smugglingCases('server', 'exhaustive'), suite: 'exhaustive', family: 'name-smuggling' },
    { role: 'client', area: 'name-constraints-exhaustive', entries: smugglingCases('client', 'exhaustive'), suite: 'exhaustive', family: 'name-smuggling' },
  ];
}
