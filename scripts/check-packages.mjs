#!/usr/bin/env node
// Packs every workspace package (`npm pack -w`, its prepack building dist/ when stale) into a
// temporary directory outside the workspace and checks each tarball:
//   files      what its JavaScript and declarations import: nothing outside the package, no
//              undeclared package, no development or test tooling (scripts/pack-packages.mjs)
//   publint    --strict: the manifest against the files (exports, bin, types; warnings fail)
//   attw       @arethetypeswrong/cli: the types each entry point resolves to
// Prints one line per package (sizes, pack time, verdicts) and exits 1 when any check fails.
//   node scripts/check-packages.mjs [--keep]    (--keep leaves the tarballs and prints where)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractTarball, packageProblems, packPackage, workspacePackages } from './pack-packages.mjs';

const root = join(import.meta.dirname, '..');
const keep = process.argv.includes('--keep');
const dest = mkdtempSync(join(tmpdir(), 'fq-packages-'));
const bin = (name) => join(root, 'node_modules', '.bin', name);

// Every package is ESM only ("type": "module", exports without a "require" condition), as
// the plan for them says: attw's default profile would fail each entry point for the two
// resolutions that cannot load ESM synchronously (node10, and node16 from CommonJS, where
// require() of ESM needs Node 22). "esm-only" still checks node16 from ESM and bundlers.
// No DefinitelyTyped look-ups: they would go to the registry, and every package ships types.
const ATTW_ARGS = ['--profile', 'esm-only', '--no-definitely-typed', '--no-emoji', '--format', 'ascii'];

/** Runs a checker CLI; its output is printed only when it fails. */
function tool(command, args) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  return { ok: result.status === 0, output: result.error ? result.error.message : output };
}

const rows = [];
let failed = false;
for (const pkg of workspacePackages(root)) {
  const row = { name: pkg.name, size: '-', unpacked: '-', files: '-', packS: '-', verdicts: [] };
  rows.push(row);
  let packed;
  try {
    packed = packPackage(root, pkg, dest);
  } catch (error) {
    failed = true;
    row.verdicts.push('pack FAILED');
    console.error(`\n${error instanceof Error ? error.message : String(error)}`);
    continue;
  }
  Object.assign(row, {
    size: `${(packed.size / 1024).toFixed(1)} kB`,
    unpacked: `${(packed.unpackedSize / 1024).toFixed(1)} kB`,
    files: String(packed.files.length),
    packS: (packed.ms / 1000).toFixed(1),
  });

  const extracted = join(dest, 'extracted', pkg.name);
  extractTarball(pkg.name, packed.tarball, extracted);
  const problems = packageProblems(extracted, root);
  row.verdicts.push(problems.length === 0 ? 'files ok' : `files: ${problems.length} problem(s)`);
  if (problems.length) {
    failed = true;
    console.error(`\n${pkg.name}: what its files import or hold\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }

  const checks = [
    ['publint', bin('publint'), ['run', packed.tarball, '--strict']],
    ['attw', bin('attw'), [packed.tarball, ...ATTW_ARGS]],
  ];
  for (const [label, command, args] of checks) {
    const { ok, output } = tool(command, args);
    row.verdicts.push(`${label} ${ok ? 'ok' : 'FAILED'}`);
    if (!ok) {
      failed = true;
      console.error(`\n${pkg.name}: ${label} ${args.join(' ')}\n${output}`);
    }
  }
}

console.log('\npackage            tarball     unpacked    files  pack s  checks');
for (const r of rows) {
  console.log(`${r.name.padEnd(18)} ${r.size.padStart(10)}  ${r.unpacked.padStart(10)}  ${r.files.padStart(5)}  ${r.packS.padStart(6)}  ${r.verdicts.join(', ')}`);
}
if (keep) console.log(`\ntarballs kept in ${dest}`);
else rmSync(dest, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
