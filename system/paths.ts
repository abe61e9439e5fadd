import { fileURLToPath } from 'node:url';

/** Repository root (system/ sits directly below it). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const paths = {
  /** The built emulator CLI (emulator/dist/, see ensureEmulatorBuilt). */
  emulatorBin: fileURLToPath(new URL('../emulator/bin/fq-firestore-emulator.mjs', import.meta.url)),
  emulatorBuild: fileURLToPath(new URL('../emulator/scripts/build.mjs', import.meta.url)),
  /** The worker package's bin (runs its built worker/dist/cli.js with plain node, see WorkerFleet). */
  workerBin: fileURLToPath(new URL('../worker/bin/fq-worker.mjs', import.meta.url)),
  workerBuild: fileURLToPath(new URL('../worker/scripts/build.mjs', import.meta.url)),
  /** The fake Gemini package's bin (runs its built fake-gemini/dist/cli.js, see startGemini). */
  fakeGeminiBin: fileURLToPath(new URL('../fake-gemini/bin/fq-fake-gemini.mjs', import.meta.url)),
  fakeGeminiBuild: fileURLToPath(new URL('../fake-gemini/scripts/build.mjs', import.meta.url)),
  dashboardServer: fileURLToPath(new URL('./dashboard/serve.ts', import.meta.url)),
  seedAccounts: fileURLToPath(new URL('./auth/seed-cli.ts', import.meta.url)),
  firebaseCli: fileURLToPath(new URL('../node_modules/firebase-tools/lib/bin/firebase.js', import.meta.url)),
  rules: fileURLToPath(new URL('../firestore.rules', import.meta.url)),
  firebaseJson: fileURLToPath(new URL('../firebase.json', import.meta.url)),
};

/** `node --import tsx <script>`: one process per child, so signals reach the program itself. */
export function tsxArgs(script: string, args: readonly string[]): string[] {
  return ['--import', 'tsx', script, ...args];
}
