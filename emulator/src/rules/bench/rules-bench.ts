/**
 * Throughput of the rules engine on the realistic rules file: compile time, and decisions per
 * second for a get, a validated create, an update with diff(), and a list query.
 * Prints one JSON object. Run: `npx tsx emulator/src/rules/bench/rules-bench.ts [iterations]`.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { compileRules, evaluateAccess, type AccessRequest } from '../index.js';

const iterations = Number(process.argv[2] ?? 20_000);
const source = readFileSync(new URL('../testdata/realistic.rules', import.meta.url), 'utf8');
const ROOT = 'projects/bench/databases/(default)/documents';
const NOW = '2024-06-01T12:00:00Z';
const alice = { uid: 'alice', token: { email: 'alice@example.com' } };
const job = {
  owner: { stringValue: 'alice' },
  status: { stringValue: 'submitted' },
  audio: { stringValue: 'gs://bucket/a.wav' },
  createdAt: { timestampValue: NOW },
};

const compileStart = performance.now();
const compileRuns = 200;
for (let i = 0; i < compileRuns; i++) compileRules(source);
const compileMs = (performance.now() - compileStart) / compileRuns;
const rules = compileRules(source);

const cases: Record<string, AccessRequest> = {
  getOwnJob: { path: `${ROOT}/jobs/j1`, method: 'get', auth: alice, time: NOW, resource: { fields: job } },
  createJob: { path: `${ROOT}/jobs/j1`, method: 'create', auth: alice, time: NOW, requestResource: { fields: job } },
  cancelJob: {
    path: `${ROOT}/jobs/j1`,
    method: 'update',
    auth: alice,
    time: NOW,
    resource: { fields: job },
    requestResource: { fields: { ...job, status: { stringValue: 'cancelled' }, cancelledAt: { timestampValue: NOW } } },
  },
  listOwnJobs: {
    path: ROOT,
    method: 'list',
    auth: alice,
    time: NOW,
    query: {
      from: [{ collectionId: 'jobs' }],
      where: { fieldFilter: { field: { fieldPath: 'owner' }, op: 'EQUAL', value: { stringValue: 'alice' } } },
      limit: 50,
    },
  },
};

const results: Record<string, { allowed: boolean; decisionsPerSecond: number; microsPerDecision: number }> = {};
for (const [name, req] of Object.entries(cases)) {
  const allowed = evaluateAccess(rules, req).allowed;
  for (let i = 0; i < 500; i++) evaluateAccess(rules, req); // warm up
  const start = performance.now();
  for (let i = 0; i < iterations; i++) evaluateAccess(rules, req);
  const ms = performance.now() - start;
  results[name] = {
    allowed,
    decisionsPerSecond: Math.round((iterations / ms) * 1000),
    microsPerDecision: Number(((ms * 1000) / iterations).toFixed(2)),
  };
}

console.log(JSON.stringify({ iterations, compileMs: Number(compileMs.toFixed(3)), results }, null, 2));
