import { z } from 'zod';
import type { LintReport } from '../lint/lint.js';
import type { MatrixConnection } from '../peers/server-matrix.js';
import { profileSchema } from '../profile/schema.js';
import type { Manifest } from './manifest.js';
import { reportSchema } from './report-schema.js';

/**
 * The other JSON the tool writes, as zod schemas (the source of schemas/*.schema.json, as
 * report-schema.ts is for report.json): manifest.json, and what `lint --json`, `cases --json` and
 * `serve --json` print. Objects are open (`loose`): a newer tool may add a field, and a consumer
 * validating with this version's schema keeps working. The compile-time checks at the bottom make
 * the hand-written types of each producer fit its schema, so the two cannot drift apart.
 */

const severity = z.enum(['required', 'recommended', 'info']);
const role = z.enum(['server', 'client']);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** manifest.json (manifestVersion 1): what `conformance verify` checks a report directory against. */
export const manifestSchema = z
  .object({
    manifestVersion: z.literal(1),
    tool: reportSchema.shape.tool,
    target: reportSchema.shape.target,
    profile: z.object({ name: z.string(), source: z.string(), sha256, resolved: profileSchema }).loose(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    files: z.record(z.string(), sha256),
  })
  .loose();

const lintCheckSchema = z.object({ check: z.string(), rule: z.string(), status: z.enum(['pass', 'fail', 'not-checked']), severity, message: z.string() }).loose();
const lintFindingSchema = z.object({ file: z.string(), index: z.number().int(), subject: z.string(), check: z.string(), rule: z.string(), severity, message: z.string() }).loose();

/** `conformance lint --json`. */
export const lintOutputSchema = z
  .object({
    schemaVersion: z.literal(1),
    tool: z.object({ name: z.literal('mtls-conformance'), version: z.string() }).loose(),
    profile: z.object({ name: z.string(), sha256, source: z.string() }).loose(),
    objects: z.array(
      z
        .object({
          file: z.string(),
          index: z.number().int().min(1),
          kind: z.enum(['certificate', 'csr']),
          subject: z.string(),
          role: role.nullable(),
          roleFrom: z.string(),
          ca: z.boolean(),
          note: z.string().nullable(),
          findings: z.array(lintFindingSchema),
          checks: z.array(lintCheckSchema),
        })
        .loose(),
    ),
    summary: z
      .object({
        objects: z.number().int(),
        pass: z.number().int(),
        fail: z.number().int(),
        notChecked: z.number().int(),
        requiredFail: z.number().int(),
        verdict: z.enum(['conformant', 'non-conformant']),
      })
      .loose(),
  })
  .loose();

/** `conformance cases --json`: every case under the profile, with what the profile expects of it. */
export const casesOutputSchema = z.array(
  z
    .object({
      id: z.string().regex(/^[a-z0-9.-]+(\/[a-z0-9.-]+)+$/),
      title: z.string(),
      role,
      refs: z.array(z.string()),
      expect: z.enum(['accept', 'reject', 'property']),
      severity,
      rationale: z.string(),
      positiveControl: z.boolean().optional(),
      property: z.string().optional(),
      skip: z.string().optional(),
      waived: z.string().optional(),
    })
    .loose(),
);

/** `conformance serve --json`, first line: the servers and the files a client needs. */
export const serveServersSchema = z
  .object({
    profile: z.string(),
    servers: z.array(
      z.object({ id: z.string(), url: z.string(), expect: z.enum(['accept', 'reject']), rationale: z.string(), crlFile: z.string().describe("the CRL file a client that checks revocation loads at this server: the case's own, or the shared crlFile").optional() }).loose(),
    ),
    caFile: z.string(),
    crlFile: z.string().optional(),
    clientCertFile: z.string().optional(),
    clientKeyFile: z.string().optional(),
  })
  .loose();

/** `conformance serve --json`, every later line: one connection, judged. */
export const serveConnectionSchema = z
  .object({
    event: z.literal('connection'),
    id: z.string(),
    outcome: z.enum(['request', 'alert', 'closed']),
    alert: z.object({ code: z.number().int(), name: z.string() }).optional(),
    request: z.string().optional(),
    tlsVersion: z.string().nullable(),
    presentedCertificate: z.boolean(),
    at: z.iso.datetime(),
    expect: z.enum(['accept', 'reject']),
    judgement: z.enum(['correct', 'wrong']),
    reason: z.string(),
    detail: z.string(),
  })
  .loose();

const SCHEMA_BASE = 'urn:mtls-conformance:schemas:';

function jsonSchema(name: string, title: string, schema: z.ZodType): Record<string, unknown> {
  return { $id: `${SCHEMA_BASE}${name}`, title, ...z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' }) };
}

/** schemas/*.schema.json for the outputs above (scripts/gen-schemas.mjs writes them at build time). */
export function outputJsonSchemas(): Record<string, unknown> {
  return {
    'manifest.schema.json': jsonSchema('manifest.schema.json', 'mtls-conformance manifest.json (manifestVersion 1)', manifestSchema),
    'lint.schema.json': jsonSchema('lint.schema.json', 'mtls-conformance lint --json (schemaVersion 1)', lintOutputSchema),
    'cases.schema.json': jsonSchema('cases.schema.json', 'mtls-conformance cases --json', casesOutputSchema),
    'serve.schema.json': {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: `${SCHEMA_BASE}serve.schema.json`,
      title: 'mtls-conformance serve --json: one JSON document per line, the servers first, then one per connection',
      oneOf: [z.toJSONSchema(serveServersSchema, { target: 'draft-2020-12', io: 'output' }), z.toJSONSchema(serveConnectionSchema, { target: 'draft-2020-12', io: 'output' })].map(
        ({ $schema: _s, ...rest }) => rest,
      ),
    },
  };
}

// Compile-time: what each producer writes fits its schema (a field renamed on one side fails tsc).
// Open objects carry an index signature, which an interface never satisfies: compare known keys.
type Known<T> = T extends (infer U)[] ? Known<U>[] : T extends object ? { [K in keyof T as string extends K ? never : K]: Known<T[K]> } : T;
type Fits<T, Schema extends z.ZodType> = Known<T> extends Known<z.output<Schema>> ? true : never;
const _fits: [Fits<Manifest, typeof manifestSchema>, Fits<LintReport, typeof lintOutputSchema>, Fits<MatrixConnection & { event: 'connection' }, typeof serveConnectionSchema>] = [true, true, true];
void _fits;
