#!/usr/bin/env node
// Prepares what the production image installs (the Dockerfile's build stage runs this; the
// image rehearsal, scripts/rehearse-image.mjs, runs it too):
//   node worker/scripts/pack-for-image.mjs OUT_DIR
// writes OUT_DIR/fq-worker.tgz (`npm pack -w @fq/worker`: the package as npm would publish
// it, dist/ and bin/ only), OUT_DIR/package.json (one dependency: that tarball) and
// OUT_DIR/package-lock.json, so the runtime stage installs with `npm ci --omit=dev` the
// worker's production dependencies only.
// The lockfile is the repository's, narrowed by npm to the tarball's dependencies
// (`npm install --package-lock-only` keeps every locked version that still fits), so the
// image runs exactly the versions the tests ran; the script fails if npm picked any other.
// Expects dist/ to be built (scripts/build.mjs).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repo = join(import.meta.dirname, '..', '..');
const out = process.argv[2];
if (!out) {
  console.error('usage: node worker/scripts/pack-for-image.mjs OUT_DIR');
  process.exit(2);
}
const outDir = resolve(out);
mkdirSync(outDir, { recursive: true });
const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

// The package's prepack and postpack by hand, without its declarations build (the image
// needs none; the build stage ran scripts/build.mjs for the JavaScript): the tarball's
// package.json is the published one, without the "development" conditions.
const manifest = (command) => execFileSync(process.execPath, [join(repo, 'scripts', 'pack-manifest.mjs'), command, join(repo, 'worker')], { stdio: 'inherit' });
manifest('strip');
let packed;
try {
  [packed] = JSON.parse(npm(['pack', '--workspace', '@fq/worker', '--pack-destination', outDir, '--json', '--ignore-scripts'], repo));
} finally {
  manifest('restore');
}
const tarball = join(outDir, 'fq-worker.tgz');
rmSync(tarball, { force: true });
renameSync(join(outDir, packed.filename), tarball);
for (const file of packed.files) {
  // Belt and braces over the build's own check: `files` must not ship test tooling or sources.
  if (/(^|\/)(src|testing|multiprocess|fake-gemini)\/|\.test\.|\.ts$/.test(file.path) && !file.path.endsWith('.d.ts')) {
    console.error(`pack-for-image: the tarball holds ${file.path}, which production must not ship`);
    process.exit(1);
  }
}

copyFileSync(join(repo, 'package-lock.json'), join(outDir, 'package-lock.json'));
writeFileSync(
  join(outDir, 'package.json'),
  `${JSON.stringify({ name: 'fq-worker-image', private: true, dependencies: { '@fq/worker': 'file:./fq-worker.tgz' } }, null, 2)}\n`,
);
npm(['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], outDir);

/** `node_modules/a/node_modules/@b/c` -> `@b/c@1.2.3` for every installed package of a lockfile. */
const versions = (file) =>
  Object.entries(JSON.parse(readFileSync(file, 'utf8')).packages)
    .filter(([path, entry]) => path.includes('node_modules/') && !entry.link)
    .map(([path, entry]) => `${path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)}@${entry.version}`);
const pinned = new Set(versions(join(repo, 'package-lock.json')));
const narrowed = versions(join(outDir, 'package-lock.json'));
const moved = narrowed.filter((id) => !id.startsWith('@fq/worker@') && !pinned.has(id));
if (moved.length > 0) {
  console.error(`pack-for-image: npm resolved versions the repository's lockfile does not hold:\n  ${moved.join('\n  ')}`);
  process.exit(1);
}
console.log(`pack-for-image: ${tarball} (${packed.size} bytes, ${packed.files.length} files) and a lockfile of ${narrowed.length} packages, all at versions the repository's lockfile holds`);
