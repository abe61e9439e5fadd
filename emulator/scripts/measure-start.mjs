#!/usr/bin/env node
// How long the emulator's CLI takes from spawn until it answers HTTP (issue 16: < 0.5 s).
// Usage: node emulator/scripts/measure-start.mjs [bin] [runs]   (default: the built bin, 5 runs)
// Prints one JSON line: each run's time to the FIRESTORE_EMULATOR_HOST line and to the first
// HTTP answer, their medians and the machine's load.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const bin = process.argv[2] ?? fileURLToPath(new URL('../bin/fq-firestore-emulator.mjs', import.meta.url));
const count = Number(process.argv[3] ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = [];
for (let i = 0; i < count; i++) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, '--port', '0', '--no-rules'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const host = await new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk) => {
      seen += chunk;
      const match = /FIRESTORE_EMULATOR_HOST=([^\s"]+)/.exec(seen);
      if (match) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`emulator exited (${code}) before listening:\n${seen}`)));
  });
  const lineMs = performance.now() - t0;
  await (await fetch(`http://${host}/`)).text();
  const answerMs = performance.now() - t0;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  runs.push({ lineMs: Math.round(lineMs), answerMs: Math.round(answerMs) });
}
console.log(JSON.stringify({ bin, runs, medianLineMs: median(runs.map((r) => r.lineMs)), medianAnswerMs: median(runs.map((r) => r.answerMs)), loadavg: loadavg().map((l) => +l.toFixed(2)) }));
