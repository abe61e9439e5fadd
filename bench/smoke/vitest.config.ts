import { defineProject } from 'vitest/config';

// Short smoke runs of bench, chaos and fuzz on real processes. One file at a time: each
// starts its own emulator, fake Gemini and worker processes, and two of them side by side
// would share 2 cores with each other's timing-sensitive fleets.
export default defineProject({
  test: {
    name: 'bench-smoke',
    environment: 'node',
    include: ['*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
