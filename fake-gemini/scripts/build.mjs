#!/usr/bin/env node
// Builds the fake Gemini package's dist/:
//   (default)   dist/index.js (the library, from src/index.ts) and dist/cli.js (what the bin
//               `fq-fake-gemini` runs, from src/cli-main.ts): ESM for Node 20, the package's
//               dependencies (zod) external. The two pure functions it takes from the worker's
//               core (`@fq/worker/core`: the WAV duration and the seeded random) are bundled
//               in, so installing the fake never installs the worker. Then one start of the
//               built bin, to fail here rather than in a test.
//   --types     also the declarations, dist/types (tsc -p tsconfig.dist.json, the slow part)
//   --if-stale  only when an output is missing or older than one of the last build's inputs
//               (dist/.inputs.json, from esbuild's metafile), this script or package.json:
//               what `npm start` and the Playwright config call before loading dist/
// Files are written under a temporary name and renamed, so a concurrent start never reads
// half a file.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const inputsFile = join(dist, '.inputs.json');
const args = new Set(process.argv.slice(2));
const types = args.has('--types');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Infinity; // a deleted input: build again
  }
}

/** The outputs this run would write that are missing or older than an input. */
function staleOutputs() {
  if (!existsSync(inputsFile)) return [inputsFile];
  const recorded = JSON.parse(readFileSync(inputsFile, 'utf8'));
  const inputs = Math.max(...recorded.map((path) => mtime(join(root, path))), mtime(import.meta.filename), mtime(join(root, 'package.json')));
  const outputs = [join(dist, 'index.js'), join(dist, 'cli.js')];
  if (types) outputs.push(join(dist, 'types', 'index.d.ts'));
  return outputs.filter((file) => !existsSync(file) || statSync(file).mtimeMs < inputs);
}

if (args.has('--if-stale') && staleOutputs().length === 0) process.exit(0);

// esbuild loads only when there is something to build.
const { build } = await import('esbuild');

function writeAtomically(path, contents) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

/**
 * The worker's core and schema modules are pure (no top-level effects beyond building zod
 * schemas), but its package.json does not say so; without this, every module that
 * `@fq/worker/core` re-exports would be kept in the bundle, not only the two functions used.
 */
const workerSourcesArePure = {
  name: 'worker-sources-are-pure',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData?.resolving || args.kind === 'entry-point') return undefined;
      const resolved = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { resolving: true } });
      if (resolved.errors.length || !/[\\/]worker[\\/]src[\\/](core|schema)[\\/]/.test(resolved.path)) return undefined;
      return { path: resolved.path, external: resolved.external, sideEffects: false };
    });
  },
};

const started = performance.now();
mkdirSync(dist, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { index: 'src/index.ts', cli: 'src/cli-main.ts' },
  outdir: dist,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // `@fq/worker/core` resolves to the worker's sources (no worker build needed first).
  conditions: ['development'],
  external: Object.keys(pkg.dependencies ?? {}),
  write: false,
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
  plugins: [workerSourcesArePure],
});
// Only this package's sources and the worker's may be bundled: anything from node_modules
// belongs in `dependencies` (external), or the published file would carry a private copy.
const inputs = Object.keys(result.metafile.inputs);
const foreign = inputs.filter((path) => path.split(/[\\/]/).includes('node_modules'));
if (foreign.length) {
  console.error(`The fake's bundle would include dependencies; add them to package.json "dependencies":\n  ${foreign.join('\n  ')}`);
  process.exit(1);
}
for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
writeAtomically(inputsFile, JSON.stringify(inputs.map((path) => relative(root, join(root, path)).split(sep).join('/'))));
const bundled = performance.now();

/** Starts the built bin on a free port, waits for its listening line, stops it with SIGTERM. */
function smokeTest() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'fq-fake-gemini.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    let listening = false;
    createInterface({ input: child.stdout }).once('line', (line) => {
      listening = line.includes('"event":"listening"');
      child.kill('SIGTERM');
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (listening && code === 0) resolve();
      else reject(new Error(`the built CLI ${listening ? 'did not stop cleanly' : 'did not start'} (exit ${code ?? signal})`));
    });
  });
}
try {
  await smokeTest();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
const started2 = performance.now();

if (types) {
  // A fresh directory: declarations of deleted sources must not linger.
  rmSync(join(dist, 'types'), { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.dist.json')], { stdio: 'inherit' });
  if (tsc.status !== 0) {
    console.error('The declarations did not build (tsc -p tsconfig.dist.json).');
    process.exit(1);
  }
}
const typesMs = types ? ` + ${Math.round(performance.now() - started2)} ms declarations` : '';
console.log(
  `fake-gemini built in ${Math.round(bundled - started)} ms (+ ${Math.round(started2 - bundled)} ms start check${typesMs}): dist/index.js, dist/cli.js${types ? ', dist/types' : ''}`,
);
