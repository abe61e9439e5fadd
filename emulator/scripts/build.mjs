#!/usr/bin/env node
// Builds the emulator package's dist/:
//   (default)     the standalone CLI: src/cli-main.ts and every dependency bundled into one
//                 minified CommonJS file, dist/cli.cjs (no module resolution at start), then one
//                 start of bin/fq-firestore-emulator.mjs writes dist/cli.cjs.v8-cache (V8's
//                 compiled code), so later starts skip most compilation. About a second.
//   --lib         also the library, dist/index.js (ESM, dependencies external): what
//                 `import '@fq/emulator'` loads in Node without the "development" condition
//   --types       also its declarations, dist/types (tsc -p tsconfig.dist.json, the slow part)
//   --if-stale    only when an output is missing or older than a source file, this script or
//                 package.json (what `npm start`, the system and the tests call before using
//                 dist/: a few milliseconds when it is fresh)
//   --no-minify   keeps names, for profiling a start (node --cpu-prof)
// Files are written under a temporary name and renamed, so a concurrent start or build never
// reads half a file.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const args = new Set(process.argv.slice(2));
const lib = args.has('--lib');
const types = args.has('--types');

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
  const inputs = Math.max(newestInput(join(root, 'src')), statSync(import.meta.filename).mtimeMs, statSync(join(root, 'package.json')).mtimeMs);
  const outputs = [join(dist, 'cli.cjs'), join(dist, 'cli.cjs.v8-cache')];
  if (lib) outputs.push(join(dist, 'index.js'));
  if (types) outputs.push(join(dist, 'types', 'index.d.ts'));
  return outputs.filter((file) => !existsSync(file) || statSync(file).mtimeMs < inputs);
}

if (args.has('--if-stale') && staleOutputs().length === 0) process.exit(0);

// esbuild loads only when there is something to build.
const { build } = await import('esbuild');

/**
 * protos.ts reads `../../../protos/firestore-v1.json` relative to its own module; in dist/
 * the bundle sits one level below the package, so the path becomes `../protos/...`.
 */
const protosPath = {
  name: 'protos-path',
  setup(b) {
    b.onLoad({ filter: /[\\/]frontends[\\/]grpc[\\/]protos\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const from = "'../../../protos/firestore-v1.json'";
      if (!source.includes(from)) throw new Error(`${args.path} no longer reads ${from}: update scripts/build.mjs`);
      return { contents: source.replace(from, "'../protos/firestore-v1.json'"), loader: 'ts' };
    });
  },
};

function writeAtomically(path, contents) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

async function bundle(options) {
  const result = await build({ absWorkingDir: root, bundle: true, platform: 'node', target: 'node20', write: false, logLevel: 'warning', plugins: [protosPath], ...options });
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
}

const started = performance.now();
mkdirSync(dist, { recursive: true });
await bundle({
  entryPoints: ['src/cli-main.ts'],
  outfile: join(dist, 'cli.cjs'),
  format: 'cjs',
  minify: !args.has('--no-minify'),
  // Classes and functions keep their names: code checks them (the gRPC codec recognises
  // protobufjs' int64 values by `constructor.name === 'Long'`) and logs print them.
  keepNames: true,
  // CommonJS has no import.meta: its one use (protos.ts) gets the bundle's own URL.
  define: { 'import.meta.url': '__fq_bundle_url' },
  banner: { js: "var __fq_bundle_url = require('node:url').pathToFileURL(__filename).href;" },
  legalComments: 'none',
});
if (lib) {
  await bundle({ entryPoints: ['src/index.ts'], outfile: join(dist, 'index.js'), format: 'esm', packages: 'external' });
}
const bundled = performance.now();

// One start with the cache writer on: compiles what a start needs and saves it.
rmSync(join(dist, 'cli.cjs.v8-cache'), { force: true });
const warm = spawnSync(process.execPath, [join(root, 'bin', 'fq-firestore-emulator.mjs'), '--host', '127.0.0.1', '--port', '0', '--no-rules', '--log-level', 'error'], {
  env: { ...process.env, FQ_EMULATOR_CODE_CACHE: 'build' },
  stdio: 'inherit',
  timeout: 60_000,
});
if (warm.status !== 0) {
  console.error(`The built CLI did not start (exit ${warm.status ?? warm.signal}).`);
  process.exit(1);
}
const cached = performance.now();

if (types) {
  // A fresh directory: declarations of deleted sources must not linger.
  rmSync(join(dist, 'types'), { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.dist.json')], { stdio: 'inherit' });
  if (tsc.status !== 0) {
    console.error('The declarations did not build (tsc -p tsconfig.dist.json).');
    process.exit(1);
  }
}
const what = ['dist/cli.cjs', lib ? 'dist/index.js' : null, types ? 'dist/types' : null].filter(Boolean).join(', ');
const typesMs = types ? ` + ${Math.round(performance.now() - cached)} ms declarations` : '';
console.log(`emulator built in ${Math.round(bundled - started)} ms (+ ${Math.round(cached - bundled)} ms code cache${typesMs}): ${what}`);
