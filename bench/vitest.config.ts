import { defineProject } from 'vitest/config';

// The bench harness: unit tests of its pure parts (statistics, audit, schedules, fuzz
// generators) and short smoke runs of bench, chaos and fuzz on real processes. Smoke files
// run one at a time: each starts its own emulator, fake Gemini and worker processes.
export default defineProject({
  test: {
    name: 'bench',
    environment: 'node',
    include: ['**/*.test.ts'],
    exclude: ['results/**', 'node_modules/**'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
