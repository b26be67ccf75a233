import { makeDirs } from '../harness/io/make-dirs.js';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Material } from './generate.js';
import { crlContentHash, crlInBundle, issuingCas, revokedBy, revokedSerial, rootOf, serialOf, type RevocationPlan, type RevocationStore } from './revocation-data.js';
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
}

export function crlPaths(dir: string, ca: string): { derPath: string; pemPath: string } {
  return { derPath: join(dir, 'crl', `${ca}.crl`), pemPath: join(dir, 'crl', `${ca}.crl.pem`) };
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
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
): Promise<{ store: RevocationStore; changed: boolean }> {
  let changed = false;
  const crls: RevocationStore['crls'] = {};
  for (const ca of issuingCas(specs)) {
    const m = materials.get(ca);
    const paths = crlPaths(dir, ca);
    const existing = await readIfExists(paths.pemPath);
    if (!m?.keyPem) {
      if (existing) crls[ca] = { ...paths, pem: existing };
      continue;
    }
    const serials = revokedBy(specs, ca).map((name) => revokedSerial(name, m.certPem));
    const stale = serviceOf(specs, ca)?.crl === 'stale';
    const hash = crlContentHash(m.certPem, serials) + (stale ? ':stale' : '');
    const entry = entries[ca];
    // A stale CRL stays stale: made once, kept while its CA and serials are the same.
    if (existing && entry?.hash === hash && (stale || entry.nextUpdate - now > CRL_RENEW_DAYS * DAY_MS)) {
      crls[ca] = { ...paths, pem: existing };
      continue;
    }
    const { buildCrl } = await import('./crl.js');
    // RFC 5280 §5.1.2.5: nextUpdate in the past (10 days ago, issued 40 days ago): no longer current (§6.3.3 (a)).
    const built = stale
      ? await buildCrl({ ca: m, revokedSerials: serials, now: now - 40 * DAY_MS, validDays: 30 })
      : await buildCrl({ ca: m, revokedSerials: serials, now, validDays: CRL_VALID_DAYS });
    await writeAtomic(paths.derPath, built.der);
    await writeAtomic(paths.pemPath, built.pem);
    entries[ca] = { hash, nextUpdate: built.nextUpdate };
    crls[ca] = { ...paths, pem: built.pem };
    changed = true;
  }
  // A CA whose CRL is "silent" or "none" (client/revocation cases) is left out: online checks are all a client gets.
  const bundle = (root: string) =>
    Object.entries(crls)
      .filter(([ca]) => rootOf(specs, ca) === root && crlInBundle(serviceOf(specs, ca)))
      .map(([, c]) => c.pem)
      .join('');
  const clientCrlFile = join(dir, 'trust', 'client-crl.pem');
  const serverCrlFile = join(dir, 'trust', 'server-crl.pem');
  for (const [path, text] of [
    [clientCrlFile, bundle('client-ca')],
    [serverCrlFile, bundle('server-ca')],
  ] as const) {
    if ((await readIfExists(path)) !== text) await writeAtomic(path, text);
  }
  const plan: RevocationPlan = {
    port,
    crls: Object.entries(crls).map(([ca, c]) => ({ ca, derBase64: pemToDer(c.pem).toString('base64') })),
    cas: issuingCas(specs).flatMap((name) => {
      const m = materials.get(name);
      const service = serviceOf(specs, name);
      return m ? [{ name, certPem: m.certPem, keyPem: m.keyPem || null, ...(service ? { service } : {}) }] : [];
    }),
    issued: specs.flatMap((s) => {
      const m = materials.get(s.name);
      return m && s.issuer !== 'self' ? [{ name: s.name, issuer: s.issuer, serial: serialOf(m.certPem), revoked: s.revoked === true }] : [];
    }),
  };
  return { store: { port, crls, clientCrlFile, serverCrlFile, plan }, changed };
}

function serviceOf(specs: CertSpec[], name: string): CertSpec['revocationService'] {
  return specs.find((s) => s.name === name)?.revocationService;
}

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[A-Z0-9 ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}
