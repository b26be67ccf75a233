import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { REDACTED, redactKeyMaterial } from './redact.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const pkcs8 = rsa.export({ type: 'pkcs8', format: 'pem' }) as string;
const pkcs1 = rsa.export({ type: 'pkcs1', format: 'pem' }) as string;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }) as string;
const body = (pem: string) => pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');

describe('redactKeyMaterial', () => {
  test.each([
    ['PKCS#8', pkcs8],
    ['PKCS#1', pkcs1],
    ['SEC1', ec],
  ])('a whole %s PEM block goes, the lines around it stay', (_name, pem) => {
    const r = redactKeyMaterial(`before\n${pem}after\n`);
    expect(r.found).toBe(true);
    expect(r.text).toBe(`before\n${REDACTED}\nafter\n`);
  });
  test('a block cut by the output tail (no BEGIN, or no END) goes too', () => {
    const lines = pkcs8.trim().split('\n');
    const noBegin = redactKeyMaterial(lines.slice(5).join('\n'));
    const noEnd = redactKeyMaterial(`x\n${lines.slice(0, 5).join('\n')}`);
    for (const r of [noBegin, noEnd]) {
      expect(r.found).toBe(true);
      expect(r.text).not.toMatch(/PRIVATE KEY|MII/);
    }
  });
  test('a key printed as one base64 line (DER), and a known key body line, go', () => {
    expect(redactKeyMaterial(`key=${body(pkcs8)}`).text).toBe(`key=${REDACTED}`);
    const known = redactKeyMaterial(`line: ${pkcs8.split('\n')[3]}`, [pkcs8]);
    expect(known.found).toBe(true);
    expect(known.text).toBe(`line: ${REDACTED}`);
  });
  test('certificates and ordinary text are left alone; a bare label is neutralised without claiming a key', () => {
    const certB64 = 'MIIBszCCAVmgAwIBAgIUQ'.padEnd(120, 'A');
    expect(redactKeyMaterial(`cert ${certB64}`)).toEqual({ text: `cert ${certB64}`, found: false });
    expect(redactKeyMaterial('error: cannot load PRIVATE KEY from file')).toEqual({ text: 'error: cannot load private key from file', found: false });
  });
});
