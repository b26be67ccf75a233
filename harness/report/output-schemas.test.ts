import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { outputJsonSchemas } from './output-schemas.js';

describe('schemas/ for manifest.json and the --json outputs', () => {
  test('are the ones generated from the zod schemas (run "npm run build" to refresh)', () => {
    const schemas = outputJsonSchemas();
    expect(Object.keys(schemas).sort()).toEqual(['cases.schema.json', 'lint.schema.json', 'manifest.schema.json', 'serve.schema.json']);
    for (const [name, schema] of Object.entries(schemas)) {
      expect(JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8')), name).toEqual(schema);
    }
  });
});
