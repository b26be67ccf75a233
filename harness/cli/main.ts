#!/usr/bin/env node
// Entry point: kept free of imports so an unsupported Node gets one clear line, not a crash
// inside a dependency (vitest and commander need Node 22.12+).
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (!((major === 22 && minor >= 12) || major >= 24)) {
  process.stderr.write(
    `error: mtls-conformance needs Node 22.12+ or 24 (LTS); this is Node ${process.versions.node}. Install Node 24, or run it with: npx -p node@24 -p mtls-conformance conformance ...\n`,
  );
  process.exit(2);
}
const { main } = await import('./cli.js');
await main(process.argv);
