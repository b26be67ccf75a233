/**
 * Phase marks of one CLI run, in milliseconds since the process started (performance.now()):
 * where the fixed cost of a run goes. Printed to stderr as one JSON line when
 * CONFORMANCE_TIMINGS=1 (the bench reads it); otherwise only recorded.
 */
export type Phase = 'cliLoaded' | 'targetReady' | 'probesDone' | 'reportsWritten';

const marks: Partial<Record<Phase, number>> = {};

export function mark(phase: Phase): void {
  marks[phase] = Math.round(performance.now());
}

export function printTimings(): void {
  if (process.env.CONFORMANCE_TIMINGS === '1') process.stderr.write(`timings ${JSON.stringify({ ...marks, exit: Math.round(performance.now()) })}\n`);
}
