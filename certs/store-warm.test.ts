import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { caseChains } from '../harness/cases/catalogue.js';
import { ensureCerts } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'mtls-chain-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the *-chain.pem files of a warm store', () => {
  test('left alone when current; rewritten when changed, loosened or replaced', async () => {
    const first = await ensureCerts(dir, { chains: caseChains(), onWarning: () => {} });
    const withChain = [...first.certs.values()].find((c) => c.chainPem !== c.certPem)!;
    const path = withChain.certPath.replace(/\.pem$/, '-chain.pem');
    expect(readFileSync(path, 'utf8')).toBe(withChain.chainPem);
    const before = statSync(path);

    await ensureCerts(dir, { chains: caseChains(), onWarning: () => {} });
    expect(statSync(path).ino).toBe(before.ino); // not replaced by a rename

    writeFileSync(path, 'truncated');
    await ensureCerts(dir, { chains: caseChains(), onWarning: () => {} });
    expect(readFileSync(path, 'utf8')).toBe(withChain.chainPem);

    chmodSync(path, 0o666);
    await ensureCerts(dir, { chains: caseChains(), onWarning: () => {} });
    expect(statSync(path).mode & 0o777).toBe(0o644);
  }, 60_000);
});

describe('the pairs a warm store has already checked (private/verified.json)', () => {
  test('written 0600; a key swapped after it was written is still found and the leaf regenerated', async () => {
    const store = await ensureCerts(dir, { chains: caseChains(), onWarning: () => {} });
    expect(statSync(join(dir, 'private', 'verified.json')).mode & 0o777).toBe(0o600);
    const valid = store.certs.get('client/valid')!;
    const other = store.certs.get('client/expired')!;
    writeFileSync(valid.keyPath, readFileSync(other.keyPath));
    const warnings: string[] = [];
    const again = await ensureCerts(dir, { chains: caseChains(), onWarning: (l) => warnings.push(l) });
    expect(warnings.join('\n')).toContain('is not the key of');
    expect(again.generated).toContain('client/valid');
  }, 60_000);
});
