import { describe, expect, test } from 'vitest';
import { RUN_OPTIONS, bareRunCommand, scopeOf, splitRunTokens } from './run-options.js';

const split = (tokens: string[]) => {
  const { flags, rest } = splitRunTokens(tokens);
  return { flags: flags.map((f) => [f.option.long, ...f.tokens]), rest };
};

describe('splitRunTokens reads the tokens as commander does', () => {
  test('long flags with a value, =value, booleans and repeats keep the tokens as written', () => {
    expect(split(['--only', 'a/*', '--timeout=2s', '--slow', '--only', 'b/*', '--json'])).toEqual({
      flags: [
        ['--only', '--only', 'a/*'],
        ['--timeout', '--timeout=2s'],
        ['--slow', '--slow'],
        ['--only', '--only', 'b/*'],
        ['--json', '--json'],
      ],
      rest: [],
    });
  });

  test('short aliases: -p VALUE, -pVALUE, and a group of short flags -qp VALUE', () => {
    expect(split(['-p', 'modern', '-tbuiltin:strict', '-qp', 'intermediate', '-qtbuiltin:lenient'])).toEqual({
      flags: [
        ['--profile', '-p', 'modern'],
        ['--target', '-tbuiltin:strict'],
        ['--quiet', '-q'],
        ['--profile', '-p', 'intermediate'],
        ['--quiet', '-q'],
        ['--target', '-tbuiltin:lenient'],
      ],
      rest: [],
    });
  });

  test('a value that starts with "-" belongs to the flag that takes it', () => {
    expect(split(['--http-path', '--not-a-flag', '--servername', '-q'])).toEqual({
      flags: [
        ['--http-path', '--http-path', '--not-a-flag'],
        ['--servername', '--servername', '-q'],
      ],
      rest: [],
    });
  });

  test('what is not a run flag is left over', () => {
    expect(split(['--onyl', 'x', '--', '--json']).rest).toEqual(['--onyl', 'x', '--', '--json']);
    expect(split(['-qz'])).toEqual({ flags: [['--quiet', '-q']], rest: ['-z'] });
  });
});

describe('RUN_OPTIONS', () => {
  test('is the run command: every flag of the command has a declared scope', () => {
    const run = bareRunCommand();
    expect(run.options.map((o) => o.flags)).toEqual(RUN_OPTIONS.map((s) => s.flags));
    for (const o of run.options) expect(['target', 'many', 'any', 'server', 'client']).toContain(scopeOf(o));
  });
});
