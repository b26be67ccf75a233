import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError, quote } from '../errors.js';
import { READ_LIMITS, readBounded } from '../io/read-bounded.js';
import { writeFileReplacing } from '../io/write-file-replacing.js';
import type { Profile } from '../profile/schema.js';
import type { Report, ReportTarget } from './report.js';

/**
 * manifest.json: what a partner needs to trust a report directory. The tool and runtime that
 * produced it, the target, the whole resolved profile and its hash, the run's start and end, and
 * the SHA-256 of every other file in the directory. manifest.sig, when present, is a signature
 * over the manifest's exact bytes, so one signature covers every file through their hashes.
 */

export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';

export interface Manifest {
  manifestVersion: 1;
  tool: Report['tool'];
  target: ReportTarget;
  profile: {
    name: string;
    source: string;
    /** profileHash of `resolved` (canonical JSON), as in report.json. */
    sha256: string;
    /** The profile after extends and defaults, exactly as the run judged with it. */
    resolved: Profile;
  };
  startedAt: string;
  finishedAt: string;
  /** SHA-256 (hex) of every file in the directory but the manifest and its signature, by name. */
  files: Record<string, string>;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Names of the files a manifest covers: every file directly in the directory but manifest.json and
 * manifest.sig. Not recursive: a --report-dir pointed at a project root must not hash the project.
 */
export async function listCoveredFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() || e.isSymbolicLink())
    .map((e) => e.name)
    .filter((name) => name !== MANIFEST_FILE && name !== SIGNATURE_FILE)
    .sort();
}

export async function hashFiles(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  // Bounded: a link in the directory may point at a FIFO or /dev/zero (a hang or all memory otherwise).
  for (const name of await listCoveredFiles(dir)) out[name] = sha256Hex(await readBounded(join(dir, name), { maxBytes: READ_LIMITS.report, label: 'report directory file', code: 'file' }));
  return out;
}

export function buildManifest(args: { report: Report; profile: Profile; profileSha256: string; finishedAt: Date; files: Record<string, string> }): Manifest {
  const { report } = args;
  return {
    manifestVersion: 1,
    tool: report.tool,
    target: report.target,
    profile: { name: report.profile.name, source: report.profile.source, sha256: args.profileSha256, resolved: args.profile },
    startedAt: report.startedAt,
    finishedAt: args.finishedAt.toISOString(),
    files: args.files,
  };
}

/** Writes manifest.json and removes a manifest.sig left by an earlier run: it would sign other bytes. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<string> {
  const path = join(dir, MANIFEST_FILE);
  await rm(join(dir, SIGNATURE_FILE), { force: true });
  await writeFileReplacing(path, JSON.stringify(manifest, null, 2) + '\n');
  return path;
}

/**
 * The digest a key signs with: none for EdDSA (the algorithm fixes it), the curve's own size for
 * ECDSA (FIPS 186-5 §6.4: the hash should match the curve's security strength).
 */
function digestFor(key: KeyObject, label: string): string | null {
  switch (key.asymmetricKeyType) {
    case 'ed25519':
    case 'ed448':
      return null;
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      return curve === 'secp384r1' ? 'sha384' : curve === 'secp521r1' ? 'sha512' : 'sha256';
    }
    default:
      throw new UsageError('sign-key-unsupported', `${label} is a ${key.asymmetricKeyType} key; manifest signatures use Ed25519, Ed448 or ECDSA. Generate one with: openssl genpkey -algorithm ed25519 -out sign-key.pem`);
  }
}

/**
 * Signs manifest.json's exact bytes with a PEM private key (Ed25519, Ed448 or ECDSA) and writes
 * manifest.sig as base64. Call after writeReportDir. Returns the path of manifest.sig.
 */
export async function signManifest(dir: string, keyPem: string, label = '--sign-key'): Promise<string> {
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw new UsageError('sign-key-invalid', `${label} holds no readable PEM private key (an unencrypted PKCS#8 or SEC1 key is needed). Generate one with: openssl genpkey -algorithm ed25519 -out sign-key.pem`);
  }
  const digest = digestFor(key, label);
  const bytes = await readFile(join(dir, MANIFEST_FILE));
  const path = join(dir, SIGNATURE_FILE);
  await writeFileReplacing(path, sign(digest, bytes, key).toString('base64') + '\n');
  return path;
}

/**
 * The --sign-key file checked before a run spends time on cases: read bounded, parsed, of a
 * signing type; every error quotes the path. Returns the PEM for signManifest.
 */
export async function readSignKeyFile(path: string, flag = '--sign-key'): Promise<string> {
  const label = `${flag} ${quote(path)}`;
  const pem = (await readBounded(path, { maxBytes: 1024 * 1024, label: flag, code: 'sign-key' })).toString('utf8');
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new UsageError('sign-key-invalid', `${label} holds no readable PEM private key (an unencrypted PKCS#8 or SEC1 key is needed). Generate one with: openssl genpkey -algorithm ed25519 -out sign-key.pem`);
  }
  digestFor(key, label);
  return pem;
}

/** signManifest with the key read from a file; errors name the file. */
export async function signManifestWithKeyFile(dir: string, path: string, flag = '--sign-key'): Promise<string> {
  return signManifest(dir, await readSignKeyFile(path, flag), `${flag} ${quote(path)}`);
}

/** The public key that checks manifest.sig; a private key or a certificate's key is accepted too. */
export function readPublicKey(pem: string, label: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new UsageError('pubkey-invalid', `${label} holds no readable PEM public key. Pass the public key that matches the signing key (openssl pkey -in sign-key.pem -pubout).`);
  }
  digestFor(key, label);
  return key;
}

/** Whether manifest.sig (base64 text) is a signature of the manifest bytes by this key. */
export function manifestSignatureValid(manifestBytes: Buffer, signatureText: string, key: KeyObject): boolean {
  const text = signatureText.trim();
  if (!/^[A-Za-z0-9+/]+=*$/.test(text)) return false;
  try {
    return verify(digestFor(key, 'the public key'), manifestBytes, key, Buffer.from(text, 'base64'));
  } catch {
    return false;
  }
}

/** Reads and shape-checks manifest.json; one line for what is wrong with it. */
export function parseManifest(text: string): Manifest | string {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (err) {
    return `${MANIFEST_FILE}: not valid JSON (${(err as Error).message})`;
  }
  const o = m as Partial<Manifest> | null;
  if (!o || typeof o !== 'object') return `${MANIFEST_FILE}: not a JSON object`;
  if (o.manifestVersion !== 1) return `${MANIFEST_FILE}: manifestVersion is ${quote(o.manifestVersion)}, expected 1`;
  if (!o.files || typeof o.files !== 'object' || Array.isArray(o.files)) return `${MANIFEST_FILE}: "files" is missing or not an object`;
  if (!o.profile || typeof o.profile !== 'object' || !o.profile.resolved || typeof o.profile.sha256 !== 'string') return `${MANIFEST_FILE}: "profile" is missing its "resolved" profile or its "sha256"`;
  return o as Manifest;
}
