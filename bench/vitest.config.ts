import { defineProject } from 'vitest/config';

// The bench harness's unit tests of its pure parts (statistics, audit, schedules, fuzz
// generators). They run in parallel with everything else; the smoke runs on real processes
// are their own project (bench/smoke/vitest.config.ts), one file at a time.
export default defineProject({
  test: {
    name: 'bench',
    environment: 'node',
    include: ['**/*.test.ts'],
    exclude: ['results/**', 'node_modules/**', 'smoke/**'],
  },
});
