#!/usr/bin/env node
// The built Firestore emulator CLI (see the emulator README). Runs dist/cli.cjs, built by
// `npm run build -w @fq/emulator`, with V8's code cache (dist/cli.cjs.v8-cache): compiling
// the 1.3 MB bundle is most of a cold start. The cache starts with the SHA-256 of the bundle
// it belongs to (V8 itself only checks the source length) and is rewritten after a start
// that had none or whose cache V8 rejected (another Node version).
// FQ_EMULATOR_CODE_CACHE=off runs without it; =build writes it and exits once the emulator
// listens (the build does that).
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const bundle = join(dist, 'cli.cjs');
const cacheFile = join(dist, 'cli.cjs.v8-cache');
const mode = process.env.FQ_EMULATOR_CODE_CACHE ?? 'on';

if (!existsSync(bundle)) {
  console.error(`${bundle} is missing: run \`npm run build -w @fq/emulator\` first.`);
  process.exit(1);
}

// Read as bytes: hashing them is cheaper than hashing a string (which is encoded again), and
// the bundle is ASCII (esbuild escapes the rest), which decodes as Latin-1 without a UTF-8
// pass. Together a few milliseconds instead of 20-30 on a busy machine.
const bytes = readFileSync(bundle);
const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
const digest = createHash('sha256').update(bytes).digest();
let cachedData;
if (mode === 'on') {
  try {
    const file = readFileSync(cacheFile);
    if (file.subarray(0, digest.length).equals(digest)) cachedData = file.subarray(digest.length);
  } catch {
    cachedData = undefined;
  }
}
// The CommonJS wrapper on the bundle's first line keeps its line numbers in stack traces.
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, cachedData });
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));

const emulator = await module.exports.runCli(process.argv.slice(2));

function writeCache() {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([digest, script.createCachedData()]));
    renameSync(tmp, cacheFile);
  } catch {
    // A read-only install starts without the cache; nothing else changes.
  }
}

/**
 * Serves one HTTP request and one gRPC call first, so the cache also holds the code that
 * answers the first connections (the front ends compile it lazily otherwise).
 */
async function warmUp(hostAndPort) {
  const http2 = await import('node:http2');
  try {
    await (await fetch(`http://${hostAndPort}/`)).text();
    await new Promise((resolve) => {
      const session = http2.connect(`http://${hostAndPort}`);
      session.on('error', resolve);
      const call = session.request({ ':method': 'POST', ':path': '/google.firestore.v1.Firestore/GetDocument', 'content-type': 'application/grpc', te: 'trailers' });
      call.on('error', resolve);
      call.on('close', () => session.close(resolve));
      call.resume();
      call.end(Buffer.from([0, 0, 0, 0, 0]));
    });
  } catch {
    // The cache is still useful without these functions.
  }
}

if (mode === 'build') {
  if (emulator) await warmUp(emulator.hostAndPort);
  writeCache();
  await emulator?.stop();
  process.exit(emulator ? 0 : 1);
} else if (emulator && mode === 'on' && (cachedData === undefined || script.cachedDataRejected)) writeCache();
