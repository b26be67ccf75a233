import { describe, expect, test } from 'vitest';
import { colorEnabled } from './color.js';

describe('colorEnabled', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  test.each([
    [tty, {}, true],
    [pipe, {}, false],
    [tty, { NO_COLOR: '1' }, false],
    [tty, { NO_COLOR: '' }, true],
    [pipe, { FORCE_COLOR: '1' }, true],
    [pipe, { FORCE_COLOR: '3' }, true],
    [pipe, { FORCE_COLOR: 'true' }, true],
    [tty, { FORCE_COLOR: '0' }, false],
    [tty, { FORCE_COLOR: 'false' }, false],
    [pipe, { FORCE_COLOR: '1', NO_COLOR: '1' }, false],
    [tty, { TERM: 'dumb' }, false],
    [pipe, { TERM: 'dumb', FORCE_COLOR: '1' }, true],
  ] as const)('%o with %o: %s', (stream, env, expected) => {
    expect(colorEnabled(stream, env as NodeJS.ProcessEnv)).toBe(expected);
  });
});
