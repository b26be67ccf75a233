import { describe, expect, test } from 'vitest';
import { ConformanceError } from '../errors.js';
import { parseBuiltinName } from './builtin-target.js';
import { parseTargetUrl } from './url-target.js';

/** The error a call throws, as the CLI shows it: its exit code, its code and its one line. */
function refusal(fn: () => unknown): { exitCode: number; code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConformanceError) return { exitCode: err.exitCode, code: err.code, message: err.message };
    throw err;
  }
  throw new Error('not refused');
}

describe('--target URL forms', () => {
  test.each([
    ['https://127.0.0.1:8443', { host: '127.0.0.1', port: 8443, protocol: 'https' }],
    ['https://example.test', { host: 'example.test', port: 443, protocol: 'https' }],
    ['https://example.test/', { host: 'example.test', port: 443, protocol: 'https' }],
    ['tls://127.0.0.1:9000', { host: '127.0.0.1', port: 9000, protocol: 'tls' }],
    // The brackets of an IPv6 literal are URL syntax, not part of the address a socket connects to.
    ['https://[::1]:8443', { host: '::1', port: 8443, protocol: 'https' }],
  ])('%s', (input, want) => {
    expect(parseTargetUrl(input)).toEqual({ url: input, ...want });
  });

  test.each([
    ['127.0.0.1:8443', 'target-invalid', 'is not a URL the harness can probe'],
    ['not a url', 'target-invalid', 'Use https://host:port'],
    ['http://127.0.0.1:8080', 'target-invalid', 'Plain http cannot carry mutual TLS'],
    ['ftp://127.0.0.1', 'target-invalid', 'unknown scheme "ftp"'],
    ['https://127.0.0.1:0', 'target-invalid', 'port 0'],
    ['https://127.0.0.1:8443/health', 'target-has-path', '--http-path /health'],
    ['https://127.0.0.1:8443/?x=1', 'target-has-path', '--http-path /?x=1'],
  ])('%s is refused: exit 2, one line quoting it', (input, code, says) => {
    const r = refusal(() => parseTargetUrl(input));
    expect(r).toMatchObject({ exitCode: 2, code });
    expect(r.message).toMatch(/^error: --target /);
    expect(r.message).toContain(JSON.stringify(input));
    expect(r.message).toContain(says);
    expect(r.message).not.toContain('\n');
  });
});

describe('builtin names', () => {
  test.each(['strict', 'lenient'])('builtin:%s', (name) => {
    expect(parseBuiltinName(`builtin:${name}`)).toBe(name);
  });
  test.each(['builtin:', 'builtin:STRICT', 'builtin:nginx'])('%s is refused with the names there are (exit 2)', (input) => {
    const r = refusal(() => parseBuiltinName(input));
    expect(r).toMatchObject({ exitCode: 2, code: 'target-invalid' });
    expect(r.message).toBe(`error: --target ${JSON.stringify(input)} names no embedded target: use builtin:strict or builtin:lenient.`);
  });
});
