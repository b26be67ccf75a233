import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import { resolveCases } from '../cases/resolve.js';
import { loadProfile } from '../profile/load.js';
import { caseEvent, runEndEvent, runStartEvent, targetEvent, targetsEndEvent, writeEvent, type RunEvent } from './events.js';
import { buildReport } from './report.js';
import { eventSchema } from './report-schema.js';

// Each event --ndjson writes validates against the shipped schema (and the zod schema it comes from).
const ajv = new Ajv2020({ strict: false, allErrors: true });
const validate = ajv.compile(JSON.parse(readFileSync(new URL('../../schemas/events.schema.json', import.meta.url), 'utf8')));

const loaded = loadProfile('intermediate');
const cases = resolveCases(loaded.profile, 'server');
const profile = { name: loaded.profile.name, sha256: loaded.sha256, source: loaded.source };
const results = cases.slice(0, 3).map((c, i) => ({
  case: c,
  observation: { outcome: 'handshake-alert' as const, alert: { code: 45, name: 'certificate_expired' }, httpStatus: null, tlsVersion: 'TLSv1.3', cipher: null, detail: 'alert', durationMs: 3 },
  verdict: { verdict: i === 1 ? ('fail' as const) : ('pass' as const), reason: 'r' },
}));

function lines(events: RunEvent[]): unknown[] {
  let text = '';
  for (const e of events) writeEvent(e, { write: (chunk: string) => (text += chunk) });
  expect(text.endsWith('\n')).toBe(true);
  return text.trimEnd().split('\n').map((l) => JSON.parse(l));
}

describe('--ndjson events', () => {
  test('a run: run-start, a case per result, run-end, each one line that validates', () => {
    const report = buildReport({ target: { kind: 'url', url: 'https://127.0.0.1:8443' }, profile, startedAt: new Date(), durationMs: 5, results, cause: { case: cases[0]!.id, text: 'why' } });
    const parsed = lines([
      runStartEvent({ target: report.target, profile, startedAt: new Date(), cases }),
      ...results.map((r, i) => caseEvent(r, i + 1, results.length)),
      runEndEvent(report, 3, '/tmp/r/report.json'),
    ]);
    expect(parsed).toHaveLength(5);
    for (const e of parsed) {
      expect(validate(e), JSON.stringify(validate.errors)).toBe(true);
      expect(eventSchema.safeParse(e).success).toBe(true);
    }
    expect(parsed[2]).toMatchObject({ event: 'case', n: 2, total: 3, family: cases[1]!.id.split('/').slice(0, 2).join('/'), result: { id: cases[1]!.id, verdict: 'fail' } });
    expect(parsed[4]).toMatchObject({ event: 'run-end', exitCode: 3, cause: { case: cases[0]!.id, text: 'why' } });
    expect((parsed[4] as { counts: Record<string, number> }).counts).toEqual({ pass: 2, fail: results[1]!.case.severity === 'required' ? 1 : 0, finding: results[1]!.case.severity === 'required' ? 0 : 1, inconclusive: 0, skip: 0 });
  });

  test('a targets file: a target event per target (an index entry, argv left out), then run-end with the counts', () => {
    const entry = { target: 'https://a.example:8443', profile: 'intermediate', reportDir: 'a.example-8443', exitCode: 1, verdict: 'non-conformant', pass: 30, fail: 2, inconclusive: 0, skip: 1, argv: ['run', '--target', 'x'] };
    const parsed = lines([targetEvent(entry), targetEvent({ ...entry, exitCode: 3, verdict: 'could-not-run', error: 'error: unreachable' }), targetsEndEvent({ targets: 2, conformant: 0, nonConformant: 1, couldNotRun: 1 }, 3, 1234, 'out/index.json')]);
    for (const e of parsed) expect(validate(e), JSON.stringify(validate.errors)).toBe(true);
    expect(parsed[0]).not.toHaveProperty('argv');
    expect(parsed[1]).toMatchObject({ event: 'target', exitCode: 3, error: 'error: unreachable' });
    expect(parsed[2]).toMatchObject({ event: 'run-end', targets: { couldNotRun: 1 }, indexPath: 'out/index.json' });
  });

  test('the schema refuses what is not an event', () => {
    expect(validate({ event: 'progress', time: new Date().toISOString() })).toBe(false);
    expect(validate({ event: 'case', time: new Date().toISOString(), n: 0, total: 1, kind: 'pass', family: 'x', result: {} })).toBe(false);
    expect(validate({ event: 'target', time: 'yesterday', target: 't', profile: 'p', verdict: 'v', exitCode: 0, pass: 0, fail: 0, inconclusive: 0, skip: 0 })).toBe(false);
  });
});
