import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'emulator',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Integration tests drive real SDKs over gRPC on a shared, loaded machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
