// Build step after tsc: make the CLI entry executable (npm does this on install, not in a checkout).
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/harness/cli/main.js', import.meta.url), 0o755);
