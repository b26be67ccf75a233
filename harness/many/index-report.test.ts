import { lstatSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import { buildIndex, indexHtml, indexJsonSchemas, indexMarkdown, writeIndex, type IndexEntry } from './index-report.js';

const row = (target: string, error?: string): IndexEntry => ({
  target,
  profile: 'intermediate',
  reportDir: 'dir-1',
  exitCode: error ? 3 : 0,
  verdict: error ? 'could-not-run' : 'conformant',
  pass: 1,
  fail: 0,
  inconclusive: 0,
  skip: 0,
  ...(error ? { error } : {}),
});

const hostile = [
  row('https://a.example/<script>alert(1)</script>'),
  row('https://b.example/<img src=x onerror=alert(1)>'),
  row('https://c.example/x | forged | conformant |\n| https://evil | intermediate | conformant | 9 | 0 | 0 |', 'line one\n| injected | row |'),
];

describe('index.md and index.html', () => {
  test('a target or an error line cannot add a row, HTML or a link to index.md', () => {
    const md = indexMarkdown(buildIndex(hostile));
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    // The header and three targets: nothing forged.
    expect(rows).toHaveLength(4);
    expect(md).not.toMatch(/<script|<img/);
    for (const r of rows.slice(1)) expect(r.replace(/\\\|/g, '').split('|')).toHaveLength(10);
  });

  test('index.html escapes every value; links are relative paths that cannot be a scheme', () => {
    const html = indexHtml(buildIndex([...hostile, { ...row('https://d.example'), reportDir: 'javascript:alert(1)' }]));
    expect(html).not.toMatch(/<script>|<img /);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('href="./javascript%3Aalert(1)/report.html"');
    expect(html).toContain('href="./dir-1/report.html"');
    expect(html).toContain("default-src 'none'");
  });
});

describe('schemas/index.schema.json', () => {
  test('is the one generated from the zod schema, and validates an index', () => {
    const shipped = JSON.parse(readFileSync(fileURLToPath(new URL('../../schemas/index.schema.json', import.meta.url)), 'utf8'));
    expect(shipped).toEqual(indexJsonSchemas()['index.schema.json']);
    const validate = new Ajv2020({ strict: false }).compile(shipped);
    expect(validate(JSON.parse(JSON.stringify(buildIndex(hostile))))).toBe(true);
    expect(validate({ ...buildIndex(hostile), schemaVersion: 2 })).toBe(false);
  });
});

describe('writeIndex', () => {
  test('a symbolic link named index.json, index.md, index.html or junit.xml is replaced, never written through', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'mtls-outside-'));
    const dir = mkdtempSync(join(tmpdir(), 'mtls-index-'));
    const names = ['index.json', 'index.md', 'index.html', 'junit.xml'];
    for (const name of names) {
      writeFileSync(join(outside, name), `precious ${name}\n`);
      symlinkSync(join(outside, name), join(dir, name));
    }
    const entry = row('https://a.example');
    await writeIndex(dir, buildIndex([entry]), [{ entry, dir: join(dir, 'dir-1'), report: null }]);
    for (const name of names) {
      expect(readFileSync(join(outside, name), 'utf8'), name).toBe(`precious ${name}\n`);
      expect(lstatSync(join(dir, name)).isFile(), name).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).targets[0].target).toBe('https://a.example');
    expect(readdirSync(dir).sort()).toEqual([...names].sort());
  });
});
