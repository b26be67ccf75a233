// Build step: write schemas/*.json from the zod schemas (run after tsc). A test fails if they drift.
import { mkdirSync, writeFileSync } from 'node:fs';
import { jsonSchemas } from '../dist/harness/report/report-schema.js';
import { indexJsonSchemas } from '../dist/harness/many/index-report.js';
const dir = new URL('../schemas/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries({ ...jsonSchemas(), ...indexJsonSchemas() })) writeFileSync(new URL(name, dir), JSON.stringify(schema, null, 2) + '\n');
