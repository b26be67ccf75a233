import { z } from 'zod';
import { OUTCOMES } from '../model.js';
import { profileSchema } from '../profile/schema.js';

/**
 * report.json (schemaVersion 1) as a zod schema, the source of schemas/report.schema.json. The
 * observation's fixed fields are listed; the facts some cases add (peer, sweep, session, client,
 * ...) are open, so a newer report still validates against this version's schema.
 */

const verdict = z.enum(['pass', 'fail', 'inconclusive', 'skip']);

export const observationSchema = z
  .object({
    outcome: z.enum(OUTCOMES),
    alert: z.object({ code: z.number().int(), name: z.string() }).nullable(),
    httpStatus: z.number().int().nullable(),
    tlsVersion: z.string().nullable(),
    cipher: z.string().nullable(),
    detail: z.string(),
    durationMs: z.number(),
    alpn: z.string().nullable().optional(),
    grpcStatus: z.number().int().nullable().optional(),
  })
  .loose();

const reportTargetSchema = z.object({ kind: z.enum(['url', 'client-command', 'container']), url: z.string().optional(), builtin: z.string().optional() }).loose();

export const summarySchema = z.object({
  pass: z.number().int(),
  fail: z.number().int(),
  inconclusive: z.number().int(),
  skip: z.number().int(),
  verdict: z.enum(['conformant', 'non-conformant', 'inconclusive']),
});

export const reportResultSchema = z.object({
  id: z.string().regex(/^[a-z0-9.-]+(\/[a-z0-9.-]+)+$/),
  title: z.string(),
  severity: z.enum(['required', 'recommended', 'info']),
  expect: z.enum(['accept', 'reject', 'property']),
  /** The whole observation (public material only), so a recorded run can be re-judged. */
  observed: observationSchema.nullable(),
  verdict,
  reason: z.string(),
  rationale: z.string(),
  refs: z.array(z.string()),
  waived: z.string().optional(),
  /** True when a waived case passes: the waiver can go. */
  waiverUnneeded: z.boolean().optional(),
  /** The family the case belongs to, when the case names one (otherwise familyOf() derives it from the id). */
  family: z.string().optional(),
});

/** Present when the positive control was not accepted (exit 3): why, and what to do next. */
export const causeSchema = z.object({
  /** The case whose failure made the run inconclusive (the positive control). */
  case: z.string(),
  /** What was observed and what to do next, in one line: the line stderr shows, without "error: ". */
  text: z.string(),
  /** For a client program: the most informative line of its stderr. */
  clientStderr: z.string().optional(),
});

export const reportSchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.object({ name: z.literal('mtls-conformance'), version: z.string(), node: z.string(), openssl: z.string() }),
  target: reportTargetSchema,
  profile: z.object({ name: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), source: z.string() }),
  startedAt: z.iso.datetime(),
  durationMs: z.number().nonnegative(),
  summary: summarySchema,
  results: z.array(reportResultSchema),
  /** Optional: schemaVersion 1 reports without it stay valid. */
  cause: causeSchema.optional(),
});

/**
 * One line of `run --ndjson` (harness/report/events.ts): a run's start, each case as it is judged,
 * each target of a targets file as it completes, the run's end. `event` tells them apart; `time`
 * is when the line was written. Open objects, so a newer line still validates.
 */
const count = z.number().int().nonnegative();
const eventBase = { time: z.iso.datetime() };

export const runStartEventSchema = z
  .object({
    event: z.literal('run-start'),
    ...eventBase,
    schemaVersion: z.literal(1),
    tool: reportSchema.shape.tool,
    /** A run: its target and profile (a targets file has one of each per target: see the `target` events). */
    target: reportSchema.shape.target.optional(),
    profile: reportSchema.shape.profile.optional(),
    startedAt: z.iso.datetime(),
    /** How many cases will be judged (a run) or how many targets will run (a targets file). */
    cases: count.optional(),
    targets: count.optional(),
  })
  .loose();

export const caseEventSchema = z
  .object({
    event: z.literal('case'),
    ...eventBase,
    /** 1-based, in the order cases complete; `total` is the run's case count. */
    n: z.number().int().positive(),
    total: count,
    /** Presentation of the verdict: `finding` is a failure that does not decide the run (result.verdict stays `fail`). */
    kind: z.enum(['pass', 'fail', 'finding', 'inconclusive', 'skip']),
    family: z.string(),
    result: reportResultSchema,
  })
  .loose();

export const targetEventSchema = z
  .object({
    event: z.literal('target'),
    ...eventBase,
    target: z.string(),
    profile: z.string(),
    verdict: z.string(),
    exitCode: z.number().int(),
    pass: count,
    fail: count,
    inconclusive: count,
    skip: count,
    reportDir: z.string().optional(),
    error: z.string().optional(),
  })
  .loose();

export const runEndEventSchema = z
  .object({
    event: z.literal('run-end'),
    ...eventBase,
    exitCode: z.number().int(),
    durationMs: z.number().nonnegative(),
    /** A run: its summary as in report.json. */
    summary: summarySchema.optional(),
    /** A run: its results as the terminal counts them (a `finding` is a failure that does not decide; summary.fail counts both). */
    counts: z.object({ pass: count, fail: count, finding: count, inconclusive: count, skip: count }).optional(),
    cause: causeSchema.optional(),
    reportPath: z.string().optional(),
    /** A targets file: how the targets came out. */
    targets: z.object({ targets: count, conformant: count, nonConformant: count, couldNotRun: count }).loose().optional(),
    indexPath: z.string().optional(),
    /** The run stopped on an error after it began: the error line stderr shows, without "error: ". */
    error: z.string().optional(),
  })
  .loose();

export const eventSchema = z.discriminatedUnion('event', [runStartEventSchema, caseEventSchema, targetEventSchema, runEndEventSchema]);

/** report.json as the harness writes it: inferred from the schema, so the type and the schema cannot drift. */
export type Report = z.output<typeof reportSchema>;
export type ReportTarget = z.output<typeof reportTargetSchema>;
export type ReportResult = z.output<typeof reportResultSchema>;
export type ReportCause = z.output<typeof causeSchema>;

const SCHEMA_BASE = 'urn:mtls-conformance:schemas:';

/** JSON Schemas (draft 2020-12) generated from the zod schemas: shipped in the package under schemas/. */
export function jsonSchemas(): Record<string, unknown> {
  return {
    'report.schema.json': {
      $id: `${SCHEMA_BASE}report.schema.json`,
      title: 'mtls-conformance report.json (schemaVersion 1)',
      ...z.toJSONSchema(reportSchema, { target: 'draft-2020-12', io: 'output' }),
    },
    'profile.schema.json': profileJsonSchema(),
    'events.schema.json': {
      $id: `${SCHEMA_BASE}events.schema.json`,
      title: 'mtls-conformance run --ndjson: one JSON object per line',
      ...z.toJSONSchema(eventSchema, { target: 'draft-2020-12', io: 'output' }),
    },
  };
}

/** The profile format as a JSON Schema: the zod schema's input side, plus `extends`, which the loader resolves before validation. */
function profileJsonSchema(): Record<string, unknown> {
  // Input side: every field is optional where the schema gives a default.
  const schema = z.toJSONSchema(profileSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown> & { properties: Record<string, unknown> };
  return {
    $id: `${SCHEMA_BASE}profile.schema.json`,
    title: 'mtls-conformance profile (YAML or JSON)',
    ...schema,
    properties: {
      extends: { type: 'string', description: 'a built-in profile name or a path (relative to this file) whose fields this profile starts from' },
      ...schema.properties,
    },
  };
}
