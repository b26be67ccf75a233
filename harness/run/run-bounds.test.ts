import { describe, expect, test } from 'vitest';
import { UsageError } from '../errors.js';
import { bareRunCommand } from '../flags/run-options.js';
import { MAX_REPEAT } from '../plan.js';
import { executePlan } from './execute.js';
import { checkRunNumber, checkRunOptions, checkSuite, MAX_TIMEOUT_MS } from './run-bounds.js';
import { prepareServerPlan, runClient, runServer } from './run.js';

/** The one line a rejected value gives, or a failure if it was accepted. */
function refusal(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('accepted');
}

async function asyncRefusal(work: Promise<unknown>): Promise<UsageError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  return err as UsageError;
}

/** A flag parsed by the run command itself (commander and our parser), as the CLI reads it. */
function parseFlag(flag: string, value: string): Record<string, unknown> {
  return bareRunCommand().parse([flag, value], { from: 'user' }).opts();
}

const BASE = { profile: 'intermediate', only: [], timeoutMs: 5000, concurrency: 8 };

describe('checkRunNumber: the bounds of repeat, concurrency and timeoutMs', () => {
  test.each([
    ['repeat', 1],
    ['repeat', MAX_REPEAT],
    ['concurrency', 1],
    ['concurrency', 64],
    ['timeoutMs', 1],
    ['timeoutMs', 2500.5],
    ['timeoutMs', MAX_TIMEOUT_MS],
  ] as const)('%s %j is within its bound', (name, value) => {
    expect(checkRunNumber(name, value)).toBe(value);
  });

  test.each([
    ['repeat', 0, 'repeat 0 must be a whole number from 1 to 100, e.g. repeat: 20.'],
    ['repeat', 101, 'repeat 101 must be a whole number from 1 to 100'],
    ['repeat', 2.5, 'repeat 2.5 must be a whole number from 1 to 100'],
    ['repeat', '6', 'repeat "6" must be a whole number from 1 to 100'],
    ['repeat', Number.NaN, 'repeat NaN must be a whole number'],
    ['concurrency', 0, 'concurrency 0 must be a whole number ≥ 1, e.g. concurrency: 8.'],
    ['concurrency', -3, 'concurrency -3 must be a whole number ≥ 1'],
    ['concurrency', Number.POSITIVE_INFINITY, 'concurrency Infinity must be a whole number ≥ 1'],
    ['timeoutMs', 0, 'timeoutMs 0 must be a number of milliseconds from 1 to 600000'],
    ['timeoutMs', 600_001, 'timeoutMs 600001 must be a number of milliseconds from 1 to 600000'],
    ['timeoutMs', '5s', 'timeoutMs "5s" must be a number of milliseconds'],
    ['timeoutMs', undefined, 'timeoutMs is missing: it must be a number of milliseconds from 1 to 600000, e.g. timeoutMs: 5000.'],
  ] as const)('%s %j is refused in one line naming the option', (name, value, message) => {
    const err = refusal(() => checkRunNumber(name, value));
    expect(err.detail).toContain(message);
    expect(err.message).toMatch(/^error: /);
    expect(err.message).not.toContain('\n');
    expect(err.exitCode).toBe(2);
    expect(err.code).toBe(`${name === 'timeoutMs' ? 'timeout' : name}-invalid`);
  });

  test('with the text a flag was given, the message names the flag and quotes the text', () => {
    expect(refusal(() => checkRunNumber('repeat', 0, '0')).detail).toBe('--repeat "0" must be a whole number from 1 to 100.');
    expect(refusal(() => checkRunNumber('timeoutMs', Number.NaN, 'abc')).detail).toBe('--timeout "abc" must be a positive duration up to 600s, e.g. 5000, 500ms or 5s.');
  });
});

describe('the run flags and the API share the check', () => {
  test.each([
    ['--repeat', '7', 'repeat', 7],
    ['--repeat', '100', 'repeat', 100],
    ['--concurrency', '3', 'concurrency', 3],
    ['--timeout', '2s', 'timeout', 2000],
    ['--timeout', '750ms', 'timeout', 750],
    ['--timeout', '600s', 'timeout', MAX_TIMEOUT_MS],
  ])('%s %s is read as %s %j', (flag, value, key, expected) => {
    expect(parseFlag(flag, value)[key]).toBe(expected);
  });

  test.each([
    ['--repeat', '0', '--repeat "0" must be a whole number from 1 to 100.'],
    ['--repeat', '101', '--repeat "101" must be a whole number from 1 to 100.'],
    ['--repeat', '1e2', '--repeat "1e2" must be a whole number from 1 to 100.'],
    ['--concurrency', '0', '--concurrency "0" must be a whole number ≥ 1.'],
    ['--timeout', '601s', '--timeout "601s" must be a positive duration up to 600s'],
    // Rounds to 0 ms: no wait can be bounded by that.
    ['--timeout', '0.4', '--timeout "0.4" must be a positive duration up to 600s'],
    ['--timeout', '-1', '--timeout "-1" must be a positive duration up to 600s'],
  ])('%s %s is refused with the same one line as a UsageError (exit 2)', (flag, value, message) => {
    const err = refusal(() => parseFlag(flag, value));
    expect(err.detail).toBe(message.endsWith('.') ? message : `${message}, e.g. 5000, 500ms or 5s.`);
  });

  test('--suite takes the same names the API checks', () => {
    for (const s of ['core', 'deep', 'exhaustive']) {
      expect(parseFlag('--suite', s).suite).toBe(s);
      expect(checkSuite(s)).toBe(s);
    }
    expect(() => parseFlag('--suite', 'deeep')).toThrow(/Allowed choices are core, deep, exhaustive/);
  });
});

describe('checkSuite and checkRunOptions', () => {
  test('an unknown suite names the allowed ones in one line', () => {
    const err = refusal(() => checkSuite('deeep'));
    expect(err.detail).toBe('suite "deeep" is not a suite: use "core", "deep", "exhaustive" (as --suite).');
    expect(err.code).toBe('suite-invalid');
  });

  test('checks every bounded option and the suite; the optional ones may be absent', () => {
    expect(() => checkRunOptions(BASE)).not.toThrow();
    expect(() => checkRunOptions({ ...BASE, repeat: 3, suite: 'deep' })).not.toThrow();
    expect(refusal(() => checkRunOptions({ ...BASE, repeat: 0 })).detail).toMatch(/^repeat 0 /);
    expect(refusal(() => checkRunOptions({ ...BASE, concurrency: 0 })).detail).toMatch(/^concurrency 0 /);
    expect(refusal(() => checkRunOptions({ ...BASE, timeoutMs: -5 })).detail).toMatch(/^timeoutMs -5 /);
    expect(refusal(() => checkRunOptions({ ...BASE, suite: 'all' })).detail).toMatch(/^suite "all" /);
    expect(refusal(() => checkRunOptions({ ...BASE, concurrency: undefined })).detail).toMatch(/^concurrency is missing/);
    expect(refusal(() => checkRunOptions(null as never)).code).toBe('options-invalid');
  });
});

describe('the package API checks the bounds before it starts anything', () => {
  // A target that could never start: a refusal here came from the check, not from the target.
  const nowhere = { ...BASE, target: 'https://127.0.0.1:1', certsDir: '/nonexistent/mtls-bounds' };

  test.each([
    [{ repeat: 0 }, 'repeat 0 must be a whole number from 1 to 100'],
    [{ repeat: 101 }, 'repeat 101 must be a whole number from 1 to 100'],
    [{ concurrency: 0 }, 'concurrency 0 must be a whole number ≥ 1'],
    [{ timeoutMs: 0 }, 'timeoutMs 0 must be a number of milliseconds'],
    [{ suite: 'deeep' }, 'suite "deeep" is not a suite'],
  ])('runServer, prepareServerPlan and runClient refuse %j', async (bad, message) => {
    for (const work of [runServer({ ...nowhere, ...bad } as never), prepareServerPlan({ ...nowhere, ...bad } as never), runClient({ ...nowhere, command: 'true', ...bad } as never)]) {
      expect((await asyncRefusal(work)).detail).toContain(message);
    }
  });

  test('executePlan refuses a concurrency or repeat out of bounds', async () => {
    const plan = { role: 'server', plan: { cases: [], control: {} } } as never;
    expect((await asyncRefusal(executePlan(plan, { concurrency: 0 }))).detail).toContain('concurrency 0 must be a whole number ≥ 1');
    expect((await asyncRefusal(executePlan(plan, { concurrency: 2, repeat: 1000 }))).detail).toContain('repeat 1000 must be a whole number from 1 to 100');
  });
});
