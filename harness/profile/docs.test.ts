import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { z } from 'zod';
import { profileSchema } from './schema.js';

// docs/profiles.md is written by hand; this keeps it from drifting: every field of the schema
// must be documented, and the docs must not name fields the schema does not have.
function fieldPaths(schema: z.ZodType, prefix = ''): string[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown> };
  const walk = (node: Record<string, unknown>, at: string): string[] => {
    const props = (node.properties ?? (node.anyOf as Record<string, unknown>[] | undefined)?.find((n) => n.properties)?.properties) as Record<string, Record<string, unknown>> | undefined;
    if (!props) return [];
    return Object.entries(props).flatMap(([k, v]) => {
      const path = at ? `${at}.${k}` : k;
      // Objects are documented through their fields; cases.severity / cases.waive are maps keyed
      // by case id, so they are leaves here.
      const nested = walk(v, path);
      return nested.length > 0 ? nested : [path];
    });
  };
  return walk(json as Record<string, unknown>, prefix);
}

test('every profile field is documented in docs/profiles.md', () => {
  const doc = readFileSync(new URL('../../docs/profiles.md', import.meta.url), 'utf8');
  const paths = fieldPaths(profileSchema).map((p) => p.replace(/^certificates\.(client|server)\./, 'certificates.<role>.'));
  const missing = [...new Set(paths)].filter((p) => {
    const role = p.startsWith('certificates.<role>.') ? p.slice('certificates.<role>.'.length) : null;
    return !doc.includes(`\`${p}\``) && !(role && (doc.includes(`\`certificates.client.${role}\``) || doc.includes(`\`certificates.server.${role}\``)));
  });
  expect(missing).toEqual([]);
  expect(paths.length).toBeGreaterThan(20);
});
