#!/usr/bin/env node
// Fails when any import cycle exists inside a package. Cycles make layers meaningless
// (model -> store -> query -> ...), so they are a build error, not a warning.
import madge from 'madge';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const targets = [
  { dir: 'src', tsConfig: 'tsconfig.app.json' },
  { dir: 'worker/src', tsConfig: 'worker/tsconfig.json' },
  { dir: 'emulator/src', tsConfig: 'emulator/tsconfig.json' },
  { dir: 'fake-gemini/src', tsConfig: 'fake-gemini/tsconfig.json' },
  { dir: 'system', tsConfig: 'tsconfig.node.json' },
];

let failed = false;
for (const { dir, tsConfig } of targets) {
  const result = await madge(join(root, dir), {
    fileExtensions: ['ts', 'tsx'],
    tsConfig: join(root, tsConfig),
    detectiveOptions: { ts: { skipTypeImports: true }, tsx: { skipTypeImports: true } },
  });
  const cycles = result.circular();
  if (cycles.length) {
    failed = true;
    console.error(`Import cycles in ${dir}:`);
    for (const c of cycles) console.error(`  ${c.join(' -> ')} -> ${c[0]}`);
  } else {
    console.log(`${dir}: ${Object.keys(result.obj()).length} modules, no cycles`);
  }
}
process.exit(failed ? 1 : 0);
