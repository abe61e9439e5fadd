import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageImports, packageProblems, satisfies } from '../scripts/pack-packages.mjs';

const REPO = '/repo/main';
const dirs: string[] = [];

/** An extracted package: its manifest and files (path -> text). */
function extracted(manifest: Record<string, unknown>, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fq-pack-test-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@fq/thing', version: '0.1.0', ...manifest }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('packageImports', () => {
  it('finds static, side-effect, dynamic, re-export, require and type-reference imports, minified or not', () => {
    const dir = extracted({}, {
      'dist/a.js': 'import{x as y}from"zod";import "./side.js";export * from \'./b.js\';const m=await import("pino");',
      'dist/b.cjs': 'var fs=require("node:fs"),g=require("@grpc/grpc-js");',
      'dist/types/a.d.ts': '/// <reference types="node" />\nimport type { Foo } from "firebase/firestore";\nexport declare const x: import("./c.js").C;',
      'dist/a.js.map': '{"sources":["import x from \\"nope\\""]}',
    });
    const found = packageImports(dir).map((i) => `${i.file} ${i.specifier}`);
    expect(found.sort()).toEqual(
      [
        'dist/a.js zod',
        'dist/a.js ./side.js',
        'dist/a.js ./b.js',
        'dist/a.js pino',
        'dist/b.cjs node:fs',
        'dist/b.cjs @grpc/grpc-js',
        'dist/types/a.d.ts node',
        'dist/types/a.d.ts firebase/firestore',
        'dist/types/a.d.ts ./c.js',
      ].sort(),
    );
  });
});

describe('packageProblems', () => {
  it('accepts a package whose files import only itself, built-ins, declared packages and its own files', () => {
    const dir = extracted(
      { dependencies: { zod: '4.6.7' }, peerDependencies: { react: '^19.0.0' }, bin: { thing: './bin/thing.mjs' } },
      {
        'bin/thing.mjs': '#!/usr/bin/env node\nimport "../dist/index.js";',
        'dist/index.js': 'import { z } from "zod"; import "react/jsx-runtime"; import "node:fs"; import "@fq/thing/react"; import "./chunk.js";',
        'dist/chunk.js': '',
        'dist/index.d.ts': 'export * from "./chunk.js";',
        'dist/chunk.d.ts': '',
      },
    );
    expect(packageProblems(dir, REPO)).toEqual([]);
  });

  it('names workspace paths, missing files, undeclared packages, dev tooling, bad bins and the repository path', () => {
    const dir = extracted(
      { dependencies: { tsx: '4.23.15' }, bin: { thing: './bin/thing.mjs', gone: './bin/gone.mjs' } },
      {
        'bin/thing.mjs': 'import "../dist/index.js";',
        'dist/index.js': [
          'import "../../worker/src/schema/index.ts";',
          'import "./missing.js";',
          'import "firebase-admin/app";',
          'import "vitest";',
          'import "@fq/fake-gemini";',
          'import "/abs/path.js";',
          `const here = "${REPO}/client/src/x.ts";`,
        ].join('\n'),
      },
    );
    expect(packageProblems(dir, REPO)).toEqual([
      'package.json declares tsx, which is development or test tooling',
      'dist/index.js imports ../../worker/src/schema/index.ts, outside the package (a workspace path)',
      'dist/index.js imports ./missing.js, which the package does not contain',
      'dist/index.js imports firebase-admin/app, but firebase-admin is not in dependencies or peerDependencies',
      'dist/index.js imports vitest, which is development or test tooling',
      'dist/index.js imports @fq/fake-gemini, which is development or test tooling',
      'dist/index.js imports an absolute path: /abs/path.js',
      'bin thing (./bin/thing.mjs) does not start with #!/usr/bin/env node',
      'bin gone is ./bin/gone.mjs, which the package does not contain',
      `dist/index.js contains the repository's path ${REPO}/`,
    ]);
  });

  it('lets the test tooling packages import each other, not the production ones', () => {
    const files = { 'dist/index.js': 'import "@fq/emulator";' };
    expect(packageProblems(extracted({ name: '@fq/fake-gemini', dependencies: { '@fq/emulator': '0.1.0' } }, files), REPO)).toEqual([]);
    expect(packageProblems(extracted({ name: '@fq/worker', dependencies: { '@fq/emulator': '0.1.0' } }, files), REPO)).toEqual([
      'package.json declares @fq/emulator, which is development or test tooling',
      'dist/index.js imports @fq/emulator, which is development or test tooling',
    ]);
  });
});

describe('satisfies', () => {
  it.each([
    ['4.6.7', '4.6.7', true],
    ['4.6.8', '4.6.7', false],
    ['12.19.0', '^12.0.0', true],
    ['13.0.0', '^12.0.0', false],
    ['11.9.9', '^12.0.0', false],
    ['19.3.1', '^18.3.0 || ^19.0.0', true],
    ['18.2.0', '^18.3.0 || ^19.0.0', false],
    ['0.2.9', '^0.2.3', true],
    ['0.3.0', '^0.2.3', false],
    ['0.0.4', '^0.0.3', false],
    ['1.0.0-rc.1', '^1.0.0', 'version 1.0.0-rc.1'],
    ['1.2.3', '>=1.0.0', 'range part ">=1.0.0"'],
  ])('%s in %s: %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });
});
