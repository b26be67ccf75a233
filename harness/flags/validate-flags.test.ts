import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../errors.js';
import { checkWritableDir, dirWriteError, validateCertsDir, validateHostName, validateHttpMethod, validateHttpPath } from './validate-flags.js';

describe('--http-path: an origin-form request target (RFC 9112 §3.2.1)', () => {
  test.each(['/', '/health', '/api/v1/ping?x=1&y=%20z', '/grpc.health.v1.Health/Check', "/a-b_c.d~e!$&'()*+,;=:@"])('accepts %j', (p) => {
    expect(validateHttpPath(p)).toBe(p);
  });
  test.each([
    ['/\r\nX-Injected: 1', 'a line break'],
    ['/a\nb', 'a line break'],
    ['/a\tb', 'a control character'],
    ['/a\x00', 'a control character'],
    ['/a b', 'a space'],
    ['health', 'no leading "/"'],
    ['http://x/', 'no leading "/"'],
    ['/a"b', 'must be percent-encoded'],
    ['/%zz', 'must be percent-encoded'],
    ['/#frag', 'must be percent-encoded'],
  ])('refuses %j: %s', (p, why) => {
    expect(() => validateHttpPath(p)).toThrow(why);
  });
  test('the message shows control characters escaped, on one line', () => {
    try {
      validateHttpPath('/\r\nX: 1');
    } catch (err) {
      expect((err as Error).message).toContain('"/\\r\\nX: 1"');
      expect((err as Error).message).not.toMatch(/[\r\n]/);
    }
  });
});

describe('--http-method: an RFC 9110 token', () => {
  test.each(['GET', 'POST', 'PROPFIND', 'X-CUSTOM_1'])('accepts %s', (m) => expect(validateHttpMethod(m)).toBe(m));
  test.each(['', 'G ET', 'GET\r\n', 'GET / HTTP/1.1', 'GE(T', 'x'.repeat(65)])('refuses %j', (m) => {
    expect(() => validateHttpMethod(m)).toThrow(/is not an HTTP method/);
  });
});

describe('--host: a DNS name or an IP', () => {
  test.each([
    ['api.example.com', 'api.example.com'],
    ['localhost', 'localhost'],
    ['10.0.0.5', '10.0.0.5'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['*.example.com', '*.example.com'],
    ['host.example.', 'host.example'],
  ])('accepts %j', (h, out) => expect(validateHostName(h)).toBe(out));
  test.each(['', ' ', 'a b', 'a\x01', '-a.com', 'a-.com', 'a..com', `${'a'.repeat(64)}.com`, 'a_b.com', 'x/y', '*.com', 'a.*.com'])('refuses %j', (h) => {
    expect(() => validateHostName(h)).toThrow(/is neither a DNS name nor an IP address/);
  });
});

describe('output directories', () => {
  const root = mkdtempSync(join(tmpdir(), 'mtls-dirs-'));
  const file = join(root, 'file');
  writeFileSync(file, 'x');
  test('a file, a path under a file', () => {
    expect(() => checkWritableDir(file, '--out')).toThrow(`--out "${file}" is a file, not a directory`);
    expect(() => checkWritableDir(join(file, 'a', 'b'), '--report-dir')).toThrow(`"${file}" is a file, not a directory. Pass a path under a directory`);
  });
  test('a missing directory under a writable one is fine and not created by the check', () => {
    expect(checkWritableDir(join(root, 'new', 'deeper'), '--out')).toBe(join(root, 'new', 'deeper'));
  });
  test('errno codes become the user words: read-only file system, permission, a file in the way', () => {
    expect(dirWriteError(Object.assign(new Error('x'), { code: 'EROFS' }), '/mnt/ro/r', '--report-dir')?.message).toBe('error: --report-dir "/mnt/ro/r" cannot be written: it is on a read-only file system. Pass a writable directory.');
    expect(dirWriteError(Object.assign(new Error('x'), { code: 'EACCES' }), 'd', '--out')?.message).toMatch(/permission denied \(EACCES\)/);
    expect(dirWriteError(Object.assign(new Error('x'), { code: 'ENOTDIR', path: '/a/f' }), 'd', '--out')?.message).toMatch(/a part of the path is a file, not a directory \("\/a\/f"\)/);
    expect(dirWriteError(new Error('not fs'), 'd', '--out')).toBeNull();
  });
});

describe('--certs: an explicit directory must exist', () => {
  const parent = mkdtempSync(join(tmpdir(), 'mtls-certs-flag-'));
  mkdirSync(join(parent, 'conformance-certs'));

  test('an existing directory passes; a missing one is one line naming it, the near sibling and certs init', () => {
    expect(validateCertsDir(join(parent, 'conformance-certs'))).toBe(join(parent, 'conformance-certs'));
    const typo = join(parent, 'conformance-cert');
    expect(() => validateCertsDir(typo)).toThrow(
      new UsageError('certs-dir-missing', `--certs ${JSON.stringify(typo)} does not exist. Did you mean ${JSON.stringify(join(parent, 'conformance-certs'))}? Make a certificate directory there with: conformance certs init ${typo}`),
    );
    expect(() => validateCertsDir(join(parent, 'elsewhere'))).toThrow(/does not exist\. Make a certificate directory there with: conformance certs init /);
  });
});
