import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { UsageError } from '../harness/errors.js';
import { crlPaths, ensureCrls, type CrlIndexEntry } from './crl-store.js';
import { generate, type Material } from './generate.js';
import { caSpec, specOf, type CertSpec } from './spec.js';

// The CRL files of a store are read on every run: what stands at their names is never trusted to be a file.
const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

const specs: CertSpec[] = [
  caSpec({ name: 'client-ca', issuer: 'self', subject: 'CN=crl-store test CA' }),
  specOf({ name: 'client/revoked', issuer: 'client-ca', revoked: true }),
];
const materials = new Map<string, Material>();
beforeAll(async () => {
  const ca = await generate(specs[0]!);
  materials.set('client-ca', ca);
  materials.set('client/revoked', await generate(specs[1]!, ca));
});

/** A store directory whose CRLs were made once (a warm store), so the next call reads them. */
async function warmStore(): Promise<{ dir: string; entries: Record<string, CrlIndexEntry> }> {
  const dir = mkdtempSync(join(tmpdir(), 'mtls-crl-store-'));
  roots.push(dir);
  const entries: Record<string, CrlIndexEntry> = {};
  await ensureCrls(dir, specs, materials, entries, 9, Date.now());
  return { dir, entries };
}

/** ensureCrls' error, bounded: before the reads were bounded, a FIFO blocked the open for ever. */
async function crlsError(dir: string, entries: Record<string, CrlIndexEntry>): Promise<UsageError> {
  const outcome = await Promise.race([
    ensureCrls(dir, specs, materials, entries, 9, Date.now()).then(
      () => new Error('ensureCrls read the file'),
      (err: unknown) => err,
    ),
    new Promise<Error>((res) => setTimeout(() => res(new Error('ensureCrls did not return within 5 s')), 5000)),
  ]);
  if (!(outcome instanceof UsageError)) throw outcome;
  return outcome;
}

describe('ensureCrls reads only regular files of a bounded size', () => {
  test('a warm store reads its CRLs back and keeps them', async () => {
    const { dir, entries } = await warmStore();
    const pem = readFileSync(crlPaths(dir, 'client-ca').pemPath, 'utf8');
    const again = await ensureCrls(dir, specs, materials, entries, 9, Date.now());
    expect(again.changed).toBe(false);
    expect(again.store.crls['client-ca']!.pem).toBe(pem);
  });

  test('a FIFO at a CRL\'s name: one line naming the path and what to do, at once', async () => {
    const { dir, entries } = await warmStore();
    const { pemPath } = crlPaths(dir, 'client-ca');
    rmSync(pemPath);
    execFileSync('mkfifo', [pemPath]);
    const err = await crlsError(dir, entries);
    expect(err.code).toBe('certs-damaged');
    expect(err.message).toBe(`error: certificate directory "${dir}" is damaged: "${pemPath}" is a FIFO, not a regular file. Remove it (the next run writes it again), or pass another --certs directory.`);
  });

  test('a link to /dev/zero at a bundle\'s name is refused, not read', async () => {
    const { dir, entries } = await warmStore();
    const bundle = join(dir, 'trust', 'client-crl.pem');
    rmSync(bundle);
    symlinkSync('/dev/zero', bundle);
    const err = await crlsError(dir, entries);
    expect(err.message).toContain(`"${bundle}" is a character device, not a regular file`);
  });

  test('a file larger than 64 MB is refused by its size', async () => {
    const { dir, entries } = await warmStore();
    const bundle = join(dir, 'trust', 'server-crl-issuers.pem');
    mkdirSync(join(dir, 'trust'), { recursive: true });
    writeFileSync(bundle, '');
    // Sparse: no disk is spent on it.
    truncateSync(bundle, 64 * 1024 * 1024 + 1);
    const err = await crlsError(dir, entries);
    expect(err.message).toContain(`"${bundle}" is larger than 64 MB`);
  });
});
