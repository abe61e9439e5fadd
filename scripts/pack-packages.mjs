// Packs the workspace packages the way a release would (`npm pack -w <name>`: each package's
// prepack builds its dist/ when stale) and reads what each tarball holds. Shared by
// scripts/check-packages.mjs (publint, attw) and the consumer test (e2e/consumer), which
// installs the tarballs into a scratch project. Node built-ins only.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize, relative, sep } from 'node:path';

/** A step on one package failed: which package, which command, and what it printed. */
export class PackageStepError extends Error {
  /**
   * @param {string} packageName
   * @param {string} command
   * @param {string} detail
   */
  constructor(packageName, command, detail) {
    super(`${packageName}: \`${command}\` failed\n${detail.trim()}`);
    this.name = 'PackageStepError';
    this.packageName = packageName;
    this.command = command;
  }
}

/**
 * The workspaces of the root package.json, as packages (name, directory, manifest).
 * @param {string} root
 * @returns {import('./pack-packages.d.mts').WorkspacePackage[]}
 */
export function workspacePackages(root) {
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return rootManifest.workspaces.map((/** @type {string} */ dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    return { name: manifest.name, dir: join(root, dir), manifest };
  });
}

/** `npm pack --json` output follows whatever the prepack scripts print: its array starts a line. */
function packJson(stdout) {
  const start = stdout.startsWith('[') ? 0 : stdout.lastIndexOf('\n[') + 1;
  if (start === 0 && !stdout.startsWith('[')) return null;
  try {
    return JSON.parse(stdout.slice(start));
  } catch {
    return null;
  }
}

/**
 * `npm pack -w <name>` into `dest/<short name>/`; throws PackageStepError with npm's output.
 * @param {string} root
 * @param {import('./pack-packages.d.mts').WorkspacePackage} pkg
 * @param {string} dest
 * @returns {import('./pack-packages.d.mts').PackedPackage}
 */
export function packPackage(root, pkg, dest) {
  const out = join(dest, pkg.name.replace(/^@[^/]+\//, ''));
  mkdirSync(out, { recursive: true });
  const args = ['pack', '-w', pkg.name, '--pack-destination', out, '--json'];
  const command = `npm ${args.join(' ')}`;
  const started = performance.now();
  const result = spawnSync('npm', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Math.round(performance.now() - started);
  const output = `${result.stderr ?? ''}\n${result.stdout ?? ''}`;
  if (result.error) throw new PackageStepError(pkg.name, command, result.error.message);
  if (result.status !== 0) throw new PackageStepError(pkg.name, command, `exit ${result.status}\n${output.slice(-4000)}`);
  const report = packJson(result.stdout)?.[0];
  if (!report) throw new PackageStepError(pkg.name, command, `no JSON report in its output\n${output.slice(-4000)}`);
  const tarball = join(out, report.filename);
  return {
    name: pkg.name,
    dir: pkg.dir,
    tarball,
    size: statSync(tarball).size,
    unpackedSize: report.unpackedSize,
    files: report.files.map((/** @type {{ path: string }} */ f) => f.path).sort(),
    ms,
  };
}

/**
 * Packs every workspace package, one after another (their builds share two cores).
 * @param {string} root
 * @param {string} dest
 */
export function packAll(root, dest) {
  return workspacePackages(root).map((pkg) => packPackage(root, pkg, dest));
}

/**
 * Extracts a tarball's `package/` into `dir` (what npm install does, minus the scripts).
 * @param {string} packageName
 * @param {string} tarball
 * @param {string} dir
 */
export function extractTarball(packageName, tarball, dir) {
  mkdirSync(dir, { recursive: true });
  const args = ['-xzf', tarball, '-C', dir, '--strip-components=1'];
  const result = spawnSync('tar', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new PackageStepError(packageName, `tar ${args.join(' ')}`, result.stderr || String(result.error));
}

// ---------- what the files of a package import ----------

/**
 * Packages that exist for tests and development; a package's files must not import them and
 * its manifest must not depend on them. The fake Gemini and the emulator are test tooling for
 * apps, shipped on their own; production packages (the worker, the client) must not reach them.
 */
const DEV_ONLY = [/^tsx$/, /^vitest$/, /^@vitest\//, /^@playwright\/test$/, /^playwright$/, /^fast-check$/, /^@testing-library\//, /^happy-dom$/, /^@firebase\/rules-unit-testing$/, /^esbuild$/, /^typescript$/];
const TEST_TOOLING_PACKAGES = ['@fq/fake-gemini', '@fq/emulator'];
const SCANNED = /\.(?:m|c)?js$|\.d\.(?:m|c)?ts$/;

// Static, side-effect, dynamic imports, re-exports, require() and type references. esbuild's
// output and tsc's declarations are regular enough for this; a specifier in a string that is
// not an import would only be a false alarm, which the report names by file.
const PATTERNS = [
  /(?:^|[\s;{}(),])(?:import|export)\s*(?:type\s+)?(?:[\w$*{][^"'`;]*?\s*)?from\s*(["'])([^"'\n]+)\1/gm,
  /(?:^|[\s;{}(),])import\s*(["'])([^"'\n]+)\1/gm,
  /\bimport\(\s*(["'])([^"'\n]+)\1\s*\)/g,
  /\brequire\(\s*(["'])([^"'\n]+)\1\s*\)/g,
  /\/\/\/\s*<reference\s+types=(["'])([^"'\n]+)\1/g,
];

/** @param {string} specifier */
export function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** @param {string} specifier */
function isBuiltin(specifier) {
  return specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]);
}

/** @param {string} dir @returns {string[]} paths relative to `dir`, with "/" */
function listFiles(dir) {
  /** @type {string[]} */
  const files = [];
  const walk = (/** @type {string} */ d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return files.sort();
}

/**
 * Every import of every JavaScript and declaration file of an extracted package.
 * @param {string} dir
 * @returns {{ file: string, specifier: string }[]}
 */
export function packageImports(dir) {
  const found = [];
  for (const file of listFiles(dir).filter((f) => SCANNED.test(f))) {
    const text = readFileSync(join(dir, file), 'utf8');
    const seen = new Set();
    for (const pattern of PATTERNS) {
      for (const match of text.matchAll(pattern)) {
        const specifier = match[2];
        if (seen.has(specifier)) continue;
        seen.add(specifier);
        found.push({ file, specifier });
      }
    }
  }
  return found;
}

/** The files a relative import of `from` may mean, in the order Node and TypeScript try them. */
function candidates(from, specifier) {
  const base = normalize(join(dirname(from), specifier)).split(sep).join('/');
  const list = [base];
  if (/\.d\.(?:m|c)?ts$/.test(from)) {
    list.push(base.replace(/\.(m|c)?js$/, '.d.$1ts'), `${base}.d.ts`, `${base}/index.d.ts`);
  }
  return list;
}

/**
 * What is wrong with an extracted package's files and manifest, as sentences naming the file:
 * imports of a path outside the package (the workspace) or of a file it lacks, of a package it
 * does not declare (dependencies, peerDependencies) or of development and test tooling, bins
 * without a Node shebang, and the repository's absolute path anywhere in its files.
 * @param {string} dir the extracted package
 * @param {string} repoRoot
 * @returns {string[]}
 */
export function packageProblems(dir, repoRoot) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const name = manifest.name;
  const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
  const files = new Set(listFiles(dir));
  const production = !TEST_TOOLING_PACKAGES.includes(name);
  const forbidden = (/** @type {string} */ pkg) => DEV_ONLY.some((re) => re.test(pkg)) || (production && TEST_TOOLING_PACKAGES.includes(pkg));
  /** @type {string[]} */
  const problems = [];

  for (const dep of declared) {
    if (forbidden(dep)) problems.push(`package.json declares ${dep}, which is development or test tooling`);
  }
  for (const { file, specifier } of packageImports(dir)) {
    if (isBuiltin(specifier)) continue;
    if (specifier.startsWith('/') || /^[A-Za-z]:[\\/]/.test(specifier)) {
      problems.push(`${file} imports an absolute path: ${specifier}`);
    } else if (specifier.startsWith('.')) {
      const options = candidates(file, specifier);
      if (options[0].startsWith('../')) problems.push(`${file} imports ${specifier}, outside the package (a workspace path)`);
      else if (!options.some((f) => files.has(f))) problems.push(`${file} imports ${specifier}, which the package does not contain`);
    } else {
      const pkg = packageNameOf(specifier);
      if (forbidden(pkg)) problems.push(`${file} imports ${specifier}, which is development or test tooling`);
      else if (pkg !== name && !declared.has(pkg)) problems.push(`${file} imports ${specifier}, but ${pkg} is not in dependencies or peerDependencies`);
    }
  }
  const bins = typeof manifest.bin === 'string' ? { [name]: manifest.bin } : (manifest.bin ?? {});
  for (const [bin, target] of Object.entries(bins)) {
    const path = normalize(target).split(sep).join('/');
    if (!files.has(path)) problems.push(`bin ${bin} is ${target}, which the package does not contain`);
    else if (!readFileSync(join(dir, path), 'utf8').startsWith('#!/usr/bin/env node')) problems.push(`bin ${bin} (${target}) does not start with #!/usr/bin/env node`);
  }
  // A build that writes the machine's paths (source maps, inlined __dirname) ships them.
  const needle = Buffer.from(repoRoot.endsWith(sep) ? repoRoot : `${repoRoot}${sep}`);
  for (const file of files) {
    if (readFileSync(join(dir, file)).includes(needle)) problems.push(`${file} contains the repository's path ${needle.toString()}`);
  }
  return problems;
}

// ---------- versions ----------

/**
 * Whether `version` is in `range`, for the part of npm's ranges our manifests use: an exact
 * pin ("4.6.7"), a caret range ("^12.0.0") and alternatives ("^18.3.0 || ^19.0.0"). Anything
 * else comes back as a string naming what could not be judged (a caller fails on it rather
 * than guessing); prerelease versions never match.
 * @param {string} version
 * @param {string} range
 * @returns {boolean | string}
 */
export function satisfies(version, range) {
  const v = parseVersion(version);
  if (!v) return `version ${version}`;
  for (const alternative of range.split('||').map((s) => s.trim())) {
    const caret = alternative.startsWith('^');
    const bound = parseVersion(caret ? alternative.slice(1) : alternative);
    if (!bound) return `range part "${alternative}"`;
    if (!caret && compareVersions(v, bound) === 0) return true;
    if (caret && compareVersions(v, bound) >= 0 && sameCaretBlock(v, bound)) return true;
  }
  return false;
}

/** @param {string} text @returns {[number, number, number] | null} */
function parseVersion(text) {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
}

/** @param {number[]} a @param {number[]} b */
function compareVersions(a, b) {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** ^1.2.3 keeps the major, ^0.2.3 the minor, ^0.0.3 the patch. @param {number[]} v @param {number[]} bound */
function sameCaretBlock(v, bound) {
  if (bound[0] > 0) return v[0] === bound[0];
  if (bound[1] > 0) return v[0] === 0 && v[1] === bound[1];
  return v[0] === 0 && v[1] === 0 && v[2] === bound[2];
}
