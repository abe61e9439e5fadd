#!/usr/bin/env node
/**
 * `npm run bench -- [--scenario overload,capacity-step,...] [--quick] [--seed N | --seeds 1,2,3]`
 *
 * Runs the selected scenarios one after another on the embedded emulator with the fake
 * Gemini, prints a table per scenario, and writes everything (with the machine's load) to
 * bench/results/bench-<timestamp>.json. With several seeds each scenario runs once per seed
 * and its result is stored as `<name>@seed<N>`. Exit code 1 when a scenario failed to run, or
 * missed a goal it enforces (the dashboard's reads per page).
 */
import { cliArgs } from '../lib/cli-args.js';
import { machineSnapshot } from '../lib/machine.js';
import { writeResults } from '../lib/results.js';
import { renderTable } from '../lib/table.js';
import { exitOnSignals } from '../lib/signals.js';
import { SCENARIOS, SCENARIO_NAMES } from '../scenarios/registry.js';

exitOnSignals();

const HELP = `npm run bench -- [options]
  --scenario LIST   comma-separated: ${SCENARIO_NAMES.join(',')} (default: all)
  --quick           small runs (minutes instead of tens of minutes)
  --seed N          seed of job sets and arrivals (default 1)
  --seeds LIST      run every selected scenario once per seed, e.g. 1,2,3 (the flow-control goals are judged on three)
  --out DIR         results directory (default bench/results)
  -h, --help`;

const { values, usage: fail, number } = cliArgs(
  {
    scenario: { type: 'string' },
    quick: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    seeds: { type: 'string' },
    out: { type: 'string' },
  },
  HELP,
);
const selected = values.scenario ? values.scenario.split(',').map((s) => s.trim()).filter(Boolean) : SCENARIO_NAMES;
const unknown = selected.filter((s) => !(s in SCENARIOS));
if (unknown.length) fail(`unknown scenario(s): ${unknown.join(', ')}`);
const seed = number('seed', 1);
const seeds = values.seeds === undefined ? [seed] : values.seeds.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s))) fail(`--seeds must list integers, got "${values.seeds}"`);

const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const report: Record<string, unknown> = {
  kind: 'firequeue-bench',
  command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
  quick: values.quick,
  seed: seeds.length === 1 ? seeds[0] : seeds,
  machineBefore: machineSnapshot(),
  scenarios: {} as Record<string, unknown>,
  errors: {} as Record<string, string>,
};
const tables: string[] = [];
for (const name of selected) for (const runSeed of seeds) {
  const key = seeds.length === 1 ? name : `${name}@seed${runSeed}`;
  log(`scenario ${key}: start (load ${machineSnapshot().loadavg.join(' ')})`);
  const started = Date.now();
  try {
    const outcome = await SCENARIOS[name]!({ quick: values.quick, seed: runSeed, log });
    (report.scenarios as Record<string, unknown>)[key] = { ...(outcome.result as object), seed: runSeed, elapsedSec: Math.round((Date.now() - started) / 1000) };
    for (const table of outcome.tables) {
      const text = renderTable(table);
      tables.push(text);
      console.log(`\n${text}`);
    }
    if (outcome.failures?.length) {
      (report.errors as Record<string, string>)[key] = `goal not met: ${outcome.failures.join('; ')}`;
      log(`scenario ${key} FAILED: ${outcome.failures.join('; ')}`);
    }
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    (report.errors as Record<string, string>)[key] = message;
    log(`scenario ${key} FAILED: ${message}`);
  }
}
// Every figure that carries a goal, in one place: `scenario.group.name` -> { value, goal, met }.
const goals: Record<string, unknown> = {};
for (const [name, result] of Object.entries(report.scenarios as Record<string, { figures?: Record<string, unknown> }>)) {
  const visit = (path: string, node: unknown) => {
    if (node && typeof node === 'object' && 'goal' in node && 'met' in node) goals[path] = node;
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) visit(`${path}.${k}`, v);
  };
  if (result.figures) visit(name, result.figures);
}
report.goals = goals;
const withVerdict = (met: boolean | null) => Object.entries(goals).filter(([, f]) => (f as { met: boolean | null }).met === met).map(([k]) => k);
if (Object.keys(goals).length) {
  const missed = withVerdict(false);
  console.log(`\ngoals: ${withVerdict(true).length} met, ${missed.length} not met${missed.length ? ` (${missed.join(', ')})` : ''}, ${withVerdict(null).length} reported without a verdict`);
}
report.machineAfter = machineSnapshot();
const path = writeResults('bench', report, values.out);
console.log(`\nmachine: ${(report.machineAfter as { uptime: string }).uptime}`);
console.log(`results: ${path}`);
process.exit(Object.keys(report.errors as object).length ? 1 : 0);
