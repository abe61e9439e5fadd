import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'worker',
    environment: 'node',
    include: ['src/**/*.test.ts'],
    // Fake-clock tests step through many awaits: on a loaded 2-core CI machine some took
    // over vitest's default 5 s of real time while their logic was fine (a guard, not a target).
    testTimeout: 20_000,
  },
});
