import { makeDirs } from '../harness/io/make-dirs.js';
import { constants as fsConstants, type Stats } from 'node:fs';
import { chmod, open, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { UsageError, quote } from '../harness/errors.js';
import { dirname, join } from 'node:path';
import type { Material } from './generate.js';
import { crlContentHash, crlInBundle, crlUrlFor, issuingCas, urlSegment, revokedSerial, rootOf, serialOf, type RevocationPlan, type RevocationStore } from './revocation-data.js';
import type { CertSpec } from './spec.js';

/**
 * The CRLs of a certificate store, cached like the certificates: a CRL is re-signed only when its
 * CA or its revoked serials changed, or when a run finds its nextUpdate near (same path, so a
 * server pointed at it once picks the new one up at its next reload; the old one stays valid
 * until its own nextUpdate).
 */

const DAY_MS = 86_400_000;
/** nextUpdate of a fresh CRL. */
export const CRL_VALID_DAYS = 400;
/** Re-signed when fewer days than this remain. */
export const CRL_RENEW_DAYS = 200;

export interface CrlIndexEntry {
  hash: string;
  nextUpdate: number;
  /** A shaped CRL (CrlShape) is re-signed from this time on: half way to its nearest bound in the future. Absent: by nextUpdate as above. */
  renewAt?: number;
}

/** The anchors whose hierarchies get bundles (trust/<anchor>-crl.pem and the rest). */
export type BundleRoot = 'client-ca' | 'server-ca';

export function crlPaths(dir: string, ca: string): { derPath: string; pemPath: string } {
  return { derPath: join(dir, 'crl', `${ca}.crl`), pemPath: join(dir, 'crl', `${ca}.crl.pem`) };
}

/**
 * A shaped CRL's delta CRL (CrlShape.deltaReleases): in the bundles after its complete CRL, and
 * served under this name at the URL the complete CRL's freshestCRL names.
 */
function deltaName(ca: string): string {
  return `${ca}-delta`;
}

function deltaPath(dir: string, ca: string): string {
  return join(dir, 'crl', `${deltaName(ca)}.crl.pem`);
}

/**
 * When a shaped CRL stops meaning what its shape says: a bound in the future (thisUpdate ahead, or
 * nextUpdate) is approached, so it is re-signed half way there; bounds in the past stay true.
 */
function renewAtOf(now: number, thisUpdate: number, nextUpdate: number): number {
  const ahead = [thisUpdate, nextUpdate].filter((t) => t > now).map((t) => (t - now) / 2);
  return ahead.length ? now + Math.min(...ahead) : Number.MAX_SAFE_INTEGER;
}

/** A CRL is a few hundred bytes; a bundle holds one per CA (~12,000 CAs in the exhaustive store): bounded like the store's index. */
const CRL_FILE_MAX = 64 * 1024 * 1024;

function notUsable(dir: string, path: string, why: string): UsageError {
  return new UsageError('certs-damaged', `certificate directory ${quote(dir)} is damaged: ${quote(path)} ${why}. Remove it (the next run writes it again), or pass another --certs directory.`);
}

function kindOf(st: Stats): string {
  return st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'a special file';
}

/**
 * A CRL file of the store as text; null when there is none (or it cannot be opened: it is written
 * anew). Only a regular file of at most CRL_FILE_MAX bytes is read: a FIFO at its name would block
 * the run for ever, a link to /dev/zero or a huge file would exhaust its memory. Opened
 * O_NONBLOCK, so that a FIFO put there cannot block even the open.
 */
async function readIfExists(dir: string, path: string): Promise<string | null> {
  let file: FileHandle;
  try {
    file = await open(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const st = await file.stat();
    if (!st.isFile()) throw notUsable(dir, path, `is ${kindOf(st)}, not a regular file`);
    if (st.size > CRL_FILE_MAX) throw notUsable(dir, path, `is larger than ${CRL_FILE_MAX / 1024 / 1024} MB, far more than the store's CRLs`);
    const buf = Buffer.alloc(st.size);
    let total = 0;
    while (total < buf.length) {
      const { bytesRead } = await file.read(buf, total, buf.length - total, total);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    return buf.subarray(0, total).toString('utf8');
  } finally {
    await file.close();
  }
}

async function writeAtomic(path: string, content: string | Buffer): Promise<void> {
  await makeDirs(dirname(path), 0o755);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode: 0o644 });
  await chmod(tmp, 0o644);
  await rename(tmp, path);
}

/**
 * Make or keep the CRL of every CA that issues something, and the two bundles relying parties
 * load (nginx ssl_crl and curl --crlfile need a CRL for every CA in a chain: PLATFORM.md).
 * A CA whose key the harness lacks (a user's --issuer-cert on a later run) keeps its old CRL.
 */
export async function ensureCrls(
  dir: string,
  specs: CertSpec[],
  materials: Map<string, Material>,
  entries: Record<string, CrlIndexEntry>,
  port: number,
  now: number,
  /**
   * The CRLs of anchors this store was given (a suite's store: the main store's bundles), by
   * anchor: they head this store's bundles, so one file holds every CRL a path of the suite needs.
   */
  givenBundles: Partial<Record<BundleRoot, string>> = {},
): Promise<{ store: RevocationStore; changed: boolean }> {
  let changed = false;
  const crls: RevocationStore['crls'] = {};
  // Looked up by name once: the exhaustive suite's store has ~24,000 specs and ~12,000 CAs, and a
  // search of the whole list per CA (or a map rebuilt per CA, as rootOf does) is quadratic.
  const byName = new Map(specs.map((sp) => [sp.name, sp]));
  const serviceOf = (name: string) => byName.get(name)?.revocationService;
  const roots = new Map<string, string>();
  const rootOfName = (name: string): string => {
    let r = roots.get(name);
    if (r === undefined) roots.set(name, (r = rootOf(specs, name, byName)));
    return r;
  };
  const revoked = new Map<string, string[]>();
  for (const sp of specs) if (sp.revoked) revoked.set(sp.issuer, [...(revoked.get(sp.issuer) ?? []), sp.name]);
  // Every file read at once, not one after the other: a warm run only reads.
  const cas = issuingCas(specs);
  const existingPems = await Promise.all(cas.map((ca) => readIfExists(dir, crlPaths(dir, ca).pemPath)));
  const existingDeltas = await Promise.all(cas.map((ca) => (serviceOf(ca)?.crlShape?.deltaReleases ? readIfExists(dir, deltaPath(dir, ca)) : null)));
  for (const [i, ca] of cas.entries()) {
    const m = materials.get(ca);
    const paths = crlPaths(dir, ca);
    const existing = existingPems[i]!;
    const shape = serviceOf(ca)?.crlShape;
    const shaped = shape ? { shaped: true as const } : {};
    if (!m?.keyPem) {
      if (existing) crls[ca] = { ...paths, pem: existing, ...shaped };
      continue;
    }
    const serials = (revoked.get(ca) ?? []).map((name) => revokedSerial(name, m.certPem));
    const stale = serviceOf(ca)?.crl === 'stale';
    // RFC 5280 §5.2.5: an issuingDistributionPoint names the CDPs of what the CA issued, or another URL.
    const idpUris = shape?.idp?.distributionPoint === 'issued' ? specs.filter((s) => s.issuer === ca && s.crlUrl).map((s) => s.crlUrl!) : shape?.idp?.distributionPoint === 'other' ? [crlUrlFor(port, ca, 'elsewhere')] : [];
    const deltaUrl = shape?.deltaReleases ? crlUrlFor(port, deltaName(ca), ca) : undefined;
    const hash = crlContentHash(m.certPem, serials) + (stale ? ':stale' : '') + (shape ? `:${JSON.stringify(shape)}:${[...idpUris, deltaUrl ?? ''].join(' ')}` : '');
    const entry = entries[ca];
    const existingDelta = existingDeltas[i];
    const fresh = entry?.renewAt !== undefined ? now < entry.renewAt : entry !== undefined && entry.nextUpdate - now > CRL_RENEW_DAYS * DAY_MS;
    // A stale CRL stays stale: made once, kept while its CA and serials are the same.
    if (existing && entry?.hash === hash && (stale || fresh) && (!shape?.deltaReleases || existingDelta)) {
      crls[ca] = { ...paths, pem: existing, ...shaped, ...(existingDelta ? { deltaPem: existingDelta } : {}) };
      continue;
    }
    const { buildCrl } = await import('./crl.js');
    // RFC 5280 §5.1.2.5: nextUpdate in the past (10 days ago, issued 40 days ago): no longer current (§6.3.3 (a)).
    const built = stale
      ? await buildCrl({ ca: m, revokedSerials: serials, now: now - 40 * DAY_MS, validDays: 30 })
      : await buildCrl({ ca: m, revokedSerials: serials, now, validDays: CRL_VALID_DAYS, ...(shape ? { shape, idpUris, ...(deltaUrl ? { deltaUrl } : {}) } : {}) });
    await writeAtomic(paths.derPath, built.der);
    await writeAtomic(paths.pemPath, built.pem);
    if (built.deltaPem) await writeAtomic(deltaPath(dir, ca), built.deltaPem);
    const thisUpdate = shape?.thisUpdateDays !== undefined ? now + shape.thisUpdateDays * DAY_MS : now;
    entries[ca] = { hash, nextUpdate: built.nextUpdate, ...(shape ? { renewAt: renewAtOf(now, thisUpdate, built.nextUpdate) } : {}) };
    crls[ca] = { ...paths, pem: built.pem, ...shaped, ...(built.deltaPem ? { deltaPem: built.deltaPem } : {}) };
    changed = true;
  }
  // What goes in a bundle a relying party loads whole: the CRL of every CA that publishes a current
  // one. Left out: a "silent" or "none" CA (online checks are all a client gets), a "stale" one
  // (it goes only into its case's own file: gnutls refuses a whole file for one stale CRL), and a
  // "CRL" signed by an issuer that is not a CA (no validator can verify it; gnutls refuses the file).
  const inBundle = (ca: string) => crlInBundle(serviceOf(ca)) && byName.get(ca)?.ca === true;
  const bundledByRoot = new Map<string, string[]>();
  const bundled = (root: string) => {
    if (!bundledByRoot.has(root)) bundledByRoot.set(root, Object.keys(crls).filter((ca) => rootOfName(ca) === root && inBundle(ca)));
    return bundledByRoot.get(root)!;
  };
  // A delta CRL follows its complete CRL; the given anchors' CRLs come first.
  const bundle = (root: string) => (givenBundles[root as BundleRoot] ?? '') + bundled(root).map((ca) => crls[ca]!.pem + (crls[ca]!.deltaPem ?? '')).join('');
  const trust = (name: string) => join(dir, 'trust', name);
  const clientCrlFile = trust('client-crl.pem');
  const serverCrlFile = trust('server-crl.pem');
  const caPem = (name: string) => materials.get(name)?.certPem ?? '';
  const files: [string, string][] = [
    [clientCrlFile, bundle('client-ca')],
    [serverCrlFile, bundle('server-ca')],
    // OpenSSL reads every CRL of a -CAfile (X509_load_cert_crl_file), but only the first of -CRL:
    // `openssl s_server -CAfile trust/client-ca-with-crls.pem -crl_check_all` checks the whole chain.
    [trust('client-ca-with-crls.pem'), caPem('client-ca') + bundle('client-ca')],
    [trust('server-ca-with-crls.pem'), caPem('server-ca') + bundle('server-ca')],
    // gnutls verifies each CRL against its trust list when it loads the file (GNUTLS_TL_VERIFY_CRL):
    // the intermediates that sign them must be in its CA file (docs/revocation.md).
    [trust('client-crl-issuers.pem'), bundled('client-ca').map(caPem).join('')],
    [trust('server-crl-issuers.pem'), bundled('server-ca').map(caPem).join('')],
  ];
  // A leaf under a CA whose CRL is stale gets a CRL file of its own: its hierarchy's bundle and the stale CRL ({crl} of its case).
  const caseCrlFiles: Record<string, string> = {};
  for (const leaf of specs.filter((sp) => sp.ca !== true && sp.issuer !== 'self')) {
    const stale: string[] = [];
    for (let cur = byName.get(leaf.issuer), i = 0; cur && i < 16; cur = byName.get(cur.issuer), i++) {
      if (cur.revocationService?.crl === 'stale' && crls[cur.name]) stale.push(crls[cur.name]!.pem);
      if (cur.issuer === 'self') break;
    }
    if (!stale.length) continue;
    const path = join(dir, 'crl', 'case', `${urlSegment(leaf.name)}.pem`);
    caseCrlFiles[leaf.name] = path;
    files.push([path, bundle(rootOfName(leaf.name)) + stale.join('')]);
  }
  // A suite's store is made for one side per run (a server target needs only client chains): the
  // bundles of the other hierarchy, which this run holds no CA of, are kept as the last run of that
  // side wrote them, so a server reading <suite>/trust/client-crl.pem still finds every CRL.
  const idle = (root: BundleRoot) => givenBundles[root] !== undefined && !cas.some((ca) => materials.get(ca)?.keyPem && rootOfName(ca) === root);
  const kept = new Set(
    (['client-ca', 'server-ca'] as const).filter(idle).flatMap((root) => {
      const side = root.slice(0, -3);
      return [`${side}-crl.pem`, `${side}-ca-with-crls.pem`, `${side}-crl-issuers.pem`].map(trust);
    }),
  );
  const current = await Promise.all(files.map(([path]) => readIfExists(dir, path)));
  for (const [i, [path, text]] of files.entries()) {
    if (current[i] !== text && !(kept.has(path) && current[i] !== null)) await writeAtomic(path, text);
  }
  const plan: RevocationPlan = {
    port,
    crls: Object.entries(crls).flatMap(([ca, c]) => [
      { ca, derBase64: pemToDer(c.pem).toString('base64') },
      ...(c.deltaPem ? [{ ca: deltaName(ca), derBase64: pemToDer(c.deltaPem).toString('base64') }] : []),
    ]),
    cas: issuingCas(specs).flatMap((name) => {
      const m = materials.get(name);
      const service = serviceOf(name);
      return m ? [{ name, certPem: m.certPem, keyPem: m.keyPem || null, ...(service ? { service } : {}) }] : [];
    }),
    issued: specs.flatMap((s) => {
      const m = materials.get(s.name);
      return m && s.issuer !== 'self' ? [issuedEntry(s.name, s.issuer, m.certPem, s.revoked === true)] : [];
    }),
  };
  return { store: { port, crls, clientCrlFile, serverCrlFile, caseCrlFiles, plan }, changed };
}

/**
 * An issued certificate for the responders. The serial is read when first asked for (an OCSP
 * request, a staple): parsing every certificate of a deep store for it cost ~30 ms a run that
 * never asked.
 */
function issuedEntry(name: string, issuer: string, certPem: string, revoked: boolean): RevocationPlan['issued'][number] {
  let serial: string | undefined;
  return {
    name,
    issuer,
    revoked,
    get serial() {
      return (serial ??= serialOf(certPem));
    },
  };
}

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[A-Z0-9 ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}
