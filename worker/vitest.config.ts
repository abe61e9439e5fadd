import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'worker',
    environment: 'node',
    include: ['src/**/*.test.ts'],
    // Fake-clock tests step through many awaits: on a loaded 2-core CI machine some took
    // over vitest's default 5 s of real time while their logic was fine (a guard, not a target).
    testTimeout: 20_000,
    // One file at a time, after the projects that run two at once: many of these tests step
    // fake clocks with real async work between the steps, and with another file beside them
    // two of them (queue positions' write count, the fairness of a heavy and a light user)
    // failed once each in four runs; alone they had never failed.
    fileParallelism: false,
  },
});
