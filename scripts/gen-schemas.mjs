// Build step: write schemas/*.json from the zod schemas (run after tsc). A test fails if they drift.
// report.json and the profile format (report-schema.ts); manifest.json and the --json outputs of
// lint, cases and serve (output-schemas.ts); index.json (many/index-report.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { jsonSchemas } from '../dist/harness/report/report-schema.js';
import { indexJsonSchemas } from '../dist/harness/many/index-report.js';
import { outputJsonSchemas } from '../dist/harness/report/output-schemas.js';
const dir = new URL('../schemas/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries({ ...jsonSchemas(), ...indexJsonSchemas(), ...outputJsonSchemas() })) writeFileSync(new URL(name, dir), JSON.stringify(schema, null, 2) + '\n');
