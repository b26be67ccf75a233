import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../errors.js';
import { checkCertificate } from '../policy/certificate-policy.js';
import { compileIdentityPattern, identityMatches } from './identity-pattern.js';
import { loadProfile } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'mtls-profile-limits-'));
function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function errorOf(ref: string): UsageError {
  try {
    loadProfile(ref, dir);
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error(`expected ${ref} to be refused`);
}
const identity = (pattern: string, example: string) => `name: p\nclientIdentity:\n  match: cn\n  pattern: '${pattern}'\n  example: '${example}'\n`;

describe('identity patterns run in linear time (RE2)', () => {
  test('a catastrophic-backtracking pattern answers at once', () => {
    const started = performance.now();
    expect(identityMatches('^(a+)+$', `${'a'.repeat(5000)}!`)).toBe(false);
    expect(identityMatches('^(a+)+$', 'a'.repeat(5000))).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });
  test('search semantics like RegExp#test: unanchored patterns find a match inside', () => {
    expect(identityMatches('[0-9a-f]{8}', 'id-3f1c2a9e-x')).toBe(true);
    expect(identityMatches('^[0-9a-f]{8}$', 'id-3f1c2a9e-x')).toBe(false);
  });
  test('syntax RE2 cannot run (lookahead, backreference) is reported, not run', () => {
    expect(compileIdentityPattern('(?=a)a')).toMatch(/RE2 syntax.*\(\?=/);
    expect(compileIdentityPattern('(a)\\1')).toMatch(/RE2 syntax/);
    expect(compileIdentityPattern('x'.repeat(2000))).toMatch(/longer than 1024/);
  });
  test('the certificate policy matches through RE2: a hostile CN against ^(a+)+$ ends', () => {
    const profile = loadProfile(file('redos-ok.yaml', identity('^(a+)+$', 'aaaa')), dir).profile;
    const started = performance.now();
    const findings = checkCertificate(
      { commonName: `${'a'.repeat(20000)}!`, subject: 'CN=x', sanUris: [] } as unknown as Parameters<typeof checkCertificate>[0],
      'client',
      profile,
      { rules: ['identity'] },
    );
    expect(performance.now() - started).toBeLessThan(1000);
    expect(findings.map((f) => f.rule)).toContain('clientIdentity');
  });
});

describe('profile check refuses what would break a run', () => {
  test('an example that does not match its own pattern, with the position of "example"', () => {
    const e = errorOf(file('nomatch.yaml', identity('^(a+)+$', `${'a'.repeat(38)}!`)));
    expect(e.message).toMatch(/nomatch\.yaml:5:3: field "clientIdentity\.example".*does not match clientIdentity\.pattern/);
  });
  test('a pattern that does not compile', () => {
    expect(errorOf(file('bad.yaml', identity('([a-z', 'x'))).message).toMatch(/field "clientIdentity\.pattern".*missing closing \]/);
  });
  test('a YAML alias bomb is refused before it expands', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [prev, name] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g'], ['g', 'h']]) levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    const started = performance.now();
    const e = errorOf(file('bomb.yaml', `name: bomb\n${levels.join('\n')}\n`));
    expect(e.message).toMatch(/bomb\.yaml: refused: more than 50 YAML alias expansions/);
    expect(performance.now() - started).toBeLessThan(2000);
  });
  test('a description over 4 KB, a profile over 1 MB, /dev/zero and NUL bytes', () => {
    expect(errorOf(file('long.yaml', `name: long\ndescription: "${'d'.repeat(5000)}"\n`)).message).toMatch(/field "description".*longer than 4096 characters/);
    expect(errorOf(file('huge.yaml', `name: huge\n# ${'x'.repeat(2 * 1024 * 1024)}\n`)).message).toMatch(/"[^"]*huge\.yaml" is larger than 1 MB/);
    expect(errorOf('/dev/zero').message).toMatch(/profile file "\/dev\/zero" is larger than 1 MB/);
    expect(errorOf(file('nul.yaml', Buffer.from('name: x\n\0\n'))).message).toMatch(/is not a text file \(a NUL byte at offset 8\)/);
  });
  test('an extends chain deeper than 8 is refused', () => {
    for (let i = 0; i < 10; i++) file(`chain${i}.yaml`, i === 0 ? 'name: c0\n' : `name: c${i}\nextends: ./chain${i - 1}.yaml\n`);
    expect(errorOf(join(dir, 'chain9.yaml')).message).toMatch(/"extends" deep.*at most 8/);
    expect(loadProfile(join(dir, 'chain5.yaml'), dir).profile.name).toBe('c5');
  });
});
