#!/usr/bin/env node
// Builds the client package's dist/ (what `npm pack -w @fq/client` ships):
//   dist/index.js, dist/react.js   ESM for browsers and bundlers. The worker's schema and core
//                                  modules the client uses are bundled in, so an app that
//                                  installs @fq/client does not install @fq/worker; zod (a
//                                  dependency), firebase and react (peers) stay imports, and
//                                  react.js imports the core from '@fq/client' (one copy of
//                                  the error classes and the client's state).
//   dist/index.d.ts, dist/react.d.ts   one declaration file per entry with the worker's types
//                                  inlined: tsc emits the declarations, dts-bundle-generator
//                                  bundles them (tsc alone would leave `@fq/worker/schema`
//                                  imports in them, a package the app does not have; the
//                                  bundler cannot read the worker's .ts sources itself).
//   --if-stale    only when an output is missing or older than a source, this script,
//                 package.json or a tsconfig (what `prepack` runs).
//   --js-only     the JavaScript without the declarations (what the console's production
//                 build needs: seconds instead of the declarations' minute or more).
// The build refuses (exit 1) when an output imports a package that is neither a dependency
// nor a peer of the client, or when @fq/worker or test files reach dist/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const args = new Set(process.argv.slice(2));
const ENTRIES = { index: 'src/index.ts', react: 'src/react/index.ts' };
const OUTPUTS = Object.keys(ENTRIES).flatMap((name) => [`${name}.js`, `${name}.d.ts`]);
const TEST_ONLY = /(^|\/)src\/test\/|\.test\.tsx?$/;

function newestInput(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestInput(path));
    else if (/\.tsx?$/.test(entry.name) && !TEST_ONLY.test(path)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function stale() {
  // The worker's schema and core are bundled in: their sources count too.
  const inputs = Math.max(
    newestInput(join(root, 'src')),
    newestInput(join(root, '..', 'worker', 'src', 'schema')),
    newestInput(join(root, '..', 'worker', 'src', 'core')),
    ...['package.json', 'tsconfig.json', 'tsconfig.dist.json', 'scripts/build.mjs'].map((f) => statSync(join(root, f)).mtimeMs),
  );
  const wanted = args.has('--js-only') ? OUTPUTS.filter((f) => f.endsWith('.js')) : OUTPUTS;
  return wanted.some((f) => !existsSync(join(dist, f)) || statSync(join(dist, f)).mtimeMs < inputs);
}

if (args.has('--if-stale') && !stale()) process.exit(0);

function fail(message) {
  console.error(`client build: ${message}`);
  process.exit(1);
}

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

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const allowed = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), pkg.name]);
const started = performance.now();

// ---------- JavaScript ----------
const { build } = await import('esbuild');
/** The worker's schema and core are pure modules: unused ones drop out of the bundle. */
const workerSourcesArePure = {
  name: 'worker-sources-are-pure',
  setup(b) {
    b.onResolve({ filter: /^@fq\/worker\// }, () => ({ sideEffects: false }));
  },
};
const result = await build({
  absWorkingDir: root,
  entryPoints: ENTRIES,
  outdir: dist,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  // @fq/worker's sources (its "development" export): bundled in, never imported at run time.
  conditions: ['development'],
  external: ['zod', 'firebase', 'firebase/*', 'react', 'react/*', 'react-dom', 'react-dom/*', '@fq/client'],
  jsx: 'automatic',
  sourcemap: true,
  sourcesContent: true,
  metafile: true,
  write: false,
  logLevel: 'warning',
  legalComments: 'none',
  plugins: [workerSourcesArePure],
});
const problems = [];
for (const [output, meta] of Object.entries(result.metafile.outputs)) {
  for (const input of Object.keys(meta.inputs)) if (TEST_ONLY.test(input)) problems.push(`${output} contains test code ${input}`);
  for (const imported of meta.imports) {
    const name = imported.external ? packageOf(imported.path) : null;
    if (name && !allowed.has(name)) problems.push(`${output} imports "${imported.path}", which is neither a dependency nor a peer of ${pkg.name}`);
  }
}
if (problems.length > 0) fail(`refusing to write dist/:\n  ${problems.join('\n  ')}`);
const bundled = performance.now();
if (args.has('--js-only')) {
  mkdirSync(dist, { recursive: true });
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  console.log(`client built in ${Math.round(bundled - started)} ms (JavaScript only)`);
  process.exit(0);
}

// ---------- declarations ----------
// Step 1: tsc emits the client's declarations and those of the worker modules they import
// (tsconfig.dist.json) into a staging directory.
const stage = join(root, '..', '.tsbuild', 'client-dts');
rmSync(stage, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.dist.json')], { stdio: 'inherit' });
if (tsc.status !== 0) fail('the declarations did not build (tsc -p tsconfig.dist.json).');
// Step 2: one file per entry. `@fq/worker/...` points at the staged declarations (local
// files: inlined); no "development" condition, so the React entry's `@fq/client` resolves to
// the package's own dist/index.d.ts, a library that stays an import.
writeFileSync(
  join(stage, 'tsconfig.bundle.json'),
  JSON.stringify({
    compilerOptions: {
      target: 'ES2023',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      lib: ['ES2023', 'DOM', 'DOM.Iterable'],
      strict: true,
      skipLibCheck: true,
      types: [],
      paths: { '@fq/worker/schema': ['./worker/src/schema/index.d.ts'], '@fq/worker/core': ['./worker/src/core/index.d.ts'] },
    },
    files: Object.values(ENTRIES).map((f) => `client/${f.replace(/\.ts$/, '.d.ts')}`),
  }),
);
const { generateDtsBundle } = await import('dts-bundle-generator');
function declarations(name) {
  const [text] = generateDtsBundle([{ filePath: join(stage, 'client', ENTRIES[name].replace(/\.ts$/, '.d.ts')), output: { noBanner: true, exportReferencedTypes: false } }], {
    preferredConfigPath: join(stage, 'tsconfig.bundle.json'),
    // Packages keep their node_modules paths: `@fq/client` is a library, not a local file.
    followSymlinks: false,
  });
  const leaked = /from ['"]@fq\/worker[^'"]*['"]|import\(['"]@fq\/worker/.exec(text);
  if (leaked) fail(`dist/${name}.d.ts still refers to @fq/worker (${leaked[0]}): an app would not find it`);
  return text;
}

// ---------- write ----------
rmSync(dist, { recursive: true, force: true });
for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
writeAtomically(join(dist, 'index.d.ts'), declarations('index'));
// After index.d.ts: the React entry's declarations import the core's from it.
writeAtomically(join(dist, 'react.d.ts'), declarations('react'));
const sizes = Object.keys(ENTRIES)
  .map((name) => `${name}.js ${(statSync(join(dist, `${name}.js`)).size / 1024).toFixed(1)} KiB`)
  .join(', ');
console.log(`client built in ${Math.round(bundled - started)} ms + ${Math.round(performance.now() - bundled)} ms declarations: ${relative(process.cwd(), dist) || 'dist'}/ (${sizes})`);
