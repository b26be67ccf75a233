import { StoreLockNotFile, StoreLockTimeout, withStoreLock } from './store-lock.js';
import { makeDirs } from '../harness/io/make-dirs.js';
import { createHash, createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { chmod, lstat, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Material } from './generate.js';
import { keyMatchesCert } from './key-match.js';
import { matrixSpecs, type MatrixOptions, DEFAULT_MATRIX_OPTIONS } from './matrix.js';
import type { CertSpec } from './spec.js';
import type { NamedChain } from './chain-spec.js';
import { ensureCrls, type BundleRoot, type CrlIndexEntry } from './crl-store.js';
import { pickResponderPort, type RevocationStore } from './revocation-data.js';
import { UsageError, quote } from '../harness/errors.js';
import { dirWriteError } from '../harness/io/writable-dir.js';
import { readBounded, UnreadableFileError } from '../harness/io/read-bounded.js';

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
  /** Port of the CRL/OCSP responder named in the certificates (CDP, AIA), fixed when the directory is made. */
  revocationPort?: number;
  /** CRL cache, by CA name. */
  crls?: Record<string, CrlIndexEntry>;
}

export interface EnsureOptions {
  matrix?: MatrixOptions;
  /**
   * The chains the cases carry, collected from the catalogue by the caller (harness/cases/chains.ts):
   * certs/ does not know the cases. Absent: the shared CAs only.
   */
  chains?: NamedChain[];
  /** Regenerate everything, CAs included. */
  force?: boolean;
  /** Issue the client matrix under this CA instead of a generated one. */
  issuer?: Material;
  now?: number;
  /**
   * Material made elsewhere, by name (a suite's own store takes the anchors and shared CAs of the
   * main store, which the target already trusts): used as issuers, never generated or written here.
   */
  given?: ReadonlyMap<string, Material>;
  /** CDP and OCSP URLs on issued certificates (default true). */
  revocationUrls?: boolean;
  /**
   * The responder port the certificates name, instead of this directory's own: a suite's store
   * names the main store's responder, which serves the suite's CRLs during its runs.
   */
  revocationPort?: number;
  /** CRLs of the given anchors' hierarchies, heading this store's bundles (crl-store.ts ensureCrls). */
  givenBundles?: Partial<Record<BundleRoot, string>>;
  /** One-line warnings (a key mode fixed, a damaged leaf regenerated); default: stderr. */
  onWarning?: (line: string) => void;
}

export interface EnsureResult {
  dir: string;
  certs: Map<string, IssuedCert>;
  generated: string[];
  reused: string[];
  /** The CRLs and the responder port the certificates name. */
  revocation: RevocationStore;
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

/** A PEM certificate or key is a few KB; a file far larger in the store is not ours. */
const STORE_FILE_MAX = 1024 * 1024;
/**
 * The index and the verified list hold a line per certificate: ~7 MB and ~2 MB for the ~24,000 of
 * `--suite exhaustive`, so they get a bound of their own.
 */
const STORE_INDEX_MAX = 64 * 1024 * 1024;

function repairHint(dir: string): string {
  return `Run: conformance certs init ${quote(dir)} --force (it regenerates the CAs too: reconfigure the target to trust the new trust/client-ca.pem)`;
}

function damaged(dir: string, path: string, why: string): UsageError {
  return new UsageError('certs-damaged', `certificate directory ${quote(dir)} is damaged: ${quote(path)} ${why}. ${repairHint(dir)}.`);
}

async function readIfExists(dir: string, path: string, maxBytes = STORE_FILE_MAX): Promise<string | null> {
  try {
    return (await readBounded(path, { maxBytes, label: 'certificate store file', code: 'certs' })).toString('utf8');
  } catch (err) {
    if (err instanceof UnreadableFileError && err.errno === 'ENOENT') return null;
    if (err instanceof UsageError && err.code === 'certs-too-large') throw damaged(dir, path, `is larger than ${maxBytes / 1024 / 1024} MB`);
    throw err;
  }
}

/** Why a stored certificate and key cannot be used, or null when they parse and belong together. */
function materialProblem(certPem: string, keyPem: string, certPath: string, keyPath: string): { path: string; why: string } | null {
  // Each parsed once: this runs for every certificate of the store on every run.
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return { path: certPath, why: 'is not a readable PEM certificate (truncated or overwritten?)' };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    return { path: keyPath, why: 'is not a readable PEM private key (truncated or overwritten?)' };
  }
  try {
    if (!cert.publicKey.equals(createPublicKey(key))) return { path: keyPath, why: `is not the key of ${quote(certPath)}` };
  } catch {
    return { path: keyPath, why: `cannot be checked against ${quote(certPath)}` };
  }
  return null;
}

/**
 * A private key readable by group or others (copied with a loose umask, unpacked from an archive)
 * is set back to 0600, and the user is told; a key we cannot fix is refused.
 */
async function tightenKeyMode(dir: string, keyPath: string, warn: (line: string) => void): Promise<void> {
  const mode = (await stat(keyPath)).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  try {
    await chmod(keyPath, 0o600);
  } catch (err) {
    throw new UsageError(
      'certs-key-mode',
      `private key ${quote(keyPath)} is readable by others (mode 0${mode.toString(8)}) and cannot be set to 0600 (${(err as NodeJS.ErrnoException).code}). Run: chmod 600 ${quote(keyPath)}, or ${repairHint(dir).replace(/^Run: /, '')}.`,
    );
  }
  warn(`warning: private key ${quote(keyPath)} was readable by others (mode 0${mode.toString(8)}); set it to 0600.`);
}

function storeWriteError(err: unknown, dir: string): unknown {
  if (err instanceof UsageError) return err;
  return dirWriteError(err, dir, 'certificate directory') ?? err;
}

async function writeAtomic(path: string, content: string, mode: number): Promise<void> {
  await makeDirs(dirname(path), mode === 0o600 ? 0o700 : 0o755);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}

/**
 * Pairs already found to parse and belong together, by store name: SHA-256 of the certificate and
 * key files as they were. Checking every pair (two parses and a key comparison each) was most of a
 * warm run's certificate time; a pair whose bytes changed in any way is checked again, so a
 * truncated, overwritten or swapped file is found as before. In private/ (0600): it names keys.
 */
const VERIFIED_FILE = join('private', 'verified.json');

function pairFingerprint(certPem: string, keyPem: string): string {
  return createHash('sha256').update(certPem).update('\0').update(keyPem).digest('hex');
}

async function readVerified(dir: string): Promise<Record<string, string>> {
  try {
    const text = await readIfExists(dir, join(dir, VERIFIED_FILE), STORE_INDEX_MAX);
    const parsed: unknown = text === null ? null : JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  } catch {
    // Unreadable or not ours: every pair is checked, and the file is written anew.
    return {};
  }
}

/**
 * writeAtomic, skipped when `path` is already a regular file with this content and mode: a warm run
 * rewrote every *-chain.pem (four file operations each, one after the other) to change nothing.
 */
async function writeUnlessCurrent(path: string, content: string, mode: number): Promise<void> {
  try {
    // Read only a regular file of the expected size: never a FIFO or a huge file someone put there.
    const info = await lstat(path);
    if (info.isFile() && (info.mode & 0o777) === mode && info.size === Buffer.byteLength(content) && (await readFile(path, 'utf8')) === content) return;
  } catch {
    // Missing or unreadable: written below.
  }
  await writeAtomic(path, content, mode);
}

function isCaName(name: string): boolean {
  return TRUST_ANCHORS.has(name) || name === 'untrusted-ca' || name.endsWith('-intermediate');
}

function stillUsable(spec: CertSpec, certPem: string, entry: IndexEntry | undefined, now: number): boolean {
  if (isCaName(spec.name)) {
    return new X509Certificate(certPem).validToDate.getTime() - now > CA_MIN_REMAINING_MS;
  }
  return entry !== undefined && now - entry.generatedAt < maxAgeMs(spec);
}

/**
 * How long a generated certificate keeps meaning what its spec says: a bound in the future
 * (not yet valid for 10 minutes, expires in 10 minutes) stops being true once it passes, so such a
 * certificate is kept for at most half the distance to it; bounds in the past stay true.
 */
export function maxAgeMs(spec: CertSpec): number {
  const bounds = [spec.notBeforeDays * DAY_MS + (spec.notBeforeSeconds ?? 0) * 1000, spec.notAfterDays * DAY_MS + (spec.notAfterSeconds ?? 0) * 1000];
  return Math.min(LEAF_MAX_AGE_MS, ...bounds.filter((b) => b > 0).map((b) => b / 2));
}

/** Order specs so that every issuer comes before what it issues; group into levels that can generate in parallel. */
function levels(specs: CertSpec[]): CertSpec[][] {
  const done = new Set<string>();
  const out: CertSpec[][] = [];
  let rest = specs;
  while (rest.length > 0) {
    // A cross-certificate (keyOf) reuses a key: it waits for the certificate that made the key.
    const ready = rest.filter((s) => (s.issuer === 'self' || done.has(s.issuer)) && (!s.keyOf || done.has(s.keyOf)));
    if (ready.length === 0) throw new Error(`certificate specs with unknown issuers: ${rest.map((s) => s.name).join(', ')}`);
    out.push(ready);
    for (const s of ready) done.add(s.name);
    // A set, not ready.includes: the exhaustive suite has ~20,000 specs (quadratic otherwise).
    const taken = new Set(ready);
    rest = rest.filter((s) => !taken.has(s));
  }
  return out;
}

/**
 * The store for `options.matrix`, generated where missing or aged. Concurrent runs on one directory
 * take turns (store-lock.ts): the second finds what the first made.
 */
export async function ensureCerts(dir: string, options: EnsureOptions = {}): Promise<EnsureResult> {
  try {
    const onWaiting = options.onWarning ?? ((line: string) => process.stderr.write(line + '\n'));
    return await withStoreLock(dir, () => ensureCertsLocked(dir, options), { onWaiting });
  } catch (err) {
    if (err instanceof StoreLockTimeout) {
      throw new UsageError('certs-locked', `certificate directory ${quote(dir)} is in use by another run (${err.message}). Wait for it, or pass another --certs directory.`);
    }
    if (err instanceof StoreLockNotFile) {
      throw new UsageError('certs-lock-not-file', `the lock ${quote(err.path)} of certificate directory ${quote(dir)} is ${err.what}, not a regular file; no run makes one. Remove it, or pass another --certs directory.`);
    }
    throw storeWriteError(err, dir);
  }
}

async function ensureCertsLocked(dir: string, options: EnsureOptions): Promise<EnsureResult> {
  const now = options.now ?? Date.now();
  const warn = options.onWarning ?? ((line: string) => process.stderr.write(line + '\n'));
  const indexPath = join(dir, 'index.json');
  const rawIndex = options.force ? null : await readIfExists(dir, indexPath, STORE_INDEX_MAX);
  let index: StoreIndex = { version: 1, externalClientCa: false, entries: {} };
  if (rawIndex !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawIndex);
    } catch {
      throw damaged(dir, indexPath, 'is not JSON');
    }
    const p = parsed as Partial<StoreIndex> | null;
    if (!p || typeof p !== 'object' || typeof p.externalClientCa !== 'boolean' || !p.entries || typeof p.entries !== 'object' || Array.isArray(p.entries)) {
      throw damaged(dir, indexPath, 'is not the index "certs init" writes');
    }
    if (p.version === 1) index = p as StoreIndex;
  }
  // The responder port is part of every certificate's CDP and AIA: kept for the directory's life.
  const portOk = Number.isInteger(index.revocationPort) && index.revocationPort! > 0 && index.revocationPort! < 65536;
  if (!portOk) index.revocationPort = pickResponderPort();
  if (!index.crls || typeof index.crls !== 'object') index.crls = {};
  const revocationPort = options.revocationUrls === false ? undefined : (options.revocationPort ?? index.revocationPort!);
  const specs = matrixSpecs({ ...(options.matrix ?? DEFAULT_MATRIX_OPTIONS), revocationPort }, options.chains ?? []);

  try {
    await makeDirs(dir, 0o755);
  } catch (err) {
    throw storeWriteError(err, dir);
  }
  const certs = new Map<string, IssuedCert>();
  const generated: string[] = [];
  const reused: string[] = [];
  const materials = new Map<string, Material>();
  const verifiedBefore = options.force ? {} : await readVerified(dir);
  const verified: Record<string, string> = { ...verifiedBefore };

  if (options.issuer) {
    materials.set('client-ca', options.issuer);
    index.externalClientCa = true;
  }

  for (const level of levels(specs)) {
    await Promise.all(
      level.map(async (spec) => {
        const given = options.given?.get(spec.name);
        if (given) {
          materials.set(spec.name, given);
          return;
        }
        const { certPath, keyPath } = pathsFor(dir, spec.name);
        if (spec.name === 'client-ca' && options.issuer) {
          await writeAtomic(certPath, options.issuer.certPem, 0o644);
          return;
        }
        const issuer = spec.issuer === 'self' ? undefined : materials.get(spec.issuer);
        const keyOf = spec.keyOf ? materials.get(spec.keyOf) : undefined;
        const hash = specHash(spec, (issuer?.certPem ?? '') + (keyOf?.certPem ?? '') || null);
        const entry = index.entries[spec.name];
        const [certPem, keyPem] = options.force ? [null, null] : await Promise.all([readIfExists(dir, certPath), readIfExists(dir, keyPath)]);
        const keepCa = TRUST_ANCHORS.has(spec.name) && certPem && keyPem && !(spec.name === 'client-ca' && index.externalClientCa);
        if (certPem && keyPem && (keepCa || entry?.hash === hash)) {
          const fingerprint = pairFingerprint(certPem, keyPem);
          const problem = verified[spec.name] === fingerprint ? null : materialProblem(certPem, keyPem, certPath, keyPath);
          if (problem) delete verified[spec.name];
          else verified[spec.name] = fingerprint;
          // A CA is what the target trusts: never silently replaced. A leaf is ours to renew.
          if (problem && (TRUST_ANCHORS.has(spec.name) || isCaName(spec.name))) throw damaged(dir, problem.path, problem.why);
          if (problem) warn(`warning: ${quote(problem.path)} ${problem.why}; regenerated.`);
          if (!problem && stillUsable(spec, certPem, entry, now)) {
            await tightenKeyMode(dir, keyPath, warn);
            materials.set(spec.name, { certPem, keyPem });
            reused.push(spec.name);
            return;
          }
        }
        if (spec.issuer === 'client-ca' && index.externalClientCa && !options.issuer) {
          throw new StoreNeedsIssuerError(dir);
        }
        // @peculiar/x509 loads only when something is generated: a warm run never pays for it.
        const { generate } = await import('./generate.js');
        const m = await generate(spec, issuer, now, keyOf);
        try {
          await writeAtomic(keyPath, m.keyPem, 0o600);
          await writeAtomic(certPath, m.certPem, 0o644);
        } catch (err) {
          throw storeWriteError(err, dir);
        }
        index.entries[spec.name] = { hash, generatedAt: now };
        verified[spec.name] = pairFingerprint(m.certPem, m.keyPem);
        materials.set(spec.name, m);
        generated.push(spec.name);
      }),
    );
  }
  if (!options.issuer && generated.includes('client-ca')) index.externalClientCa = false;
  // Given CAs keep their CRLs where they were made: here they are issuers only (no key, no CRL).
  const crlMaterials = options.given ? new Map([...materials].map(([n, m]) => [n, options.given!.has(n) ? { ...m, keyPem: '' } : m])) : materials;
  const crls = await ensureCrls(dir, specs, crlMaterials, index.crls!, options.revocationPort ?? index.revocationPort!, now, options.givenBundles).catch((err) => Promise.reject(storeWriteError(err, dir)));
  try {
    if (generated.length > 0 || options.issuer || !portOk || crls.changed) await writeAtomic(indexPath, JSON.stringify(index, null, 2) + '\n', 0o644);
  } catch (err) {
    throw storeWriteError(err, dir);
  }
  if (JSON.stringify(verified) !== JSON.stringify(verifiedBefore)) {
    await writeAtomic(join(dir, VERIFIED_FILE), JSON.stringify(verified) + '\n', 0o600).catch((err) => Promise.reject(storeWriteError(err, dir)));
  }

  const chainWrites: Promise<void>[] = [];
  for (const spec of specs) {
    const m = materials.get(spec.name);
    if (!m || options.given?.has(spec.name)) continue;
    const chainPem = m.certPem + spec.sendChain.map((n) => materials.get(n)!.certPem).join('');
    const paths = pathsFor(dir, spec.name);
    // For peers other than the harness (curl --cert, a client under test): the leaf plus what it sends.
    if (spec.sendChain.length > 0) chainWrites.push(writeUnlessCurrent(paths.certPath.replace(/\.pem$/, '-chain.pem'), chainPem, 0o644));
    certs.set(spec.name, { name: spec.name, ...m, chainPem, ...paths });
  }
  // All at once, and the first failure in spec order is the one reported.
  const failed = (await Promise.allSettled(chainWrites)).find((r) => r.status === 'rejected');
  if (failed) throw storeWriteError(failed.reason, dir);
  return { dir, certs, generated, reused, revocation: crls.store };
}

/** Raised when a store was issued under a user's CA whose key is needed again to renew leaves. */
export class StoreNeedsIssuerError extends Error {
  constructor(readonly dir: string) {
    super(`the client certificates in "${dir}" were issued by your own CA and need renewing`);
  }
}

export async function loadIssuer(certPath: string, keyPath: string): Promise<Material> {
  const [certPem, keyPem] = await Promise.all([
    readBounded(certPath, { maxBytes: STORE_FILE_MAX, label: '--issuer-cert', code: 'issuer' }).then(String),
    readBounded(keyPath, { maxBytes: STORE_FILE_MAX, label: '--issuer-key', code: 'issuer' }).then(String),
  ]);
  return { certPem, keyPem };
}

export { keyMatchesCert };
