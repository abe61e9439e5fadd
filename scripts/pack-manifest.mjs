#!/usr/bin/env node
// The package.json a workspace package's tarball carries; `npm pack` runs this from the
// package's directory as prepack/postpack (`node ../scripts/pack-manifest.mjs strip|restore`):
//   strip     saves package.json as package.json.workspace and removes the "development"
//             conditions from `exports`: in the workspace they point vitest, tsc and tsx at
//             src/, which the tarball does not ship, and an app's own vitest or Vite dev
//             server resolves "development" too, so the published file must not name them.
//   restore   puts the saved file back (also done first by `strip` when a pack died midway).
// An optional second argument names the package directory (default: the current one).
import { existsSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [command, dir = '.'] = process.argv.slice(2);
const root = resolve(dir);
const manifest = join(root, 'package.json');
const saved = join(root, 'package.json.workspace');

function withoutDevelopment(exportsMap) {
  if (typeof exportsMap !== 'object' || exportsMap === null) return exportsMap;
  return Object.fromEntries(
    Object.entries(exportsMap)
      .filter(([key]) => key !== 'development')
      .map(([key, value]) => [key, withoutDevelopment(value)]),
  );
}

function restore() {
  if (existsSync(saved)) renameSync(saved, manifest);
}

if (command === 'restore') restore();
else if (command === 'strip') {
  restore();
  const text = readFileSync(manifest, 'utf8');
  const { atime, mtime } = statSync(manifest);
  writeFileSync(saved, text);
  // The saved copy keeps the original's times, so the restored package.json is no newer than
  // before: the builds' --if-stale counts package.json as an input, and a pack must not make
  // dist/ look stale (the next pack would rebuild the declarations, most of a minute).
  utimesSync(saved, atime, mtime);
  const pkg = JSON.parse(text);
  writeFileSync(manifest, `${JSON.stringify({ ...pkg, exports: withoutDevelopment(pkg.exports) }, null, 2)}\n`);
} else {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore [PACKAGE_DIR]');
  process.exit(2);
}
