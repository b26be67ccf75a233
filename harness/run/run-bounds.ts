import { UsageError, quote, type ErrorCode } from '../errors.js';
import { SUITE_NAMES, type SuiteName } from '../model.js';
import { MAX_REPEAT } from '../plan.js';

/**
 * The bounds of a run's numbers and its suite, checked in one place for every way into a run: the
 * `run` flags (harness/flags/run-options.ts reads the text, then checks the number here), the
 * package API (run.ts, execute.ts) and serverSuite() (suites/index.ts). Nothing here loads
 * commander: the API and the vitest embedding use it without the CLI.
 */

/** The longest `--timeout` / `timeoutMs`: every network wait and every client run is bounded by it. */
export const MAX_TIMEOUT_MS = 600_000;

export type RunNumber = 'repeat' | 'concurrency' | 'timeoutMs';

interface Bound {
  /** The flag that sets it on the command line. */
  flag: string;
  code: ErrorCode;
  min: number;
  max: number;
  /** What a flag value must look like, and what an API value must be, in a message. */
  flagForm: string;
  optionForm: string;
  /** An example of the option, for the message's next step. */
  example: number;
}

export const RUN_BOUNDS: Readonly<Record<RunNumber, Bound>> = {
  // Bounded so that a suite with every reject case repeated still ends within minutes.
  repeat: { flag: '--repeat', code: 'repeat-invalid', min: 1, max: MAX_REPEAT, flagForm: `a whole number from 1 to ${MAX_REPEAT}`, optionForm: `a whole number from 1 to ${MAX_REPEAT}`, example: 20 },
  concurrency: { flag: '--concurrency', code: 'concurrency-invalid', min: 1, max: Number.MAX_SAFE_INTEGER, flagForm: 'a whole number ≥ 1', optionForm: 'a whole number ≥ 1', example: 8 },
  timeoutMs: {
    flag: '--timeout',
    code: 'timeout-invalid',
    min: 1,
    max: MAX_TIMEOUT_MS,
    flagForm: `a positive duration up to ${MAX_TIMEOUT_MS / 1000}s, e.g. 5000, 500ms or 5s`,
    optionForm: `a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`,
    example: 5000,
  },
};

/** A value as the user wrote it in code: a number bare, a string quoted, anything else by its JSON or its type. */
function shown(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return quote(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return typeof value;
  }
}

function within(name: RunNumber, n: number): boolean {
  const b = RUN_BOUNDS[name];
  // A timeout may be fractional milliseconds; counts are whole.
  return (name === 'timeoutMs' ? Number.isFinite(n) : Number.isInteger(n)) && n >= b.min && n <= b.max;
}

/**
 * One of a run's numbers, checked against its bound. `written` is the flag's text as the user
 * typed it (the flag parser passes the number it read from it, NaN when it read none): the message
 * then names the flag and quotes the text. Without it the message names the API option.
 */
export function checkRunNumber(name: RunNumber, value: unknown, written?: string): number {
  if (typeof value === 'number' && within(name, value)) return value;
  const b = RUN_BOUNDS[name];
  if (written !== undefined) throw new UsageError(b.code, `${b.flag} ${quote(written)} must be ${b.flagForm}.`);
  if (value === undefined) throw new UsageError(b.code, `${name} is missing: it must be ${b.optionForm}, e.g. ${name}: ${b.example}.`);
  throw new UsageError(b.code, `${name} ${shown(value)} must be ${b.optionForm}, e.g. ${name}: ${b.example}.`);
}

/** `suite` of the API and serverSuite(): one of the `--suite` choices (commander checks the flag with the same list). */
export function checkSuite(value: unknown): SuiteName {
  if (typeof value === 'string' && (SUITE_NAMES as readonly string[]).includes(value)) return value as SuiteName;
  throw new UsageError('suite-invalid', `suite ${shown(value)} is not a suite: use ${SUITE_NAMES.map((s) => quote(s)).join(', ')} (as --suite).`);
}

/** The options of a run as the API takes them: the bounded numbers (timeoutMs and concurrency required, repeat optional) and the suite. */
export function checkRunOptions(opts: { timeoutMs?: unknown; concurrency?: unknown; repeat?: unknown; suite?: unknown }): void {
  if (!opts || typeof opts !== 'object') throw new UsageError('options-invalid', `run options ${shown(opts)} are not an object: pass e.g. { profile: 'intermediate', only: [], timeoutMs: 5000, concurrency: 8 }.`);
  checkRunNumber('timeoutMs', opts.timeoutMs);
  checkRunNumber('concurrency', opts.concurrency);
  if (opts.repeat !== undefined) checkRunNumber('repeat', opts.repeat);
  if (opts.suite !== undefined) checkSuite(opts.suite);
}
