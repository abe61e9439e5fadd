import { defineProject } from 'vitest/config';

// Unit tests of the orchestrator (pure traffic schedule, flag parsing, process handling,
// control API). The whole system is exercised end to end by the Playwright suite in e2e/system.
export default defineProject({
  test: {
    name: 'system',
    environment: 'node',
    include: ['**/*.test.ts'],
    testTimeout: 30_000,
  },
});
