import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../errors.js';
import { hashFiles, manifestSignatureValid, parseManifest, readPublicKey, sha256Hex, signManifest } from './manifest.js';

function dirWithManifest(content = '{"manifestVersion":1}\n'): string {
  const dir = mkdtempSync(join(tmpdir(), 'mtls-manifest-'));
  writeFileSync(join(dir, 'manifest.json'), content);
  return dir;
}

const pem = (k: { export(o: { type: 'pkcs8' | 'spki'; format: 'pem' }): string | Buffer }, type: 'pkcs8' | 'spki') => String(k.export({ type, format: 'pem' }));

describe('hashFiles', () => {
  test('hashes every file directly in the directory but the manifest and its signature', () => {
    const dir = dirWithManifest();
    writeFileSync(join(dir, 'report.json'), '{}\n');
    writeFileSync(join(dir, 'junit.xml'), '<testsuites/>\n');
    writeFileSync(join(dir, 'manifest.sig'), 'AAAA\n');
    mkdirSync(join(dir, 'nested'));
    writeFileSync(join(dir, 'nested', 'deep.txt'), 'not covered');
    return hashFiles(dir).then((files) => {
      expect(files).toEqual({ 'junit.xml': sha256Hex('<testsuites/>\n'), 'report.json': sha256Hex('{}\n') });
    });
  });
});

describe('signManifest', () => {
  test.each([
    ['Ed25519', () => generateKeyPairSync('ed25519')],
    ['ECDSA P-256', () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' })],
    ['ECDSA P-384', () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' })],
  ])('%s: the signature verifies with the public key, not with another key, not over other bytes', async (_name, gen) => {
    const dir = dirWithManifest();
    const { privateKey, publicKey } = gen();
    const sigPath = await signManifest(dir, pem(privateKey, 'pkcs8'));
    const sig = readFileSync(sigPath, 'utf8');
    expect(sig).toMatch(/^[A-Za-z0-9+/]+=*\n$/);
    const bytes = readFileSync(join(dir, 'manifest.json'));
    const key = readPublicKey(pem(publicKey, 'spki'), '--pubkey');
    expect(manifestSignatureValid(bytes, sig, key)).toBe(true);
    expect(manifestSignatureValid(Buffer.concat([bytes, Buffer.from(' ')]), sig, key)).toBe(false);
    const other = readPublicKey(pem(gen().publicKey, 'spki'), '--pubkey');
    expect(manifestSignatureValid(bytes, sig, other)).toBe(false);
    expect(manifestSignatureValid(bytes, 'not base64 at all!', key)).toBe(false);
  });

  test('refuses an RSA key and a non-key with a one-line usage error', async () => {
    const dir = dirWithManifest();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expect(signManifest(dir, pem(rsa.privateKey, 'pkcs8'))).rejects.toMatchObject({ code: 'sign-key-unsupported', exitCode: 2 });
    await expect(signManifest(dir, 'hello')).rejects.toBeInstanceOf(UsageError);
    await expect(signManifest(dir, 'hello')).rejects.toMatchObject({ code: 'sign-key-invalid' });
    expect(() => readPublicKey('nope', '--pubkey "k.pem"')).toThrow(/--pubkey "k.pem" holds no readable PEM public key/);
  });
});

describe('parseManifest', () => {
  test('names what is wrong with a manifest that is not one', () => {
    expect(parseManifest('{')).toMatch(/^manifest.json: not valid JSON/);
    expect(parseManifest('{"manifestVersion":2}')).toBe('manifest.json: manifestVersion is "2", expected 1');
    expect(parseManifest('{"manifestVersion":1,"files":{}}')).toMatch(/"profile" is missing/);
    const ok = { manifestVersion: 1, files: {}, profile: { resolved: {}, sha256: 'x' } };
    expect(parseManifest(JSON.stringify(ok))).toEqual(ok);
  });
});
