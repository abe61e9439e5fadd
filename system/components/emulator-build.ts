import { paths } from '../paths.js';
import { ensurePackageBuilt } from './package-build.js';

/**
 * Builds the emulator's CLI and library when dist/ is missing or older than the sources
 * (`emulator/scripts/build.mjs --if-stale --lib`), so the system runs the built CLI of the
 * code in this checkout. Fails with a PackageBuildError.
 */
export function ensureEmulatorBuilt(timeoutMs: number): Promise<void> {
  return ensurePackageBuilt('the Firestore emulator', paths.emulatorBuild, ['--lib'], timeoutMs);
}
