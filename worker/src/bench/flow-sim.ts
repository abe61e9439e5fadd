/**
 * The flow-control scenarios in fake time (fleet-flow/flow-sim): a second per scenario, for
 * working on the limiter before the bench's real processes (minutes each) judge it.
 *
 *   npm run -w @fq/worker sim:flow                      # every scenario, seeds 1-3, a table
 *   npm run -w @fq/worker sim:flow -- step --trace       # one scenario, the leader's ticks
 *   npm run -w @fq/worker sim:flow -- overload --json
 */
import { parseArgs } from 'node:util';
import { SIM_SCENARIOS, simulateFlow, type FlowSimOptions } from '../fleet-flow/flow-sim.js';

const SCENARIOS: Record<string, FlowSimOptions> = SIM_SCENARIOS;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { seeds: { type: 'string', default: '1,2,3' }, trace: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
});
const names = positionals.length > 0 ? positionals : Object.keys(SCENARIOS);
const unknown = names.filter((n) => !SCENARIOS[n]);
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(2);
}
const seeds = values.seeds.split(',').map(Number);
const rows: Record<string, unknown>[] = [];
for (const name of names) {
  for (const seed of seeds) {
    const r = await simulateFlow({ ...SCENARIOS[name]!, seed, ...(values.trace ? { trace: (line: string) => console.log(line) } : {}) });
    const row = {
      scenario: name,
      seed,
      goodputShare: Number(r.goodputShare.toFixed(3)),
      wastedPerSuccess: Number(r.wastedPerSuccess.toFixed(3)),
      drainSec: Number((r.drainMs / 1000).toFixed(1)),
      calls: r.calls,
      refusals: r.rejections,
      errors: r.errorAnswers,
      deadLettered: r.deadLettered,
      peakConcurrent: r.peakConcurrent,
      limits: r.fleetLimits.map((l) => `${Math.round(l.at / 1000)}s:${l.limit}`).join(' '),
    };
    rows.push(row);
    if (!values.json) console.log(Object.entries(row).map(([k, v]) => `${k}=${String(v)}`).join(' '));
  }
}
if (values.json) console.log(JSON.stringify(rows, null, 2));
