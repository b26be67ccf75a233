import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseTargetsFile } from './targets-file.js';

// Parsing reads no file: any directory serves; the profile paths must come out next to it.
const dir = join(tmpdir(), 'ci');
const path = join(dir, 'targets.yaml');
const fails = (text: string) => {
  try {
    parseTargetsFile(path, text);
  } catch (err) {
    return (err as Error & { exitCode?: number }).message;
  }
  throw new Error('parsed without error');
};

describe('parseTargetsFile: lines', () => {
  test('one URL per line, comments and blank lines skipped, each entry knows its line', () => {
    const entries = parseTargetsFile(path, '# partners\nhttps://a.example:8443  # A\n\ntls://127.0.0.1:5671\r\nbuiltin:strict\n');
    expect(entries).toEqual([
      { target: 'https://a.example:8443', kind: 'url', where: 'line 2' },
      { target: 'tls://127.0.0.1:5671', kind: 'url', where: 'line 4' },
      { target: 'builtin:strict', kind: 'url', where: 'line 5' },
    ]);
  });

  test('a line that is not a URL is never a command: refused, naming the line', () => {
    expect(fails('https://a.example\nnode client.js\n')).toMatch(new RegExp(`^error: --targets-file ${JSON.stringify(path).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} line 2: "node client.js" is not a target URL`));
  });

  test('an empty file lists no target', () => {
    expect(fails('# nothing yet\n\n')).toContain('lists no target');
  });

  test('more than 1000 targets is refused with what to do', () => {
    expect(fails(Array.from({ length: 1001 }, () => 'builtin:strict').join('\n'))).toContain('lists 1001 targets; at most 1000');
  });
});

describe('parseTargetsFile: a YAML list', () => {
  test('target and client entries with profiles and args; a profile path is resolved next to the file, a name is kept', () => {
    const entries = parseTargetsFile(
      path,
      ['- target: https://a.example:8443', '  profile: ./partner-a.yaml', '- client: "node my-client.js {url}"', '  args: ["--timeout", "10s"]', '  profile: modern', '- builtin:lenient'].join('\n'),
    );
    expect(entries).toEqual([
      { target: 'https://a.example:8443', kind: 'url', profile: join(dir, 'partner-a.yaml'), profileWritten: './partner-a.yaml', where: 'line 1 (entry 1)' },
      { target: 'node my-client.js {url}', kind: 'client', profile: 'modern', args: ['--timeout', '10s'], where: 'line 3 (entry 2)' },
      { target: 'builtin:lenient', kind: 'url', where: 'line 6 (entry 3)' },
    ]);
  });

  test.each([
    ['- target: builtin:strict\n  client: node x.js\n', 'line 1 (entry 1): has both "target:" and "client:"'],
    ['- target: builtin:strict\n- profile: modern\n', 'line 2 (entry 2): has no "target:"'],
    ['- target: builtin:strict\n  color: red\n', 'unknown field "color"'],
    ['- target: "node client.js"\n', '"node client.js" is not a target URL'],
    ['- target: builtin:strict\n  args: "--only x"\n', '"args" must be a list of strings'],
    ['- target: builtin:strict\n  args: ["--onyl", "x"]\n', '"args": "--onyl" is not a flag of "conformance run"'],
    ['- target: builtin:strict\n  args: ["--timeout", "soon"]\n', '"args": --timeout "soon" must be a positive duration up to 600s'],
    ['- target: builtin:strict\n  args: ["--report-dir", "elsewhere"]\n', '"args" may not carry "--report-dir"'],
    ['- target: builtin:strict\n  args: ["--target-image=x"]\n', '"args" may not carry "--target-image"'],
    ['- target: builtin:strict\n  args: ["--shard", "1/2"]\n', '"args" may not carry "--shard"'],
    ['- target: builtin:strict\n  - nested\n', 'not valid YAML'],
    ['target: builtin:strict\n- x\n', 'not valid YAML'],
  ])('%j is refused: %s', (text, fragment) => {
    const message = fails(text);
    expect(message).toContain(fragment);
    expect(message.split('\n')).toHaveLength(1);
  });
});
