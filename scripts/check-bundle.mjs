#!/usr/bin/env node
// Builds the console and checks its initial JavaScript (the entry script plus every chunk
// index.html preloads, i.e. what a browser must fetch before the first paint) against the
// budget, gzip-compressed. Lazy pages (charts) are not initial and do not count.
// Usage: node scripts/check-bundle.mjs [--budget-kb 250]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const { values } = parseArgs({ options: { 'budget-kb': { type: 'string', default: '250' } } });
const budgetBytes = Number(values['budget-kb']) * 1000;
const root = join(import.meta.dirname, '..');
const outDir = mkdtempSync(join(tmpdir(), 'fq-bundle-'));

try {
  // The console imports @fq/worker and @fq/client as built packages in a production build.
  const packages = spawnSync(process.execPath, [join(root, 'scripts', 'build-packages.mjs'), '--for-console'], { cwd: root, stdio: 'inherit' });
  if (packages.status !== 0) process.exit(1);
  const build = spawnSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error(`vite build failed (exit ${build.status ?? build.signal})`);
    process.exit(1);
  }
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const initial = new Set();
  for (const m of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) initial.add(m[1]);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) initial.add(m[1]);
  if (initial.size === 0) {
    console.error('no entry script found in the built index.html');
    process.exit(1);
  }
  let total = 0;
  for (const file of initial) {
    const bytes = gzipSync(readFileSync(join(outDir, file.replace(/^\//, '')))).length;
    total += bytes;
    console.log(`  ${file}  ${(bytes / 1000).toFixed(2)} kB gzip`);
  }
  const verdict = total <= budgetBytes ? 'within' : 'OVER';
  console.log(`initial JavaScript: ${(total / 1000).toFixed(2)} kB gzip (${verdict} the ${budgetBytes / 1000} kB budget)`);
  process.exit(total <= budgetBytes ? 0 : 1);
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
