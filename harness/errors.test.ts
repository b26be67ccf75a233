import { describe, expect, test } from 'vitest';
import { ERROR_CODES, HarnessError, UsageError } from './errors.js';

describe('errors', () => {
  test('the prefix is added once, whether or not the message still types it', () => {
    const bare = new UsageError('target-invalid', '--target "x" is not a URL. Use https://host:port.');
    const typed = new UsageError('target-invalid', 'error: --target "x" is not a URL. Use https://host:port.');
    expect(bare.message).toBe('error: --target "x" is not a URL. Use https://host:port.');
    expect(typed.message).toBe(bare.message);
    expect(typed.detail).toBe('--target "x" is not a URL. Use https://host:port.');
  });

  test('kinds carry their exit codes', () => {
    expect(new UsageError('profile-invalid', 'x').exitCode).toBe(2);
    expect(new HarnessError('target-unreachable', 'x').exitCode).toBe(3);
  });

  test('codes are listed once, kebab-case', () => {
    // That a free string does not compile is tsc's job (`new UsageError('not-a-code', ...)` is a
    // type error); vitest does not type-check, so this checks only the list itself.
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) expect(code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});
