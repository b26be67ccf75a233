import { describe, expect, test } from 'vitest';
import { closestMatch, didYouMean, editDistance } from './did-you-mean.js';

describe('did you mean', () => {
  test('edit distance counts an adjacent swap as one edit', () => {
    expect(editDistance('profile', 'porfile')).toBe(1);
    expect(editDistance('certs', 'cert')).toBe(1);
    expect(editDistance('abc', 'xyz')).toBe(3);
  });

  test('the closest candidate within two edits, nothing for an unrelated word', () => {
    expect(closestMatch('--protocl', ['--profile', '--protocol', '--parallel'])).toBe('--protocol');
    expect(closestMatch('conformance-cert', ['conformance-certs', 'conformance-report'])).toBe('conformance-certs');
    expect(closestMatch('maxSessionLifetime', ['maxSessionLifetimeSeconds', 'versions'])).toBeUndefined();
    expect(closestMatch('ciphers', ['ciphers12', 'ciphers13'])).toBe('ciphers12');
    expect(closestMatch('zzz', ['run', 'lint'])).toBeUndefined();
    expect(didYouMean('rnu', ['run', 'lint'])).toBe(' Did you mean "run"?');
    expect(didYouMean('xyzzy', ['run'])).toBe('');
  });
});
