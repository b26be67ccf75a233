import { chainCertSpecs, chainIsWeak, type CertSide, type ChainSpec, type NamedChain } from '../../certs/chain-spec.js';
import { DEFAULT_MATRIX_OPTIONS, leafDefaults, sharedCaSpecs } from '../../certs/matrix.js';
import type { Recipe, Role, TlsVersion } from '../model.js';
import type { AreaCases, CaseEntry, CatalogueEntry, ChainProbe } from './define.js';

/**
 * Area files -> catalogue entries: the id from where the entry lives, the store name of its leaf
 * from the id, and the probe recipe from the chain (weak-crypto mode included). Pure.
 */

const ID = /^(server|client)\/[a-z0-9.-]+\/[a-z0-9.-]+$/;

/** The side whose certificates a case of this role carries: a server target is shown client certificates. */
export function sideOf(role: Role): CertSide {
  return role === 'server' ? 'client' : 'server';
}

/** The area whose leaves keep flat store names (client/expired.pem): the role's own authentication area. */
const AUTH_AREA: Record<Role, string> = { server: 'client-auth', client: 'server-auth' };

/** Store name of the valid leaf of a side: the files users were given (client/valid.pem, target/server-cert.pem). */
const VALID_LEAF: Record<CertSide, string> = { client: 'client/valid', server: 'server' };

function isDefaultChain(chain: ChainSpec): boolean {
  return JSON.stringify(chain) === '{}';
}

/**
 * The store name of a case's leaf: the side's valid leaf for the default chain `{}` (every protocol
 * case presents it); `<side>/<name>` in the role's authentication area; `<side>/<area>/<name>` elsewhere
 * (a file under a folder of the area, so two areas may use the same name).
 */
export function storeNameOf(role: Role, areaName: string, name: string, chain: ChainSpec): string {
  const side = sideOf(role);
  if (isDefaultChain(chain)) return VALID_LEAF[side];
  return areaName === AUTH_AREA[role] ? `${side}/${name}` : `${side}/${areaName}/${name}`;
}

const sharedCas = new Map(sharedCaSpecs().map((s) => [s.name, s]));

/**
 * Whether the harness's side must run at OpenSSL security level 0: weak material anywhere in the
 * chain it presents or serves (chain-spec.ts chainIsWeak), or a pinned version below TLS 1.2
 * (OpenSSL 3 allows TLS 1.0/1.1 only at level 0).
 */
export function needsLegacy(named: NamedChain, version: TlsVersion | undefined): boolean {
  if (version === 'TLSv1' || version === 'TLSv1.1') return true;
  const specs = chainCertSpecs(named, leafDefaults(named.side, DEFAULT_MATRIX_OPTIONS), sharedCas);
  return chainIsWeak(specs, named.name, sharedCas);
}

function recipeOf(role: Role, e: CaseEntry, named: NamedChain | null): Recipe {
  if (e.chain === undefined) {
    if (!e.probe || !('kind' in e.probe)) throw new Error(`case ${e.name}: a case without a chain needs a probe kind`);
    return e.probe;
  }
  if (e.probe && 'kind' in e.probe) throw new Error(`case ${e.name}: a case with a chain takes only version and revocation as its probe`);
  const p: ChainProbe = e.probe ?? {};
  const legacy = named ? needsLegacy(named, p.version) : p.version === 'TLSv1' || p.version === 'TLSv1.1';
  const common = { ...(p.version ? { version: p.version } : {}), ...(legacy ? { legacy } : {}), ...(p.revocation ? { revocation: true } : {}) };
  if (role === 'server') {
    if (p.serverName) throw new Error(`case ${e.name}: serverName is for client-role cases`);
    return { kind: 'client-handshake', cert: named?.name ?? null, ...common };
  }
  if (!named) throw new Error(`case ${e.name}: a reference server must serve a chain`);
  return { kind: 'reference-server', cert: named.name, ...common, ...(p.serverName ? { serverName: p.serverName } : {}) };
}

/** The catalogue entries of some area files, in file order; a duplicate or malformed id throws. */
export function buildCatalogue(areas: AreaCases[]): CatalogueEntry[] {
  const byId = new Map<string, CatalogueEntry>();
  for (const a of areas) {
    for (const e of a.entries) {
      const id = `${a.role}/${a.area}/${e.name}`;
      if (!ID.test(id)) throw new Error(`malformed case id ${id}`);
      if (byId.has(id)) throw new Error(`duplicate case id ${id}`);
      const named = e.chain ? { side: sideOf(a.role), name: storeNameOf(a.role, a.area, e.name, e.chain), chain: e.chain } : null;
      const entry: CatalogueEntry = {
        id,
        title: e.title,
        role: a.role,
        recipe: recipeOf(a.role, e, named),
        // Key order as `cases --json` printed it before the catalogue was split.
        ...(e.property ? { property: e.property } : {}),
        refs: e.refs,
        ...(e.positiveControl ? { positiveControl: true } : {}),
        ...(e.chain !== undefined ? { chain: e.chain } : {}),
        ...(e.family ?? a.family ? { family: e.family ?? a.family } : {}),
        ...(a.suite && a.suite !== 'core' ? { suite: a.suite } : {}),
        policy: e.policy,
      };
      byId.set(id, entry);
    }
  }
  return [...byId.values()];
}

/** Every chain the cases carry, with its store name: what the certificate store generates (certs/store.ts). */
export function chainsOf(entries: CatalogueEntry[]): NamedChain[] {
  const out: NamedChain[] = [];
  for (const c of entries) {
    if (!c.chain) continue;
    const name = c.recipe.kind === 'client-handshake' || c.recipe.kind === 'reference-server' ? c.recipe.cert : null;
    if (name) out.push({ side: sideOf(c.role), name, chain: c.chain });
  }
  return out;
}
