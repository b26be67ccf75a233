#!/usr/bin/env node
// Entry point: kept free of imports so an unsupported Node gets one clear line, not a crash
// inside a dependency (commander needs Node 22.12+).
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
// package.json engines: >=22.12.0, the floor commander and the other dependencies declare.
if (!((major === 22 && minor >= 12) || major > 22)) {
  process.stderr.write(
    `error: mtls-conformance needs Node 22.12+ or 24 (LTS); this is Node ${process.versions.node}. Install Node 24, or run it with: npx -p node@24 -p mtls-conformance conformance ...\n`,
  );
  process.exit(2);
}
// `conformance --version` answers before any dependency loads (a CI step may call it per job).
if (process.argv.length === 3 && (process.argv[2] === '--version' || process.argv[2] === '-v')) {
  const { readFileSync } = await import('node:fs');
  // Two levels up from the bundle (dist/cli/conformance.js), three from dist/harness/cli/main.js.
  const up = import.meta.url.includes('/dist/cli/') ? '../../package.json' : '../../../package.json';
  const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(pkg.version + '\n');
  process.exit(0);
}
// V8's compile cache (Node 22.1+) roughly halves the import time of every later run.
const { enableCompileCache } = await import('node:module');
if (!process.env.NODE_DISABLE_COMPILE_CACHE) enableCompileCache?.();
// A closed stdout or stderr (`conformance run | head -2`) ends the output, not the run: no EPIPE
// stack trace, and the exit code stays the one the run would have had.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED' || err.code === 'ERR_STREAM_WRITE_AFTER_END') return;
    process.exitCode = 3;
  });
}
// SIGTERM (CI's `timeout`) and Ctrl-C stop what the run started, bounded, then exit 128+signo.
const { installSignalHandlers, stopAll } = await import('../process/lifetime.js');
installSignalHandlers({
  onSignal: (signal) => {
    try {
      process.stderr.write(`conformance: ${signal} received: stopping what this run started, then exiting.\n`);
    } catch {
      // stderr closed: the exit code says it.
    }
  },
});
// Bugs only: one line, no stack (unless CONFORMANCE_DEBUG), and what the run started is stopped.
const fault = (err: unknown) => {
  const message = String((err as Error)?.message ?? err).split('\n')[0];
  try {
    process.stderr.write(`error: internal fault in mtls-conformance: ${message}. Please report it with the command you ran.\n`);
    if (process.env.CONFORMANCE_DEBUG) process.stderr.write(String((err as Error)?.stack) + '\n');
  } catch {
    // stderr is gone too; the exit code still says it.
  }
  void stopAll().finally(() => process.exit(3));
};
process.on('uncaughtException', fault);
process.on('unhandledRejection', fault);
const { main } = await import('./cli.js');
await main(process.argv);
