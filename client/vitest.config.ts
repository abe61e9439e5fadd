import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'client',
    // The core runs in any JS environment; the React layer's tests need a DOM.
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
