import { X509Certificate } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { READ_LIMITS, readBoundedText } from '../harness/io/read-bounded.js';
import { ensureCerts, keyMatchesCert, StoreNeedsIssuerError, type EnsureResult } from './store.js';
import type { Material } from './generate.js';
import { DEFAULT_MATRIX_OPTIONS, type MatrixOptions } from './matrix.js';
import { UsageError, quote } from '../harness/errors.js';
import type { Profile } from '../harness/profile/schema.js';
import { normalDn } from '../harness/profile/distinguished-name.js';
import type { NamedChain } from './chain-spec.js';
import type { RevocationStore } from './revocation-data.js';

/**
 * Inputs: the files a user names on the command line (CA bundles, an issuer, keys) read bounded
 * and checked, and the certificate store made ready for a profile. Shared by `run` (both roles),
 * `certs init`, `serve` and the server matrix.
 */

export function matrixOptionsFor(profile: Profile, serverHosts?: string[]): MatrixOptions {
  const base: MatrixOptions = { ...DEFAULT_MATRIX_OPTIONS, ...(serverHosts?.length ? { serverHosts } : {}) };
  const id = profile.clientIdentity;
  if (!id) return base;
  if (id.match === 'cn') return { ...base, clientSubject: `CN=${id.example}, O=mtls-conformance` };
  // Types in normal form: `cn=a,o=x` is a subject the generator can write (it knows `CN`, not `cn`).
  if (id.match === 'dn') return { ...base, clientSubject: normalDn(id.example) };
  return { ...base, clientSanUri: id.example };
}

export async function readText(path: string, flag: string): Promise<string> {
  // Bounded and text only (harness/io/read-bounded.ts): `--target-ca /dev/zero` is one line, not an OOM.
  return readBoundedText(path, { maxBytes: READ_LIMITS.pem, label: flag, code: 'file' });
}

export function pemCertificates(text: string): string[] {
  return (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((pem) => `${pem}\n`);
}

export async function loadIssuerFlags(certPath?: string, keyPath?: string): Promise<Material | undefined> {
  if (!certPath && !keyPath) return undefined;
  if (!certPath || !keyPath) throw new UsageError('issuer-incomplete', `${certPath ? '--issuer-key' : '--issuer-cert'} is missing: --issuer-cert and --issuer-key go together.`);
  const certText = await readText(certPath, '--issuer-cert');
  const certPem = pemCertificates(certText)[0];
  try {
    if (!certPem) throw new Error('no PEM certificate');
    const cert = new X509Certificate(certPem);
    if (!cert.ca) throw new UsageError('issuer-not-ca', `--issuer-cert ${quote(certPath)} is not a CA certificate (basicConstraints cA is not TRUE). Pass the CA that should issue the client certificates.`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError('issuer-not-pem', `--issuer-cert ${quote(certPath)} holds no PEM certificate. Pass a PEM file starting with "-----BEGIN CERTIFICATE-----".`);
  }
  const keyPem = await readText(keyPath, '--issuer-key');
  let matches: boolean;
  try {
    matches = keyMatchesCert(certPem, keyPem);
  } catch {
    throw new UsageError('issuer-key-invalid', `--issuer-key ${quote(keyPath)} holds no readable PEM private key (an unencrypted PKCS#8, PKCS#1 or SEC1 key is needed).`);
  }
  if (!matches) throw new UsageError('issuer-key-mismatch', `--issuer-key ${quote(keyPath)} is not the key of --issuer-cert ${quote(certPath)}. Pass the matching pair.`);
  return { certPem, keyPem };
}

/**
 * target/server-fullchain.pem: the target's certificate followed by the CA that issued it, kept in
 * step with target/server-cert.pem (rewritten when that is renewed). Some servers need their chain
 * in the certificate file: lighttpd with client verification, given the leaf alone, cannot build its
 * own chain and answers every handshake with alert 80 internal_error. Written whole then renamed, so
 * runs sharing the store never read half a file.
 */
async function writeServerFullchain(store: EnsureResult): Promise<void> {
  const leaf = store.certs.get('server');
  const ca = store.certs.get('server-ca');
  if (!leaf || !ca) return;
  const path = join(dirname(leaf.certPath), 'server-fullchain.pem');
  const pem = [leaf.certPem, ca.certPem].map((c) => (c.endsWith('\n') ? c : `${c}\n`)).join('');
  const current = await readFile(path, 'utf8').catch(() => null);
  if (current === pem) return;
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, pem, { mode: 0o644 });
  await rename(tmp, path);
}

/** `chains`: the chains the cases carry (harness/cases caseChains()), handed in so certs/ never imports the cases. */
export async function prepareCerts(dir: string, profile: Profile, chains: NamedChain[], issuer?: Material, serverHosts?: string[], force = false): Promise<EnsureResult> {
  try {
    const store = await ensureCerts(dir, { matrix: matrixOptionsFor(profile, serverHosts), chains, issuer, force });
    await writeServerFullchain(store);
    return store;
  } catch (err) {
    if (err instanceof StoreNeedsIssuerError) {
      throw new UsageError('certs-need-issuer', `the client certificates in ${quote(dir)} were issued by your own CA and need renewing. Pass --issuer-cert and --issuer-key again.`);
    }
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EACCES' || e.code === 'ENOTDIR' || e.code === 'EEXIST') {
      throw new UsageError('certs-dir-unusable', `certificate directory ${quote(dir)} cannot be written (${e.code}). Pass --certs with a writable directory.`);
    }
    throw err;
  }
}


/**
 * The store for a suite beyond the default one: the default store as prepareCerts makes it, then
 * the suite's own chains in a sub-directory (`<dir>/<suite>`), issued under the default store's
 * anchors and shared CAs (the target trusts those and nothing else). A default run never reads
 * or writes the sub-directory. The result holds the certificates of both.
 *
 * The suite's certificates name a CRL distribution point of the main store's responder (no OCSP
 * URL), which serves the suite's CRLs during its runs (the merged revocation plan), and the suite
 * has bundles of its own (`<dir>/<suite>/trust/*-crl.pem`, `*-ca-with-crls.pem`): the default CAs'
 * CRLs, then every CRL of the suite's CAs, the shaped ones of the `crl` family included. Those
 * bundles are the run's `{crl}`, and what a server is given for a deep run (docs/revocation.md).
 */
export async function prepareSuiteCerts(dir: string, profile: Profile, core: NamedChain[], suite: string, extra: NamedChain[], issuer?: Material, serverHosts?: string[]): Promise<EnsureResult> {
  const main = await prepareCerts(dir, profile, core, issuer, serverHosts);
  if (extra.length === 0) return main;
  const given = new Map([...main.certs].filter(([name]) => !name.includes('/') && name !== 'server').map(([name, m]) => [name, { certPem: m.certPem, keyPem: m.keyPem }] as const));
  const [clientBundle, serverBundle] = await Promise.all([main.revocation.clientCrlFile, main.revocation.serverCrlFile].map((f) => readFile(f, 'utf8')));
  const sub = await ensureCerts(join(dir, suite), {
    matrix: { ...matrixOptionsFor(profile), ocspUrls: false },
    chains: extra,
    given,
    revocationPort: main.revocation.port,
    givenBundles: { 'client-ca': clientBundle, 'server-ca': serverBundle },
  });
  // The suite's conforming CRLs also join the default bundles (trust/client-crl.pem, what
  // builtin:strict and a server set up for the default suite load): a target that checks CRLs
  // needs one for every CA of a path. The next default run writes them back to the default CAs
  // alone. Every CRL of the suite's own CAs, whichever root they hang from (a cross-certified
  // root's CRL is needed as well): CRLs of CAs a relying party does not know are ignored by it.
  // Shaped CRLs (the crl family's variants) stay in the suite's bundles: a default bundle keeps
  // loading in clients that refuse a whole file for one bad CRL (gnutls).
  const suiteCrls = Object.values(sub.revocation.crls).filter((c) => !c.shaped).map((c) => c.pem).join('');
  for (const file of [main.revocation.clientCrlFile, main.revocation.serverCrlFile]) {
    const text = await readFile(file, 'utf8');
    if (suiteCrls && !text.includes(suiteCrls)) await writeFile(file, text + suiteCrls, { mode: 0o644 });
  }
  return {
    ...main,
    certs: new Map([...main.certs, ...sub.certs]),
    generated: [...main.generated, ...sub.generated],
    reused: [...main.reused, ...sub.reused],
    revocation: withSuiteRevocation(main.revocation, sub.revocation),
  };
}

/**
 * One revocation store for a suite's run: the suite's bundles as the CRL files, and a responder
 * plan that serves the CRLs of both stores and knows the suite's certificates (a CDP fetch is
 * attributed to the case whose certificate named it). The suite's CAs answer no OCSP (their
 * certificates name no responder), so the plan's CAs stay the main store's.
 */
export function withSuiteRevocation(main: RevocationStore, suite: RevocationStore): RevocationStore {
  const known = new Set(main.plan.issued.map((i) => i.name));
  const mainCrls = new Set(main.plan.crls.map((c) => c.ca));
  return {
    ...main,
    crls: { ...suite.crls, ...main.crls },
    clientCrlFile: suite.clientCrlFile,
    serverCrlFile: suite.serverCrlFile,
    plan: {
      ...main.plan,
      crls: [...main.plan.crls, ...suite.plan.crls.filter((c) => !mainCrls.has(c.ca))],
      issued: [...main.plan.issued, ...suite.plan.issued.filter((i) => !known.has(i.name))],
    },
  };
}
