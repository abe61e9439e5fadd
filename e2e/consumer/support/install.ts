import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { extractTarball, packageProblems, satisfies, type PackageManifest, type PackedPackage } from '../../../scripts/pack-packages.mjs';

/** Installing one package into the scratch project went wrong; names the package and what. */
export class ConsumerInstallError extends Error {
  override readonly name = 'ConsumerInstallError';
  constructor(
    readonly packageName: string,
    readonly problems: readonly string[],
  ) {
    super(`${packageName} does not install cleanly:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export interface InstalledPackage {
  name: string;
  dir: string;
  manifest: PackageManifest;
  /** bin name -> its link in node_modules/.bin */
  bins: Record<string, string>;
}

/** Entries of the repository's node_modules that are not third-party packages. */
const NOT_PACKAGES = new Set(['.bin', '.cache', '.package-lock.json', '.vite', '.vite-temp', '@fq']);

/**
 * Gives the scratch project the repository's third-party packages without downloading
 * anything: one symlink per entry of its node_modules (a whole scope at once), never the
 * workspace packages (`@fq`), which come from their tarballs.
 */
export function linkThirdPartyPackages(repoRoot: string, scratch: string): void {
  const from = join(repoRoot, 'node_modules');
  const to = join(scratch, 'node_modules');
  mkdirSync(join(to, '.bin'), { recursive: true });
  for (const entry of readdirSync(from)) {
    if (NOT_PACKAGES.has(entry)) continue;
    symlinkSync(join(from, entry), join(to, entry), 'dir');
  }
}

/** The copy of `dep` the workspace package in `workspaceDir` runs with: its own nested one, else the hoisted one. */
function workspaceCopy(repoRoot: string, workspaceDir: string, dep: string): string | null {
  for (const candidate of [join(workspaceDir, 'node_modules', dep), join(repoRoot, 'node_modules', dep)]) {
    if (existsSync(join(candidate, 'package.json'))) return candidate;
  }
  return null;
}

/** Where Node finds `dep` from a file in `dir`: the nearest node_modules/<dep> upwards. */
function resolvePackageDir(dir: string, dep: string): string | null {
  for (let current = dir; ; current = dirname(current)) {
    const candidate = join(current, 'node_modules', dep);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(current) === current) return null;
  }
}

/**
 * Installs one packed package as npm would (minus the download and the scripts): extracts
 * the tarball into node_modules/<name>, checks its files (scripts/pack-packages.mjs), gives
 * it the version of each dependency the workspace ran with (nested, as npm would, where that
 * is not the hoisted one), checks that every dependency and peer dependency resolves from
 * its directory at a version its range accepts, and links its bins into node_modules/.bin.
 */
export function installPackedPackage(repoRoot: string, scratch: string, packed: PackedPackage): InstalledPackage {
  const dir = join(scratch, 'node_modules', packed.name);
  extractTarball(packed.name, packed.tarball, dir);
  const problems = packageProblems(dir, repoRoot);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest;

  const wanted = { ...manifest.dependencies, ...manifest.peerDependencies };
  for (const [dep, range] of Object.entries(wanted)) {
    const source = workspaceCopy(repoRoot, packed.dir, dep);
    if (!source) {
      problems.push(`${dep}@${range} is not installed in the repository, so the scratch project cannot have it`);
      continue;
    }
    if (!source.startsWith(join(repoRoot, 'node_modules'))) {
      mkdirSync(dirname(join(dir, 'node_modules', dep)), { recursive: true });
      symlinkSync(source, join(dir, 'node_modules', dep), 'dir');
    }
    const resolved = resolvePackageDir(dir, dep);
    if (!resolved) {
      problems.push(`${dep} does not resolve from ${relative(scratch, dir)}`);
      continue;
    }
    const { version } = JSON.parse(readFileSync(join(resolved, 'package.json'), 'utf8')) as { version: string };
    const verdict = satisfies(version, range);
    if (verdict !== true) problems.push(`${dep} resolves to ${version}, ${verdict === false ? 'outside' : `and cannot judge (${verdict})`} the declared ${range}`);
  }

  const bins: Record<string, string> = {};
  const declaredBins = typeof manifest.bin === 'string' ? { [manifest.name.replace(/^@[^/]+\//, '')]: manifest.bin } : (manifest.bin ?? {});
  for (const [bin, target] of Object.entries(declaredBins)) {
    const file = join(dir, target);
    if (!existsSync(file)) continue; // packageProblems names it
    chmodSync(file, 0o755); // npm install makes bins executable; tarballs need not be
    const link = join(scratch, 'node_modules', '.bin', bin);
    symlinkSync(relative(dirname(link), file), link);
    bins[bin] = link;
  }
  if (problems.length > 0) throw new ConsumerInstallError(packed.name, problems);
  return { name: packed.name, dir, manifest, bins };
}

/** Copies the app template into the scratch directory (its node_modules are made separately). */
export function copyApp(template: string, scratch: string): void {
  cpSync(template, scratch, { recursive: true, filter: (src) => !lstatSync(src).isSymbolicLink() && !/[\\/](node_modules|dist)$/.test(src) });
}
