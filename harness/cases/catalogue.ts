import type { NamedChain } from '../../certs/chain-spec.js';
import { buildCatalogue, chainsOf } from './registry.js';
import type { AreaCases, CatalogueEntry } from './define.js';
import serverClientAuth from './server/client-auth.js';
import serverProtocol from './server/protocol.js';
import serverSession from './server/session.js';
import serverCipher from './server/cipher.js';
import serverCertificate from './server/certificate.js';
import clientServerAuth from './client/server-auth.js';
import clientProtocol from './client/protocol.js';
import clientCipher from './client/cipher.js';
import clientCertificate from './client/certificate.js';
import clientRevocation from './client/revocation.js';
import { suiteAreas } from './deep/areas.js';
import type { SuiteName } from '../model.js';

/**
 * The case catalogue: every case as data, one file per `<role>/<area>` (harness/cases/<role>/<area>.ts),
 * each case carrying its certificate chain as a spec. Ids are stable: once released, an id never
 * changes meaning. Adding a case is one entry in its area's file; a new area is one line here.
 */

export type { CatalogueEntry, Policy } from './define.js';

export const AREAS: AreaCases[] = [serverClientAuth, serverProtocol, serverSession, serverCipher, serverCertificate, clientServerAuth, clientProtocol, clientCipher, clientCertificate, clientRevocation];

const entries = buildCatalogue(AREAS);
const byId = new Map(entries.map((e) => [e.id, e]));

/**
 * The cases a suite adds beyond the default one, built on first use (a default run never builds
 * them): deep = the corpus (harness/cases/deep/), exhaustive = deep + the full name-constraint product
 * and the name-smuggling set.
 */
const added = new Map<SuiteName, CatalogueEntry[]>();
function addedBy(suite: SuiteName): CatalogueEntry[] {
  if (suite === 'core') return [];
  let list = added.get(suite);
  if (!list) {
    list = buildCatalogue([...AREAS, ...suiteAreas(suite)]).slice(entries.length);
    added.set(suite, list);
  }
  return list;
}

export function catalogue(suite: SuiteName = 'core'): CatalogueEntry[] {
  return [...entries, ...addedBy(suite)];
}

/** A case of any suite: the default one first, the larger suites only when the id is not there. */
export function findCase(id: string): CatalogueEntry | undefined {
  return byId.get(id) ?? (id.split('/').length === 3 ? addedBy('exhaustive').find((e) => e.id === id) : undefined);
}

/** Every chain the cases present or serve, by store name: the certificate set a store generates. */
export function caseChains(suite: SuiteName = 'core'): NamedChain[] {
  return suite === 'core' ? chainsOf(entries) : chainsOf(addedBy(suite));
}
