import { spawn } from 'node:child_process';
import { paths } from '../paths.js';

/** The emulator's build script failed: its output says why. */
export class EmulatorBuildError extends Error {
  override readonly name = 'EmulatorBuildError';
  constructor(
    readonly exit: string,
    readonly output: string,
  ) {
    super(`building the Firestore emulator (node emulator/scripts/build.mjs) failed (${exit}):\n${output.trim().slice(-2000)}`);
  }
}

/**
 * Builds the emulator's CLI and library when dist/ is missing or older than the sources
 * (`emulator/scripts/build.mjs --if-stale --lib`: a few seconds; a few milliseconds when
 * fresh), so the system runs the built CLI of the code in this checkout.
 */
export function ensureEmulatorBuilt(timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [paths.emulatorBuild, '--if-stale', '--lib'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (err) => reject(new EmulatorBuildError(err.message, output)));
    child.on('close', (code, signal) => (code === 0 ? resolve() : reject(new EmulatorBuildError(signal ? `signal ${signal}` : `exit ${code}`, output))));
  });
}
