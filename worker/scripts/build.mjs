#!/usr/bin/env node
// Builds the worker package's dist/ (what `npm pack -w @fq/worker` ships and `node` runs):
//   (default)     the JavaScript: ESM, dependencies external (npm installs them from the
//                 package's `dependencies`), one file per entry point with the code they
//                 share in dist/chunks/ (one copy of each class, so `instanceof` holds across
//                 `@fq/worker`, `@fq/worker/schema` and `@fq/worker/core`):
//                   dist/index.js  (@fq/worker)         dist/schema.js (@fq/worker/schema)
//                   dist/core.js   (@fq/worker/core)    dist/cli.js    (bin/fq-worker.mjs)
//   --types       also the declarations, dist/types (tsc -p tsconfig.dist.json, the slow part)
//   --if-stale    only when an output is missing or older than a source file, this script,
//                 package.json or tsconfig.dist.json (what `npm start`, the system, the e2e
//                 run and the process tests call before running the built CLI: a few
//                 milliseconds when it is fresh)
// The build refuses (exit 1) when test tooling (src/testing, src/multiprocess, src/bench,
// *.test.ts, *.contract.ts, a fake Gemini) reaches an output, or when the output imports a
// package that is not in the worker's `dependencies` (it would be missing where the package
// is installed with --omit=dev, e.g. the production image).
// Files are written under a temporary name and renamed, chunks carry a content hash, and
// the entry files are renamed last, so a concurrent start or build never reads half a build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const args = new Set(process.argv.slice(2));
const types = args.has('--types');

/** Entry point -> output name (dist/<name>.js); the `exports` map and the bin point at these. */
const ENTRIES = { index: 'src/index.ts', schema: 'src/schema/index.ts', core: 'src/core/index.ts', cli: 'src/cli.ts' };
/** Sources that are test tooling: never in a production build. */
const TEST_ONLY = /(^|\/)src\/(testing|multiprocess|bench|fake-gemini)\/|\.(test|contract)\.ts$|fake-gemini/;

function newestInput(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestInput(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The outputs this run would write, each older than some input or missing. */
function staleOutputs() {
  const inputs = Math.max(
    newestInput(join(root, 'src')),
    statSync(import.meta.filename).mtimeMs,
    statSync(join(root, 'package.json')).mtimeMs,
    statSync(join(root, 'tsconfig.dist.json')).mtimeMs,
  );
  const outputs = Object.keys(ENTRIES).map((name) => join(dist, `${name}.js`));
  if (types) outputs.push(join(dist, 'types', 'index.d.ts'));
  return outputs.filter((file) => !existsSync(file) || statSync(file).mtimeMs < inputs);
}

if (args.has('--if-stale') && staleOutputs().length === 0) process.exit(0);

function fail(message) {
  console.error(`worker build: ${message}`);
  process.exit(1);
}

/** `pino` -> pino, `@google/genai/x` -> @google/genai; null for Node built-ins and relative paths. */
function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0])) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function writeAtomically(path, contents) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

// esbuild loads only when there is something to build.
const { build } = await import('esbuild');
const started = performance.now();
const result = await build({
  absWorkingDir: root,
  entryPoints: ENTRIES,
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Every package stays an import: npm installs the dependencies, and one copy of zod,
  // firebase-admin... is shared with the application that imports the worker.
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  // Readable output (stack traces and --cpu-prof name the real functions); Node reads it
  // once per process, so minifying would save nothing that matters.
  minify: false,
  metafile: true,
  write: false,
  logLevel: 'warning',
  legalComments: 'none',
});

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dependencies = new Set(Object.keys(pkg.dependencies ?? {}));
const problems = [];
for (const [output, meta] of Object.entries(result.metafile.outputs)) {
  for (const input of Object.keys(meta.inputs)) if (TEST_ONLY.test(input)) problems.push(`${output} contains test tooling ${input}`);
  for (const imported of meta.imports) {
    const name = imported.external ? packageOf(imported.path) : null;
    if (name && !dependencies.has(name)) problems.push(`${output} imports "${imported.path}", which is not in the worker's dependencies`);
  }
}
if (problems.length > 0) fail(`refusing to write dist/:\n  ${problems.join('\n  ')}`);

// Chunks first (new names never replace a file in use), the entry files last.
const isEntry = (path) => relative(dist, path).split(sep).length === 1;
const written = new Set();
for (const file of [...result.outputFiles].sort((a, b) => Number(isEntry(a.path)) - Number(isEntry(b.path)))) {
  writeAtomically(file.path, file.contents);
  written.add(file.path);
}
// Chunks of earlier builds go: `files` ships all of dist/.
for (const name of existsSync(join(dist, 'chunks')) ? readdirSync(join(dist, 'chunks')) : []) {
  const path = join(dist, 'chunks', name);
  if (!written.has(path) && !name.endsWith('.tmp')) rmSync(path, { force: true });
}
const bundled = performance.now();

if (types) {
  // A fresh directory: declarations of deleted sources must not linger.
  rmSync(join(dist, 'types'), { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.dist.json')], { stdio: 'inherit' });
  if (tsc.status !== 0) fail('the declarations did not build (tsc -p tsconfig.dist.json).');
  const leaked = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (TEST_ONLY.test(`src/${relative(join(dist, 'types'), path).split(sep).join('/').replace(/\.d\.ts$/, '.ts')}`)) leaked.push(path);
    }
  };
  walk(join(dist, 'types'));
  if (leaked.length > 0) fail(`declarations of test tooling reached dist/types (an entry point imports them):\n  ${leaked.join('\n  ')}`);
}
const what = ['dist/{index,schema,core,cli}.js', types ? 'dist/types' : null].filter(Boolean).join(', ');
const typesMs = types ? ` + ${Math.round(performance.now() - bundled)} ms declarations` : '';
console.log(`worker built in ${Math.round(bundled - started)} ms${typesMs}: ${what}`);
