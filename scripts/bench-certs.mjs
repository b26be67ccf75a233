#!/usr/bin/env node
// Certificate generation cost for the deep corpus (issue 16): N certificates through
// generateSet, one process, sequential, in two mixes:
//
//   p256   1 root, 9 intermediates, the rest EC P-256 leaves (what most corpus cases are)
//   mix    the same with the algorithm family's share of P-384, Ed25519 and RSA 2048/3072/4096
//
// Prints figures; it is not a test. Usage: npm run build && node scripts/bench-certs.mjs [--count N] [--runs N]

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/certs/', import.meta.url));
if (!existsSync(`${dist}generate-set.js`)) {
  console.error('error: dist/certs/generate-set.js is missing. Run `npm run build` first.');
  process.exit(2);
}
const { generateSet } = await import(`${dist}generate-set.js`);
const { caSpec, specOf } = await import(`${dist}spec.js`);

const arg = (name, fallback, min) => {
  const i = process.argv.indexOf(name);
  const n = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(n) || n < min) {
    console.error(`error: ${name} "${process.argv[i + 1]}" is not a whole number >= ${min}. Example: ${name} ${fallback}`);
    process.exit(2);
  }
  return n;
};
const count = arg('--count', 700, 20);
const runs = Math.min(arg('--runs', 3, 1), 20);

function specs(mix) {
  const out = [caSpec({ name: 'root', issuer: 'self', subject: 'CN=bench root' })];
  for (let i = 0; i < 9; i++) out.push(caSpec({ name: `ica${i}`, issuer: 'root', subject: `CN=bench intermediate ${i}` }));
  const leaves = count - out.length;
  const special = mix === 'mix' ? ['ec-p384', 'ec-p384', 'ed25519', 'ed25519', 'rsa-2048', 'rsa-2048', 'rsa-3072', 'rsa-4096'] : [];
  for (let i = 0; i < leaves; i++) {
    // About 6 % of leaves are not P-256 in the mix (the algorithm family's share), spread evenly.
    const key = special.length && i % 16 === 0 ? special[(i / 16) % special.length] : 'ec-p256';
    out.push(specOf({ name: `leaf${i}`, issuer: `ica${i % 9}`, subject: `CN=bench leaf ${i}`, key, sans: [{ type: 'dns', value: `l${i}.mtls-conformance.localhost` }] }));
  }
  return out;
}

console.log(`node ${process.version}, ${count} certificates per run, ${runs} runs after one discarded run`);
for (const mix of ['p256', 'mix']) {
  const set = specs(mix);
  await generateSet(set);
  const times = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await generateSet(set);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`${mix.padEnd(5)} median ${Math.round(median)} ms (min ${Math.round(times[0])}, max ${Math.round(times.at(-1))}), ${(median / count).toFixed(2)} ms per certificate`);
}
