import { createHash, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Material } from './generate.js';
import { keyMatchesCert } from './key-match.js';
import { matrixSpecs, type MatrixOptions, DEFAULT_MATRIX_OPTIONS } from './matrix.js';
import type { CertSpec } from './spec.js';

/**
 * The on-disk certificate store: one directory per set of CAs, a cache keyed by each spec, so a
 * second run generates nothing. Private keys are written 0600 in 0700 directories.
 */

const DAY_MS = 86_400_000;
/** Leaves are regenerated after this age: time-relative specs (valid, renewal window) stay true. */
const LEAF_MAX_AGE_MS = 7 * DAY_MS;
/** CAs are kept across runs (a target already trusts them) until this close to expiry. */
const CA_MIN_REMAINING_MS = 60 * DAY_MS;
const TRUST_ANCHORS = new Set(['client-ca', 'server-ca']);

export interface IssuedCert extends Material {
  name: string;
  /** Leaf followed by the issuers a peer should send (spec.sendChain). */
  chainPem: string;
  certPath: string;
  keyPath: string;
}

interface IndexEntry {
  hash: string;
  generatedAt: number;
}
interface StoreIndex {
  version: 1;
  externalClientCa: boolean;
  entries: Record<string, IndexEntry>;
}

export interface EnsureOptions {
  matrix?: MatrixOptions;
  /** Regenerate everything, CAs included. */
  force?: boolean;
  /** Issue the client matrix under this CA instead of a generated one. */
  issuer?: Material;
  now?: number;
}

export interface EnsureResult {
  dir: string;
  certs: Map<string, IssuedCert>;
  generated: string[];
  reused: string[];
}

export function pathsFor(dir: string, name: string): { certPath: string; keyPath: string } {
  if (name === 'client-ca' || name === 'server-ca') {
    return { certPath: join(dir, 'trust', `${name}.pem`), keyPath: join(dir, 'private', `${name}-key.pem`) };
  }
  if (name === 'server') {
    return { certPath: join(dir, 'target', 'server-cert.pem'), keyPath: join(dir, 'target', 'server-key.pem') };
  }
  const slash = name.indexOf('/');
  if (slash > 0) {
    // client/<case> and server/<case>: the matrices, one file per certificate.
    const [group, stem] = [name.slice(0, slash), name.slice(slash + 1)];
    return { certPath: join(dir, group, `${stem}.pem`), keyPath: join(dir, 'private', group, `${stem}-key.pem`) };
  }
  return { certPath: join(dir, 'ca', `${name}.pem`), keyPath: join(dir, 'private', `${name}-key.pem`) };
}

function specHash(spec: CertSpec, issuerCertPem: string | null): string {
  return createHash('sha256').update(JSON.stringify(spec)).update(issuerCertPem ?? '').digest('hex');
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

async function writeAtomic(path: string, content: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: mode === 0o600 ? 0o700 : 0o755 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}

function stillUsable(name: string, certPem: string, entry: IndexEntry | undefined, now: number): boolean {
  if (TRUST_ANCHORS.has(name) || name === 'untrusted-ca' || name.endsWith('-intermediate')) {
    return new X509Certificate(certPem).validToDate.getTime() - now > CA_MIN_REMAINING_MS;
  }
  return entry !== undefined && now - entry.generatedAt < LEAF_MAX_AGE_MS;
}

/** Order specs so that every issuer comes before what it issues; group into levels that can generate in parallel. */
function levels(specs: CertSpec[]): CertSpec[][] {
  const done = new Set<string>();
  const out: CertSpec[][] = [];
  let rest = specs;
  while (rest.length > 0) {
    const ready = rest.filter((s) => s.issuer === 'self' || done.has(s.issuer));
    if (ready.length === 0) throw new Error(`certificate specs with unknown issuers: ${rest.map((s) => s.name).join(', ')}`);
    out.push(ready);
    for (const s of ready) done.add(s.name);
    rest = rest.filter((s) => !ready.includes(s));
  }
  return out;
}

export async function ensureCerts(dir: string, options: EnsureOptions = {}): Promise<EnsureResult> {
  const now = options.now ?? Date.now();
  const specs = matrixSpecs(options.matrix ?? DEFAULT_MATRIX_OPTIONS);
  const indexPath = join(dir, 'index.json');
  const rawIndex = options.force ? null : await readIfExists(indexPath);
  let index: StoreIndex = rawIndex ? (JSON.parse(rawIndex) as StoreIndex) : { version: 1, externalClientCa: false, entries: {} };
  if (index.version !== 1) index = { version: 1, externalClientCa: false, entries: {} };

  await mkdir(dir, { recursive: true, mode: 0o755 });
  const certs = new Map<string, IssuedCert>();
  const generated: string[] = [];
  const reused: string[] = [];
  const materials = new Map<string, Material>();

  if (options.issuer) {
    materials.set('client-ca', options.issuer);
    index.externalClientCa = true;
  }

  for (const level of levels(specs)) {
    await Promise.all(
      level.map(async (spec) => {
        const { certPath, keyPath } = pathsFor(dir, spec.name);
        if (spec.name === 'client-ca' && options.issuer) {
          await writeAtomic(certPath, options.issuer.certPem, 0o644);
          return;
        }
        const issuer = spec.issuer === 'self' ? undefined : materials.get(spec.issuer);
        const hash = specHash(spec, issuer?.certPem ?? null);
        const entry = index.entries[spec.name];
        const [certPem, keyPem] = options.force ? [null, null] : await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
        const keepCa = TRUST_ANCHORS.has(spec.name) && certPem && keyPem && !(spec.name === 'client-ca' && index.externalClientCa);
        if (certPem && keyPem && (keepCa || entry?.hash === hash) && stillUsable(spec.name, certPem, entry, now)) {
          materials.set(spec.name, { certPem, keyPem });
          reused.push(spec.name);
          return;
        }
        if (spec.issuer === 'client-ca' && index.externalClientCa && !options.issuer) {
          throw new StoreNeedsIssuerError(dir);
        }
        // @peculiar/x509 loads only when something is generated: a warm run never pays for it.
        const { generate } = await import('./generate.js');
        const m = await generate(spec, issuer, now);
        await writeAtomic(keyPath, m.keyPem, 0o600);
        await writeAtomic(certPath, m.certPem, 0o644);
        index.entries[spec.name] = { hash, generatedAt: now };
        materials.set(spec.name, m);
        generated.push(spec.name);
      }),
    );
  }
  if (!options.issuer && generated.includes('client-ca')) index.externalClientCa = false;
  if (generated.length > 0 || options.issuer) await writeAtomic(indexPath, JSON.stringify(index, null, 2) + '\n', 0o644);

  for (const spec of specs) {
    const m = materials.get(spec.name);
    if (!m) continue;
    const chainPem = m.certPem + spec.sendChain.map((n) => materials.get(n)!.certPem).join('');
    const paths = pathsFor(dir, spec.name);
    // For peers other than the harness (curl --cert, a client under test): the leaf plus what it sends.
    if (spec.sendChain.length > 0) await writeAtomic(paths.certPath.replace(/\.pem$/, '-chain.pem'), chainPem, 0o644);
    certs.set(spec.name, { name: spec.name, ...m, chainPem, ...paths });
  }
  return { dir, certs, generated, reused };
}

/** Raised when a store was issued under a user's CA whose key is needed again to renew leaves. */
export class StoreNeedsIssuerError extends Error {
  constructor(readonly dir: string) {
    super(`the client certificates in "${dir}" were issued by your own CA and need renewing`);
  }
}

export async function loadIssuer(certPath: string, keyPath: string): Promise<Material> {
  const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  return { certPem, keyPem };
}

export { keyMatchesCert };
