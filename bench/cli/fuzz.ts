#!/usr/bin/env node
/**
 * `npm run fuzz -- [--cases N] [--seed N] [--quick]`
 *
 * Seeded fuzzing of enqueue with malformed and hostile payloads: the server API, the web
 * SDK under the security rules, and `submitted` documents written with the admin SDK. Every
 * case must end in a typed error (or a `rejected` job with a code) and leave no partial
 * document. Prints tables, writes bench/results/fuzz-<timestamp>.json, exits 1 on a violation.
 */
import { cliArgs } from '../lib/cli-args.js';
import { fuzzTables } from '../fuzz/report.js';
import { runFuzz, type FuzzOptions } from '../fuzz/run-fuzz.js';
import { machineSnapshot } from '../lib/machine.js';
import { writeResults } from '../lib/results.js';
import { renderTable } from '../lib/table.js';
import { exitOnSignals } from '../lib/signals.js';

exitOnSignals();

const HELP = `npm run fuzz -- [options]
  --cases N    server API cases (default 2000; --quick 300); browser-path cases are a fifth, admin ones a
               twentieth, tenant/tier and operator-control cases a tenth each
  --seed N     generator seed (default 1)
  --quick      the smoke-sized run
  --out DIR    results directory (default bench/results)`;

const { values, number } = cliArgs(
  {
    cases: { type: 'string' },
    seed: { type: 'string', default: '1' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
  HELP,
);
const cases = number('cases', values.quick ? 300 : 2000);
const seed = number('seed', 1);
const options: FuzzOptions = {
  seed,
  serverCases: cases,
  webCases: Math.ceil(cases / 5),
  adminCases: Math.ceil(cases / 20),
  decideTimeoutMs: 20_000,
  parallel: 8,
  poisonHead: 60,
  accessCases: Math.ceil(cases / 10),
  controlCases: Math.ceil(cases / 10),
};
const log = (m: string) => process.stderr.write(`[fuzz ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const machineBefore = machineSnapshot();
const report = await runFuzz(options, log);
for (const table of fuzzTables(report)) console.log(`\n${renderTable(table)}`);
const path = writeResults('fuzz', { kind: 'firequeue-fuzz', command: `npm run fuzz -- ${process.argv.slice(2).join(' ')}`.trim(), machineBefore, machineAfter: machineSnapshot(), ...report }, values.out);
console.log(`\nresults: ${path}`);
process.exit(report.passed ? 0 : 1);
