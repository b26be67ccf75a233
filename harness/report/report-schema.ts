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

const reportResultSchema = z.object({
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
});

export const reportSchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.object({ name: z.literal('mtls-conformance'), version: z.string(), node: z.string(), openssl: z.string() }),
  target: reportTargetSchema,
  profile: z.object({ name: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), source: z.string() }),
  startedAt: z.iso.datetime(),
  durationMs: z.number().nonnegative(),
  summary: z.object({
    pass: z.number().int(),
    fail: z.number().int(),
    inconclusive: z.number().int(),
    skip: z.number().int(),
    verdict: z.enum(['conformant', 'non-conformant', 'inconclusive']),
  }),
  results: z.array(reportResultSchema),
});

/** report.json as the harness writes it: inferred from the schema, so the type and the schema cannot drift. */
export type Report = z.output<typeof reportSchema>;
export type ReportTarget = z.output<typeof reportTargetSchema>;
export type ReportResult = z.output<typeof reportResultSchema>;

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
