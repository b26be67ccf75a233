import { defineConfig } from 'vitest/config';

// The project's own tests, in two projects: `unit` (beside the code, no real peers, fast) and
// `integration` (test/**: the CLI as a child process against real servers). `npm test` runs both;
// `npm run test:unit` / `npm run test:integration` one each. The conformance suites in suites/ are
// not tests of this project: the CLI runs them against a target through vitest's Node API.
const exclude = ['dist/**', 'node_modules/**', 'suites/**'];

export default defineConfig({
  test: {
    // Integration tests start real servers and CLI child processes; two cores, so keep it modest.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default', ['junit', { outputFile: 'test-results/junit.xml' }]] : ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['harness/**/*.test.ts', 'certs/**/*.test.ts'], exclude, testTimeout: 60_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['test/**/*.test.ts'], exclude, testTimeout: 60_000, hookTimeout: 60_000 },
      },
    ],
  },
});
