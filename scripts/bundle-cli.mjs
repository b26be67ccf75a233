// Build step after tsc: the CLI as one bundle, dist/cli/conformance.js (the package's bin), plus
// the chunks its lazy imports load. Node resolves and links an ES module graph file by file: a run
// loads about 240 modules, and the resolving, stat-ing and linking of them was about a tenth of a
// default run's wall time. The library (`import 'mtls-conformance'`, the vitest embedding) stays
// the unbundled dist/harness/ tree; only the command line is bundled.
//
// What stays outside the bundle: node: built-ins, the optional peers (testcontainers, vitest) that
// the user may not have, @peculiar/x509 with its polyfill (below), and what a module loads with createRequire (read at run time from the
// package's own node_modules, so it must stay a dependency). Every dependency the bundle copies in
// is listed with its licence text in dist/cli/THIRD-PARTY-LICENSES.md.
import { chmodSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist', 'cli');
const ENTRY = join(ROOT, 'dist', 'harness', 'cli', 'main.js');
const OPTIONAL_PEERS = ['testcontainers', 'vitest'];
// @peculiar/x509 needs the Reflect polyfill installed before tsyringe loads; bundled, the two
// CommonJS and ES module inits no longer keep that order. They load only to generate or lint
// certificates (cold paths), so they stay ordinary dependencies, loaded from node_modules.
const KEPT_OUT = ['@peculiar/x509', 'tsyringe', 'reflect-metadata'];

rmSync(OUT, { recursive: true, force: true });
const result = await build({
  input: { conformance: ENTRY },
  platform: 'node',
  external: [/^node:/, ...[...OPTIONAL_PEERS, ...KEPT_OUT].map((p) => new RegExp(`^${p.replace('/', '\\/')}(/|$)`))],
  logLevel: 'warn',
  output: { dir: OUT, format: 'esm', chunkFileNames: 'chunk-[hash].js', comments: { legal: true } },
});

// The packages whose code went into the bundle, for their licence notices.
const packages = new Map();
for (const chunk of result.output) {
  for (const id of chunk.type === 'chunk' ? chunk.moduleIds : []) {
    const at = id.lastIndexOf(`${sep}node_modules${sep}`);
    if (at === -1) continue;
    let dir = id.slice(0, at + 14);
    const rest = id.slice(at + 14).split(sep);
    dir = join(dir, ...(rest[0].startsWith('@') ? rest.slice(0, 2) : rest.slice(0, 1)));
    if (packages.has(dir)) continue;
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const licenceFile = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    packages.set(dir, { name: pkg.name, version: pkg.version, license: pkg.license ?? 'see text', text: licenceFile ? readFileSync(join(dir, licenceFile), 'utf8').trim() : undefined });
  }
}
const sorted = [...packages.values()].sort((a, b) => a.name.localeCompare(b.name));
const missing = sorted.filter((p) => !p.text);
if (missing.length > 0) throw new Error(`bundle-cli: no licence file in ${missing.map((p) => p.name).join(', ')}`);
writeFileSync(
  join(OUT, 'THIRD-PARTY-LICENSES.md'),
  [
    '# Third-party code in dist/cli/',
    '',
    'The command-line bundle includes code from these packages, each under its own licence:',
    '',
    ...sorted.flatMap((p) => [`## ${p.name} ${p.version} (${p.license})`, '', '```', p.text, '```', '']),
  ].join('\n'),
);

const bin = join(OUT, 'conformance.js');
if (!existsSync(bin) || !readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node')) throw new Error('bundle-cli: dist/cli/conformance.js is missing its #! line');
// npm sets the mode on install; a checkout runs it directly. The unbundled entry stays runnable
// too: npx's cache in a checkout keeps a bin link made before the bin moved (dist/harness/cli/main.js).
chmodSync(bin, 0o755);
chmodSync(ENTRY, 0o755);
console.error(`bundle-cli: ${dirname(bin)}: ${result.output.length} files, ${sorted.length} bundled packages`);
