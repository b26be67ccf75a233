import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseTargetsFile } from './targets-file.js';
import { targetDirNames, targetSlug } from './target-dir.js';
import { shardOf } from './shard.js';

describe('target directories', () => {
  test('named from the target: readable slug, then a short hash', () => {
    expect(targetSlug('https://Vendor.example:8443/api?x=1')).toBe('vendor.example-8443-api-x-1');
    expect(targetSlug('builtin:strict')).toBe('builtin-strict');
    expect(targetSlug("node client.js --url {url} && rm -rf '/'")).toBe('node-client.js-url-url-rm-rf');
    expect(targetSlug('../../..')).toBe('target');
    expect(targetSlug('x'.repeat(100))).toHaveLength(40);
    const [a] = targetDirNames(parseTargetsFile('/t.txt', 'https://vendor.example:8443\n'));
    expect(a).toMatch(/^vendor.example-8443-[0-9a-f]{8}$/);
  });

  test('unique in the whole file, and the same in every shard of it', () => {
    const file = parseTargetsFile('/t.yaml', ['- builtin:strict', '- builtin:lenient', '- builtin:strict', '- target: builtin:strict', '  profile: modern', '- client: node c.js {url}'].join('\n'));
    const names = targetDirNames(file);
    expect(new Set(names).size).toBe(names.length);
    // The same target twice: the second copy gets -2; another profile is another hash.
    expect(names[2]).toBe(`${names[0]}-2`);
    expect(names[3]).not.toContain(names[0]!.slice(-8));
    // Stable: the file read again (as every CI job reads it) names every entry alike.
    expect(targetDirNames(parseTargetsFile('/elsewhere/t.yaml', ['- builtin:strict', '- builtin:lenient', '- builtin:strict', '- target: builtin:strict', '  profile: modern', '- client: node c.js {url}'].join('\n')))).toEqual(names);
    const named = file.map((e, i) => ({ ...e, dir: names[i]! }));
    const shards = [1, 2, 3].map((index) => shardOf(named, { index, count: 3, from: '' }).map((e) => e.dir));
    expect(shards.flat().sort()).toEqual([...names].sort());
  });

  test('a profile file beside the targets file names the same directory in any checkout', () => {
    const text = ['- target: https://vendor.example:8443', '  profile: ./partner.yaml'].join('\n');
    // Two checkouts of one repository in different places (two CI runners).
    const here = parseTargetsFile(join(tmpdir(), 'checkout-a', 't.yaml'), text);
    const there = parseTargetsFile(join(tmpdir(), 'checkout-b', 'nested', 't.yaml'), text);
    expect(here[0]!.profile).not.toBe(there[0]!.profile);
    expect(targetDirNames(here)).toEqual(targetDirNames(there));
  });
});
