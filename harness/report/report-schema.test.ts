import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import { describe, expect, test } from 'vitest';
import { jsonSchemas, reportSchema } from './report-schema.js';
import { buildReport } from './report.js';
import { resolveCases } from '../cases/resolve.js';
import { loadProfile } from '../profile/load.js';

const ROOT = new URL('../../', import.meta.url);
const read = (rel: string) => readFileSync(new URL(rel, ROOT), 'utf8');
const ajv = new Ajv2020({ strict: false, allErrors: true });

describe('JSON Schemas shipped in schemas/', () => {
  test('are the ones generated from the zod schemas (run "npm run build" to refresh)', () => {
    for (const [name, schema] of Object.entries(jsonSchemas())) {
      expect(JSON.parse(read(`schemas/${name}`)), name).toEqual(schema);
    }
  });

  test('every built-in and example profile validates against profile.schema.json', () => {
    const validate = ajv.compile(JSON.parse(read('schemas/profile.schema.json')));
    const files = [...readdirSync(new URL('profiles/', ROOT)).map((f) => `profiles/${f}`), ...readdirSync(new URL('examples/profiles/', ROOT)).map((f) => `examples/profiles/${f}`)];
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const ok = validate(parseYaml(read(f)));
      expect(ok, `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    // and it catches what the loader catches: an unknown field, a wrong type
    expect(validate({ name: 'x', tls: { versionz: ['TLSv1.2'] } })).toBe(false);
    expect(validate({ name: 'x', tls: { versions: 'TLSv1.2' } })).toBe(false);
  });

  test('a report built from real cases validates against report.schema.json and reportSchema', () => {
    const loaded = loadProfile('intermediate');
    const cases = resolveCases(loaded.profile, 'server');
    const report = buildReport({
      target: { kind: 'url', url: 'https://127.0.0.1:8443' },
      profile: { name: loaded.profile.name, sha256: loaded.sha256, source: loaded.source },
      startedAt: new Date(),
      durationMs: 10,
      results: cases.map((c, i) => ({
        case: c,
        observation: i % 3 === 0 ? null : { outcome: 'handshake-alert', alert: { code: 45, name: 'certificate_expired' }, httpStatus: null, tlsVersion: 'TLSv1.3', cipher: null, detail: 'alert', durationMs: 3, alpn: 'h2' },
        verdict: { verdict: i % 2 ? 'pass' : 'fail', reason: 'r' },
      })),
    });
    const json = JSON.parse(JSON.stringify(report));
    const validate = ajv.compile(JSON.parse(read('schemas/report.schema.json')));
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(reportSchema.safeParse(json).success).toBe(true);
    expect(validate({ ...json, schemaVersion: 2 })).toBe(false);
    expect(validate({ ...json, results: [{ ...json.results[0], verdict: 'passed' }] })).toBe(false);
  });
});
