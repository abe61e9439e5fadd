import { defineProject } from 'vitest/config';

// @firebase/rules-unit-testing suites for the project's firestore.rules, run against our
// emulator (or FIRESTORE_EMULATOR_HOST) exactly as a Firebase team would run them.
export default defineProject({
  test: {
    name: 'rules',
    environment: 'node',
    include: ['**/*.test.ts'],
    // Real SDK round trips on a shared, loaded machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
