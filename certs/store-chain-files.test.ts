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
