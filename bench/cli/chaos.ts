#!/usr/bin/env node
/**
 * `npm run chaos -- [--jobs N] [--workers N] [--seconds S] [--seed N] [--error-rate R] [--quick]`
 *
 * N jobs through the server API and the browser path while worker processes are killed -9
 * (and restarted), the fake Gemini fails a steady share of calls with 503 and injects 429
 * bursts (503 bursts too with --error-rate 0), and the emulator drops streams and
 * fails commits; then an audit over every document. Prints tables, writes
 * bench/results/chaos-<timestamp>.json, exits 1 if any job was lost or completed twice.
 */
import { cliArgs } from '../lib/cli-args.js';
import { runChaos, type ChaosOptions } from '../chaos/run-chaos.js';
import { chaosTables } from '../chaos/report.js';
import { machineSnapshot } from '../lib/machine.js';
import { writeResults } from '../lib/results.js';
import { renderTable } from '../lib/table.js';
import { exitOnSignals } from '../lib/signals.js';

exitOnSignals();

const HELP = `npm run chaos -- [options]
  --jobs N          jobs to submit (default 300; --quick 60)
  --workers N       worker processes kept running (default 4; --quick 3)
  --seconds S       fault window; jobs arrive during its first 60 % (default 180; --quick 45)
  --kill-every S    mean seconds between kill -9s (default 6)
  --fault-every S   mean seconds between other faults (default 3)
  --seed N          schedule, job set and arrivals (default 1)
  --error-rate R    share of the calls the fake serves answered 503, all run long (default 0.2);
                    0 = the old counted 503 bursts instead
  --quick           the smoke-sized run
  --out DIR         results directory (default bench/results)`;

const { values, number, usage } = cliArgs(
  {
    jobs: { type: 'string' },
    workers: { type: 'string' },
    seconds: { type: 'string' },
    'kill-every': { type: 'string' },
    'fault-every': { type: 'string' },
    seed: { type: 'string' },
    'error-rate': { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
  HELP,
);
const quick = values.quick;
const options: ChaosOptions = {
  jobs: number('jobs', quick ? 60 : 300, 'number'),
  workers: number('workers', quick ? 3 : 4, 'number'),
  concurrency: 4,
  durationMs: number('seconds', quick ? 45 : 180, 'number') * 1000,
  killEveryMs: number('kill-every', 6, 'number') * 1000,
  faultEveryMs: number('fault-every', 3, 'number') * 1000,
  drainTimeoutMs: 240_000,
  clientShare: 0.25,
  stuckAfterMs: 15_000,
  seed: number('seed', 1, 'number'),
  fake: { capacity: 6, baseLatencyMs: 300, latencyMsPerAudioSecond: 200 },
  errorRate: number('error-rate', 0.2, 'number'),
};
if (!(options.errorRate! >= 0 && options.errorRate! <= 1)) usage('--error-rate must be within 0..1');
const log = (m: string) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const machineBefore = machineSnapshot();
const report = await runChaos(options, log);
const machineAfter = machineSnapshot();
for (const table of chaosTables(report)) console.log(`\n${renderTable(table)}`);
const path = writeResults('chaos', { kind: 'firequeue-chaos', command: `npm run chaos -- ${process.argv.slice(2).join(' ')}`.trim(), machineBefore, machineAfter, ...report }, values.out);
console.log(`\nmachine: ${machineAfter.uptime}`);
console.log(`results: ${path}`);
process.exit(report.passed ? 0 : 1);
