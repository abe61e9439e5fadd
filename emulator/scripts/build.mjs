#!/usr/bin/env node
// Builds the standalone CLI: src/cli-main.ts and every dependency bundled into one minified
// CommonJS file, dist/cli.cjs (no module resolution at start), then one start of
// bin/fq-firestore-emulator.mjs writes dist/cli.cjs.v8-cache (V8's compiled code), so later
// starts skip most compilation. About a second.
//   --lib         also bundles the library, dist/index.js (ESM, dependencies external)
//   --no-minify   keeps names, for profiling a start (node --cpu-prof)
// Files are written under a temporary name and renamed, so a concurrent start or build never
// reads half a file.
import { spawnSync } from 'node:child_process';
import { readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');

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
  minify: !process.argv.includes('--no-minify'),
  // Classes and functions keep their names: code checks them (the gRPC codec recognises
  // protobufjs' int64 values by `constructor.name === 'Long'`) and logs print them.
  keepNames: true,
  // CommonJS has no import.meta: its one use (protos.ts) gets the bundle's own URL.
  define: { 'import.meta.url': '__fq_bundle_url' },
  banner: { js: "var __fq_bundle_url = require('node:url').pathToFileURL(__filename).href;" },
  legalComments: 'none',
});
if (process.argv.includes('--lib')) {
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
console.log(`emulator built in ${Math.round(bundled - started)} ms (+ ${Math.round(performance.now() - bundled)} ms code cache): dist/cli.cjs`);
