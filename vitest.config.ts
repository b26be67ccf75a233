import { defineConfig } from 'vitest/config';

// The project's own tests. The conformance suites in suites/ are not tests of this project:
// the CLI runs them against a target through vitest's Node API.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'certs/**/*.test.ts', 'harness/**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**', 'suites/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real servers and CLI child processes; two cores, so keep it modest.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default', ['junit', { outputFile: 'test-results/junit.xml' }]] : ['default'],
  },
});
