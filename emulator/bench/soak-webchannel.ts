/**
 * WebChannel soak (not a test, not part of `npm test`): opens and abandons thousands of
 * WebChannel sessions against an emulator in a child process, holds live listeners that must
 * all see every update, then checks that the emulator's heap (after full GCs) returns to its
 * baseline once the sessions expired. Prints one JSON object; exits 1 on a leak or a missed
 * update.
 *
 *   npm run soak:webchannel -w @fq/emulator -- [--abandon 3000] [--live 200] [--updates 10]
 *                                               [--session-timeout-ms 60000]
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { WebChannelClient } from '../src/frontends/webchannel/client.js';

const { values } = parseArgs({
  options: {
    abandon: { type: 'string', default: '3000' },
    live: { type: 'string', default: '200' },
    updates: { type: 'string', default: '10' },
    'session-timeout-ms': { type: 'string', default: '60000' },
    concurrency: { type: 'string', default: '50' },
  },
});
const ABANDON = Number(values.abandon);
const LIVE = Number(values.live);
const UPDATES = Number(values.updates);
const CONCURRENCY = Number(values.concurrency);
const projectId = `demo-soak-${process.pid}`;
const database = `projects/${projectId}/databases/(default)`;
const DOC = `${database}/documents/soak/live`;

interface Measure {
  heapUsed: number;
  rss: number;
  listeners: number;
  webChannel: { sessions: number; backchannels: number; bufferedChars: number; opened: number; ended: Record<string, number> };
}

const child = fork(new URL('./soak-emulator-child.ts', import.meta.url), [], {
  execArgv: ['--expose-gc', '--import', 'tsx'],
  env: { ...process.env, SOAK_SESSION_TIMEOUT_MS: values['session-timeout-ms'], SOAK_PROJECT: projectId },
});
const ready = await new Promise<{ url: string; sessionTimeoutMs: number }>((resolve, reject) => {
  child.once('message', (m) => resolve(m as { url: string; sessionTimeoutMs: number }));
  child.once('exit', (code) => reject(new Error(`emulator child exited with ${code}`)));
});
let measureId = 0;
function measure(): Promise<Measure> {
  const id = ++measureId;
  return new Promise((resolve) => {
    const onMessage = (m: { type: string; id: number } & Measure): void => {
      if (m.type !== 'measured' || m.id !== id) return;
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
    child.send({ type: 'measure', id });
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const streamingAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

async function commit(v: number): Promise<void> {
  const res = await fetch(`${ready.url}/v1/${database}/documents:commit`, {
    method: 'POST',
    body: JSON.stringify({ writes: [{ update: { name: DOC, fields: { v: { integerValue: String(v) } } } }] }),
  });
  if (!res.ok) throw new Error(`commit failed: ${res.status} ${await res.text()}`);
}

const queryTarget = (targetId: number) => ({
  database,
  addTarget: { targetId, query: { parent: `${database}/documents`, structuredQuery: { from: [{ collectionId: 'soak' }], orderBy: [{ field: { fieldPath: '__name__' }, direction: 'ASCENDING' }] } } },
});
const docTarget = (targetId: number) => ({ database, addTarget: { targetId, documents: { documents: [DOC] } } });

/** Runs `task(i)` for i in [0, n) with bounded concurrency. */
async function pool(n: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, n) }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return Math.round(performance.now() - started);
}

function latestValue(c: WebChannelClient): number | undefined {
  for (let i = c.messages.length - 1; i >= 0; i--) {
    const change = (c.messages[i] as { documentChange?: { document?: { fields?: { v?: { integerValue?: string } } } } }).documentChange;
    if (change) return Number(change.document?.fields?.v?.integerValue);
  }
  return undefined;
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 100) / 100;
const started = performance.now();
await commit(0);

// Warm up every code path once, so the baseline includes code and caches, not just an idle heap.
await pool(20, async (i) => {
  const c = new WebChannelClient(ready.url, 'Listen', database, { agent: streamingAgent, longPoll: i % 2 === 1 });
  await c.open(i % 2 ? queryTarget(2) : docTarget(2));
  c.startBackchannel();
  await c.until(() => c.messages.length > 0, 10_000);
  await c.terminate();
});
await waitUntil('warm-up sessions to end', async () => (await measure()).webChannel.sessions === 0, 60_000);
await fetch(`${ready.url}/emulator/v1/projects/${projectId}:meter`, { method: 'DELETE' });
const baseline = await measure();

// 1. Thousands of sessions opened and abandoned: a third never attach a backchannel, a third
// attach a streaming one, a third a long poll; all vanish without a terminate.
const abandonStarted = performance.now();
await pool(ABANDON, async (i) => {
  const c = new WebChannelClient(ready.url, 'Listen', database, { agent: i % 3 === 0 ? agent : streamingAgent, longPoll: i % 3 === 2 });
  await c.open(i % 2 ? queryTarget(2) : docTarget(2));
  if (i % 3 !== 0) {
    c.startBackchannel();
    await c.until(() => c.messages.length > 0, 30_000, 'first answer');
  }
  c.abandon();
});
const abandonMs = Math.round(performance.now() - abandonStarted);
const withAbandoned = await measure();

// 2. Live listeners (three quarters streaming, a quarter long polling) that must all see every update.
const live = await Promise.all(
  Array.from({ length: LIVE }, async (_, i) => {
    const c = new WebChannelClient(ready.url, 'Listen', database, { agent: streamingAgent, longPoll: i % 4 === 3 });
    await c.open(docTarget(2));
    c.startBackchannel();
    return c;
  }),
);
await waitUntil('live listeners to see the document', () => live.every((c) => latestValue(c) === 0), 60_000);
const updatesStarted = performance.now();
for (let v = 1; v <= UPDATES; v++) await commit(v);
const allSeenMs = await waitUntil('every listener to see every update', () => live.every((c) => latestValue(c) === UPDATES), 60_000);
const updatesMs = Math.round(performance.now() - updatesStarted);
const withLive = await measure();
const liveErrors = live.filter((c) => c.error !== undefined).length;

// 3. Half the live listeners leave properly, half vanish; everything must be freed.
await Promise.all(live.map((c, i) => (i % 2 ? c.terminate() : (c.abandon(), Promise.resolve()))));
const drainMs = await waitUntil('every session to end', async () => {
  const m = await measure();
  return m.webChannel.sessions === 0 && m.listeners === 0;
}, ready.sessionTimeoutMs * 3 + 30_000);
await fetch(`${ready.url}/emulator/v1/projects/${projectId}:meter`, { method: 'DELETE' });
const final = await measure();

const deltaBytes = final.heapUsed - baseline.heapUsed;
// "Back to baseline": within 2 MiB or 5 % of the baseline heap, whichever is larger.
const tolerance = Math.max(2 * 1024 * 1024, baseline.heapUsed * 0.05);
const result = {
  config: { abandoned: ABANDON, live: LIVE, updates: UPDATES, sessionTimeoutMs: ready.sessionTimeoutMs, concurrency: CONCURRENCY },
  heapUsedMB: { baseline: mb(baseline.heapUsed), withAbandonedSessions: mb(withAbandoned.heapUsed), withLiveListeners: mb(withLive.heapUsed), final: mb(final.heapUsed) },
  rssMB: { baseline: mb(baseline.rss), final: mb(final.rss) },
  deltaMB: mb(deltaBytes),
  toleranceMB: mb(tolerance),
  returnedToBaseline: deltaBytes <= tolerance,
  sessions: { openWithAbandoned: withAbandoned.webChannel.sessions, openWithLive: withLive.webChannel.sessions, final: final.webChannel.sessions, opened: final.webChannel.opened, ended: final.webChannel.ended },
  listeners: { withLive: withLive.listeners, final: final.listeners },
  liveUpdates: { allListenersSawEveryUpdate: live.every((c) => latestValue(c) === UPDATES), clientErrors: liveErrors, allSeenAfterMs: allSeenMs, updatesMs },
  timingsMs: { abandonPhase: abandonMs, drainAfterClose: drainMs, total: Math.round(performance.now() - started) },
};
console.log(JSON.stringify(result, null, 2));
child.send({ type: 'stop' });
agent.destroy();
streamingAgent.destroy();
process.exitCode = result.returnedToBaseline && result.liveUpdates.allListenersSawEveryUpdate && final.webChannel.sessions === 0 ? 0 : 1;
