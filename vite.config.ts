import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

// One config for the dashboard build, its dev server and the vitest projects of every
// workspace, so `vitest run` at the root runs all unit and integration tests in one report.
export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: { port: 5173, strictPort: false },
  build: { target: 'es2022', sourcemap: true },
  test: {
    // Vitest's default for `run` is one worker less than the cores: one worker on our 2-core
    // machines, so every file ran after the other (15 min, mostly per-file start-up while the
    // second core idled). Two workers use both; the worker package's files and the bench
    // smoke runs go one at a time after them (fileParallelism: false in their configs).
    maxWorkers: 2,
    projects: [
      './worker',
      './client',
      './emulator',
      './fake-gemini',
      './tests/rules',
      './system',
      './bench',
      './bench/smoke',
      {
        extends: true,
        test: {
          name: 'dashboard',
          environment: 'happy-dom',
          include: ['src/**/*.test.{ts,tsx}'],
          setupFiles: ['./src/test/setup.ts'],
        },
      },
    ],
  },
});
