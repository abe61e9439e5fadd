import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'fake-gemini',
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
