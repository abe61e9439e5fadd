// Types of pack-packages.mjs (plain JavaScript: scripts/check-packages.mjs runs it with node).

export interface PackageManifest {
  name: string;
  version: string;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

export interface WorkspacePackage {
  name: string;
  /** Absolute path of the workspace directory. */
  dir: string;
  manifest: PackageManifest;
}

export interface PackedPackage {
  name: string;
  dir: string;
  /** Absolute path of the .tgz. */
  tarball: string;
  /** Bytes of the .tgz. */
  size: number;
  unpackedSize: number;
  /** Paths inside the package, sorted. */
  files: string[];
  /** How long `npm pack` took, its prepack build included. */
  ms: number;
}

export class PackageStepError extends Error {
  constructor(packageName: string, command: string, detail: string);
  readonly packageName: string;
  readonly command: string;
}

export function workspacePackages(root: string): WorkspacePackage[];
export function packPackage(root: string, pkg: WorkspacePackage, dest: string): PackedPackage;
export function packAll(root: string, dest: string): PackedPackage[];
export function extractTarball(packageName: string, tarball: string, dir: string): void;
export function packageNameOf(specifier: string): string;
export function packageImports(dir: string): { file: string; specifier: string }[];
export function packageProblems(dir: string, repoRoot: string): string[];
/** Exact pins, caret ranges and `||`; a string names what it cannot judge. */
export function satisfies(version: string, range: string): boolean | string;
