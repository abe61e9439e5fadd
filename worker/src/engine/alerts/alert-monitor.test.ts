import { afterEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../schema/audit.js';
import type { AlertEventDoc } from '../../schema/alerts.js';
import type { QueueStatsDoc } from '../../schema/analytics.js';
import { SINGLETON_IDS } from '../../schema/names.js';
import { bulkControlDocSchema } from '../../schema/bulk.js';
import { QUERIES } from '../../schema/queries.js';
import { seededRandom } from '../../core/ids.js';
import { MemoryDatabase, MemoryStore } from '../../adapters/memory/memory-store.js';
import { WebhookAlertSink } from '../../adapters/alerts/webhook-sink.js';
import { FakeClock } from '../../testing/fake-clock.js';
import { FakeTranscriber } from '../../testing/fake-transcriber.js';
import { TEST_CONFIG, engineContext, uniquePrefix } from '../../testing/engine-fixture.js';
import { waitFor } from '../../testing/wait.js';
import { startWebhookReceiver, type Answer, type WebhookReceiver } from '../../testing/webhook-receiver.js';
import { queryOf } from '../../ports/store.js';
import { QueueWorker } from '../../runtime/worker.js';
import { createQueue } from '../../runtime/queue.js';
import { AlertMonitor } from './alert-monitor.js';

const admin: Actor = { kind: 'admin', id: 'ops-uid', email: 'ops@example.com' };
const MODEL = 'gemini-2.5-flash';

interface Fixture {
  clock: FakeClock;
  receiver: WebhookReceiver;
  workers: QueueWorker[];
  queue: ReturnType<typeof createQueue>;
  store: MemoryStore;
  add(serverId: string): QueueWorker;
}

let current: Fixture | null = null;

afterEach(async () => {
  const f = current;
  current = null;
  if (!f) return;
  const running = f.workers.filter((w) => w.status().state !== 'stopped');
  const stopping = Promise.all(running.map((w) => w.stop({ graceMs: 100 })));
  await f.clock.advanceUntil(() => running.every((w) => w.status().state === 'stopped'), 100, 60_000);
  await stopping;
  await f.receiver.close();
});

async function fixture(answer?: (n: number) => Answer, alerts: Record<string, unknown> = {}): Promise<Fixture> {
  const clock = new FakeClock();
  const shared = new MemoryDatabase();
  const prefix = uniquePrefix('alerts');
  const receiver = await startWebhookReceiver(answer);
  const config = {
    ...TEST_CONFIG,
    alerts: { webhooks: [receiver.url('/services/T1/B1/secret')], delivery: { attempts: 2, backoffMs: 500, timeoutMs: 2_000 }, ...alerts },
  };
  const transcriber = new FakeTranscriber(clock);
  const store = new MemoryStore({ shared, prefix, clock });
  const workers: QueueWorker[] = [];
  let seed = 1;
  const add = (serverId: string) => {
    const w = new QueueWorker({ store: new MemoryStore({ shared, prefix, clock }), transcriber, config, serverId, clock, random: seededRandom(seed++) });
    workers.push(w);
    return w;
  };
  const f = { clock, receiver, workers, queue: createQueue({ store, config, clock, clientId: 'api' }), store, add };
  current = f;
  return f;
}

async function feed(store: MemoryStore): Promise<AlertEventDoc[]> {
  const { docs } = await store.query(queryOf(QUERIES.alertFeed, {}, { limit: 20 }));
  return docs.map((d) => d.data);
}

const posted = (r: WebhookReceiver) => r.received.map((p) => (p.body as { text: string }).text);

async function leaderOf(f: Fixture): Promise<QueueWorker> {
  await f.clock.advanceUntil(() => f.workers.some((w) => w.status().leadership.isLeader), 50, 30_000);
  return f.workers.find((w) => w.status().leadership.isLeader)!;
}

describe('alerts on the memory store, delivered to a local webhook receiver', () => {
  it('sends a breaker opening once while it stays open, and its resolve once when it closes, each in the feed with its delivery', async () => {
    const f = await fixture();
    await Promise.all([f.add('w1').start(), f.add('w2').start()]);
    await leaderOf(f);
    await f.queue.control({ type: 'breaker.force_open', model: MODEL, reason: 'upstream incident' }, admin);
    await f.clock.advance(10);
    await waitFor(() => f.receiver.received.length === 1, { what: 'the firing POST' });
    expect(f.receiver.received[0]!.path).toBe('/services/T1/B1/secret');
    expect(posted(f.receiver)[0]).toMatch(/^:red_circle: FIRING: Circuit breaker open: gemini-2\.5-flash - .*forced open by ops@example\.com\. Meanwhile its jobs wait\.$/);
    expect((f.receiver.received[0]!.body as { blocks: unknown[] }).blocks).toHaveLength(2);

    // Many leader rounds later (the fleet idles meanwhile): still one message.
    await f.clock.advance(5 * 60_000);
    expect(f.receiver.received).toHaveLength(1);

    await f.queue.control({ type: 'breaker.reset', model: MODEL, reason: 'fixed' }, admin);
    await f.clock.advance(10);
    await waitFor(() => f.receiver.received.length === 2, { what: 'the resolve POST' });
    expect(posted(f.receiver)[1]).toMatch(/^:white_check_mark: RESOLVED after 5 min: Circuit breaker open: gemini-2\.5-flash - gemini-2\.5-flash is closed: reset: fixed \(by ops@example\.com\); upstream calls resume\.$/);

    const events = await waitFor(async () => {
      const e = await feed(f.store);
      return e.length === 2 && e.every((x) => x.delivery.state === 'delivered') && e;
    }, { what: 'both deliveries recorded' });
    expect(events.map((e) => [e.status, e.key])).toEqual([
      ['resolved', `breaker_open:${MODEL}`],
      ['firing', `breaker_open:${MODEL}`],
    ]);
    expect(events[0]!.delivery.webhooks).toEqual([expect.objectContaining({ ok: true, status: 200, attempts: 1, target: expect.stringMatching(/^127\.0\.0\.1:\d+ #1$/) })]);
    expect(JSON.stringify(events)).not.toContain('secret');
    const state = (await f.store.get('alertState', SINGLETON_IDS.alertState)).doc;
    expect(state?.active).toEqual({});
  });

  it('a bulk control the fleet gave up on fires one alert, resolved when an operator resumes it', async () => {
    const f = await fixture();
    await Promise.all([f.add('w1').start(), f.add('w2').start()]);
    await leaderOf(f);
    const now = f.clock.now();
    // As a carrier leaves it when the store keeps refusing its page query (see core/controls/bulk-failure).
    const failed = bulkControlDocSchema.parse({
      action: 'job.cancel',
      filter: { status: 'queued', userId: 'nobody' },
      description: 'status=queued, user=nobody',
      requestedBy: admin,
      createdAt: now - 1_000,
      createdBefore: now - 1_000,
      state: 'failed',
      progress: { matched: 16, done: 16, steps: 1, lastError: 'FAILED_PRECONDITION: index missing' },
      cursor: {},
      updatedAt: now,
      finishedAt: now,
    });
    await f.store.commit([{ op: 'set', collection: 'bulkControls', id: 'bulk-1', data: failed }]);
    await f.clock.advance(10);
    await waitFor(() => f.receiver.received.length === 1, { what: 'the firing POST' });
    expect(posted(f.receiver)[0]).toMatch(
      /^:red_circle: FIRING: Bulk control failed: Cancel all matching \(status=queued, user=nobody\) - the fleet gave up on bulk-1 \(started by ops@example\.com\) .* after 16 of 16 matching job\(s\): FAILED_PRECONDITION: index missing\./,
    );
    // Leader rounds later: still one message.
    await f.clock.advance(60_000);
    expect(f.receiver.received).toHaveLength(1);

    await f.queue.control({ type: 'bulk.resume', bulkId: 'bulk-1', reason: 'index deployed' }, admin);
    await f.clock.advance(10);
    await waitFor(() => f.receiver.received.length === 2, { what: 'the resolve POST' });
    expect(posted(f.receiver)[1]).toMatch(/^:white_check_mark: RESOLVED after 1 min: Bulk control failed: Cancel all matching/);
    const state = (await f.store.get('alertState', SINGLETON_IDS.alertState)).doc;
    expect(state?.active).toEqual({});
  });

  it('a new leader does not send again what is firing, and sends its resolve once', async () => {
    const f = await fixture();
    const [w1, w2] = [f.add('w1'), f.add('w2')];
    await w1.start();
    await leaderOf(f);
    await w2.start();
    await f.queue.control({ type: 'breaker.force_open', model: MODEL, reason: null }, admin);
    await f.clock.advance(10);
    await waitFor(() => f.receiver.received.length === 1);

    const stopping = w1.stop({ graceMs: 100 });
    await f.clock.advanceUntil(() => w2.status().leadership.isLeader, 50, 30_000);
    await stopping;
    await f.clock.advance(60_000);
    // w1 was not the last server (w2 runs): no "no live server" either.
    expect(posted(f.receiver)).toHaveLength(1);

    await f.queue.control({ type: 'breaker.reset', model: MODEL, reason: null }, admin);
    await f.clock.advance(10);
    await waitFor(() => f.receiver.received.length === 2);
    await f.clock.advance(60_000);
    expect(posted(f.receiver).map((t) => t.split(':')[1])).toEqual(['red_circle', 'white_check_mark']);
    expect((await feed(f.store))[0]).toMatchObject({ status: 'resolved', sentBy: 'w2' });
  });

  it('records a failed delivery with its status and keeps alerting', async () => {
    const f = await fixture(() => ({ status: 500, body: 'internal_error' }));
    await f.add('w1').start();
    await leaderOf(f);
    await f.queue.control({ type: 'breaker.force_open', model: MODEL, reason: null }, admin);
    await f.clock.advance(10);
    await waitFor(() => f.receiver.received.length === 1, { what: 'the first attempt' });
    // The retry after the backoff (fake time).
    await f.clock.advance(500);
    await waitFor(() => f.receiver.received.length === 2, { what: 'the retry' });
    const [event] = await waitFor(async () => {
      const e = await feed(f.store);
      return e[0]?.delivery.state === 'failed' && e;
    }, { what: 'the failure recorded' });
    expect(event!.delivery.webhooks).toEqual([expect.objectContaining({ ok: false, status: 500, attempts: 2, error: 'HTTP 500: internal_error' })]);

    await f.queue.control({ type: 'breaker.reset', model: MODEL, reason: null }, admin);
    await f.clock.advance(10);
    await waitFor(async () => (await feed(f.store)).length === 2, { what: 'the resolve recorded' });
  });

  it('the last server to stop sends "no live server"; the next leader resolves it', async () => {
    const f = await fixture();
    const w1 = f.add('w1');
    await w1.start();
    await leaderOf(f);
    const stopping = w1.stop({ graceMs: 100 });
    await f.clock.advanceUntil(() => w1.status().state === 'stopped', 50, 30_000);
    await stopping;
    await waitFor(() => f.receiver.received.length === 1, { what: 'the shutdown POST' });
    expect(posted(f.receiver)[0]).toMatch(/^:red_circle: FIRING: No live server - the last live server \(w1\) stopped/);
    expect((await feed(f.store))[0]).toMatchObject({ key: 'no_live_server', status: 'firing', term: 0, sentBy: 'w1' });

    await f.clock.advance(20 * 60_000);
    await f.add('w2').start();
    await leaderOf(f);
    await waitFor(() => f.receiver.received.length === 2, { what: 'the resolve' });
    expect(posted(f.receiver)[1]).toMatch(/^:white_check_mark: RESOLVED after 20 min: No live server - no server ran the queue from .* \(20 min\): the last server stopped; server w2 leads again\.$/);
    await f.clock.advance(5 * 60_000);
    expect(f.receiver.received).toHaveLength(2);
  });

  it('a leader taking over a lease that lapsed long ago reports the outage once, as over', async () => {
    const f = await fixture();
    const now = f.store.now();
    // Every server died ten minutes ago (the last leader never resigned).
    await f.store.commit([
      { op: 'set', collection: 'leader', id: SINGLETON_IDS.leaderLease, data: { holder: 'dead', term: 7, acquiredAt: now - 3_600_000, renewedAt: now - 600_000, expiresAt: now - 590_000, idle: false } },
    ]);
    await f.add('w1').start();
    await leaderOf(f);
    await waitFor(() => f.receiver.received.length === 1);
    expect(posted(f.receiver)[0]).toMatch(/^:white_check_mark: RESOLVED after 10 min: No live server - no server ran the queue from .* \(10 min\): every server stopped or lost Firestore \(last leader dead\); server w1 leads again\.$/);
    await f.clock.advance(5 * 60_000);
    expect(f.receiver.received).toHaveLength(1);
  });
});

describe('AlertMonitor on the stats the leader keeps', () => {
  function stats(at: number, patch: Partial<QueueStatsDoc> & { deadLettered?: number; queued?: number } = {}): QueueStatsDoc {
    const { deadLettered = 0, queued = 0, ...rest } = patch;
    return {
      at,
      byStatus: { submitted: 0, queued, waiting: 0, running: 0, succeeded: 0, failed: 0, dead_lettered: deadLettered, cancelled: 0, rejected: 0 },
      oldestQueuedAt: null,
      paused: false,
      pausedPriorities: [],
      ...rest,
    } as unknown as QueueStatsDoc;
  }

  it('fires on dead letters growing and on a stalled queue, costs no read once the state is cached, and resolves both', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ prefix: uniquePrefix('monitor'), clock });
    const receiver = await startWebhookReceiver();
    try {
      const ctx = engineContext(store, {
        serverId: 'leader',
        clock,
        config: { alerts: { webhooks: [receiver.url()], deadLetters: { rise: 3, windowMs: 300_000 }, oldestQueued: { maxAgeMs: 120_000 } } },
      });
      let latest: QueueStatsDoc | null = null;
      const sink = new WebhookAlertSink({ webhooks: ctx.config.alerts.webhooks, ...ctx.config.alerts.delivery, clock });
      const monitor = new AlertMonitor(ctx, { stats: () => latest, takeover: () => null, sink });
      const signal = new AbortController().signal;
      const t0 = store.now();
      const run = async (ms: number, s: QueueStatsDoc) => {
        await clock.advance(ms);
        latest = s;
        await monitor.run({ term: 1, signal });
        await monitor.settled();
      };
      await run(0, stats(t0, { deadLettered: 2, queued: 1, oldestQueuedAt: t0 }));
      expect(receiver.received).toHaveLength(0);
      const reads = store.meter.reads;
      await run(30_000, stats(t0 + 30_000, { deadLettered: 5, queued: 1, oldestQueuedAt: t0 }));
      expect(posted(receiver)).toEqual([expect.stringMatching(/^:red_circle: FIRING: Dead letters growing - 3 job\(s\) dead-lettered in the last 5 min/)]);
      await run(100_000, stats(t0 + 130_000, { deadLettered: 5, queued: 2, oldestQueuedAt: t0 }));
      expect(posted(receiver)).toHaveLength(2);
      expect(posted(receiver)[1]).toMatch(/^:red_circle: FIRING: Queued jobs are not being served - the oldest of 2 queued job\(s\) has waited 2 min 10 s/);
      // The growth left the five-minute window; the queue emptied.
      await run(210_000, stats(t0 + 340_000, { deadLettered: 5 }));
      expect(posted(receiver).slice(2).map((t) => t.split(' - ')[0]).sort()).toEqual([
        ':white_check_mark: RESOLVED after 3 min 40 s: Queued jobs are not being served',
        ':white_check_mark: RESOLVED after 5 min 10 s: Dead letters growing',
      ]);
      // The state document was read once, on the first run; evaluations read nothing after it.
      expect(store.meter.reads - reads).toBe(0);
    } finally {
      await receiver.close();
    }
  });
});
