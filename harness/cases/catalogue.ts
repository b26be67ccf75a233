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

/**
 * The case catalogue: every case as data, one file per `<role>/<area>` (harness/cases/<role>/<area>.ts),
 * each case carrying its certificate chain as a spec. Ids are stable: once released, an id never
 * changes meaning. Adding a case is one entry in its area's file; a new area is one line here.
 */

export type { CatalogueEntry, Policy } from './define.js';

export const AREAS: AreaCases[] = [serverClientAuth, serverProtocol, serverSession, serverCipher, serverCertificate, clientServerAuth, clientProtocol, clientCipher, clientCertificate, clientRevocation];

const entries = buildCatalogue(AREAS);
const byId = new Map(entries.map((e) => [e.id, e]));

export function catalogue(): CatalogueEntry[] {
  return [...entries];
}

export function findCase(id: string): CatalogueEntry | undefined {
  return byId.get(id);
}

/** Every chain the cases present or serve, by store name: the certificate set a store generates. */
export function caseChains(): NamedChain[] {
  return chainsOf(entries);
}
