import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FirestoreStore } from '@fq/worker';
import { startSystem } from '../../system/index.js';
import { parseStartArgs } from '../../system/cli/options.js';
import { atMost, never, reported, type Figure } from '../lib/goals.js';
import { allJobs, countBy } from '../lib/queue-driver.js';
import { crashedWorkers } from '../lib/rig.js';
import { runPrefix, type Scenario, type ScenarioContext } from '../lib/scenario.js';
import { round } from '../lib/stats.js';
import { demoEpisodeFigures, parseEpisodeMessage, type DemoEpisode, type DemoSample } from './demo-figures.js';

/**
 * `npm start`'s demo, as `npm start` runs it (the CLI's own option parsing with no flags: 3
 * workers, 1 job/s from six users, bursts, an overload episode every 90 s alternating a
 * capacity drop to 1 and a 503 outage), for `seconds`; then the traffic stops and the queue
 * drains. Sampled every 500 ms: the shared breaker and the fleet limit. Checks what the README
 * says the episodes do: a capacity drop makes the adaptive limit back off, an outage opens the
 * breaker (within 5 s here, as in the outage scenario) and it closes after; and that no job is
 * dead-lettered by either.
 */
export interface DemoOptions {
  seconds: number;
  drainTimeoutMs: number;
}

export function demoDefaults(quick: boolean): DemoOptions {
  // The first capacity episode starts 90 s in, the first outage 180 s in (25 s each).
  return { seconds: quick ? 130 : 240, drainTimeoutMs: 120_000 };
}

export interface DemoResult {
  options: DemoOptions;
  episodes: ReturnType<typeof demoEpisodeFigures>;
  statuses: Record<string, number>;
  deadLetters: { id: string; errorClasses: string[] }[];
  jobs: number;
  notTerminal: number;
  figures: { deadLettered: Figure; outageOpenAfterSec: Figure; capacityLimitBackedOff: Figure; notTerminal: Figure };
}

const TERMINAL = new Set(['succeeded', 'dead_lettered', 'cancelled']);

export async function measureDemo(ctx: ScenarioContext, options: DemoOptions): Promise<DemoResult> {
  const parsed = parseStartArgs([], {}, null);
  if (parsed === 'help') throw new Error('unreachable: no arguments');
  const projectId = 'demo-fq-bench-demo';
  const prefix = runPrefix('dm');
  const episodes: DemoEpisode[] = [];
  let started = 0;
  ctx.log('demo: starting the system as npm start does (3 workers, demo traffic with episodes)');
  const system = await startSystem({
    ...parsed.system,
    projectId,
    prefix,
    ports: { firestore: 0, auth: 0, dashboard: 0, gemini: 0, control: 0 },
    firestoreEmulatorHost: null,
    authEmulatorHost: null,
    geminiApiKey: null,
    traffic: parsed.system.traffic ? { ...parsed.system.traffic, seed: ctx.seed } : null,
    dashboard: false,
    control: false,
    // The children get this process's environment (PATH, ...); the explicit nulls above keep
    // them off any emulator or Gemini key it names.
    env: process.env,
    logDir: mkdtempSync(join(tmpdir(), 'fq-bench-dm-')),
    onEvent: (e) => {
      if (e.type !== 'traffic') return;
      const parsedEvent = parseEpisodeMessage(e.message);
      if (!parsedEvent) return;
      const at = Date.now() - started;
      if (parsedEvent.kind === 'end') {
        const open = episodes.at(-1);
        if (open && open.endMs === null) open.endMs = at;
      } else {
        episodes.push({ kind: parsedEvent.kind, startMs: at, endMs: null });
        ctx.log(`demo: ${parsedEvent.kind} episode at ${round(at / 1000, 1)} s`);
      }
    },
  });
  started = Date.now();
  const model = system.info.gemini.model;
  const store = new FirestoreStore({ projectId, prefix, emulatorHost: system.info.firestore.hostAndPort });
  const samples: DemoSample[] = [];
  try {
    while (Date.now() - started < options.seconds * 1000) {
      const [breaker, budget] = await Promise.all([store.get('breakers', model), store.get('budgets', model)]);
      samples.push({ atMs: Date.now() - started, breaker: breaker.doc?.state ?? 'closed', fleetLimit: budget.doc?.adaptiveLimit ?? null });
      await sleep(500);
    }
    ctx.log('demo: traffic stops; draining');
    await system.setTrafficRate(0);
    const drainUntil = Date.now() + options.drainTimeoutMs;
    let jobs = await allJobs(store);
    while (jobs.some((j) => !TERMINAL.has(j.status)) && Date.now() < drainUntil) {
      await sleep(1_000);
      jobs = await allJobs(store);
    }
    const crashed = await crashedWorkers(system);
    if (crashed.length > 0) throw new Error(`demo: workers crashed: ${crashed.join('; ')}`);
    const breakerDoc = (await store.get('breakers', model)).doc;
    const history = (breakerDoc?.history ?? []).map((h) => ({ to: h.to, atMs: h.at - started, reason: h.reason }));
    const figures = demoEpisodeFigures(episodes, samples, history);
    const dead = jobs.filter((j) => j.status === 'dead_lettered');
    const notTerminal = jobs.filter((j) => !TERMINAL.has(j.status)).length;
    const outages = figures.filter((e) => e.kind === 'outage');
    const capacities = figures.filter((e) => e.kind === 'capacity');
    const worstOpen = outages.some((o) => o.openAfterSec === null) ? null : Math.max(...outages.map((o) => o.openAfterSec ?? 0));
    return {
      options,
      episodes: figures,
      statuses: countBy(jobs, (j) => j.status),
      deadLetters: dead.map((j) => ({ id: j.id, errorClasses: j.errors.map((e) => e.errorClass) })),
      jobs: jobs.length,
      notTerminal,
      figures: {
        deadLettered: atMost(dead.length, 0, 'jobs'),
        outageOpenAfterSec: outages.length === 0 ? reported(null, 's') : worstOpen === null ? never('<= 5', 's') : atMost(worstOpen, 5, 's'),
        capacityLimitBackedOff: reported(capacities.length === 0 ? null : capacities.filter((c) => c.backedOff).length / capacities.length),
        notTerminal: atMost(notTerminal, 0, 'jobs'),
      },
    };
  } finally {
    await store.close().catch(() => undefined);
    await system.stop();
  }
}

export const demoScenario: Scenario<DemoResult> = async (ctx) => {
  const result = await measureDemo(ctx, demoDefaults(ctx.quick));
  return {
    result,
    tables: [
      {
        title: `demo (seed ${ctx.seed}): npm start's traffic and overload episodes for ${result.options.seconds} s, then drained`,
        headers: ['metric', 'value', 'goal'],
        rows: [
          ...result.episodes.map((e): [string, string | number | null, string | null] =>
            e.kind === 'outage'
              ? [
                  `outage ${e.startSec}-${e.endSec ?? '?'} s: breaker open after (s) / closed after the end (s)`,
                  `${e.openAfterSec ?? 'never'} / ${e.closedAfterEndSec ?? 'not closed'}`,
                  '<= 5 / -',
                ]
              : [`capacity drop ${e.startSec}-${e.endSec ?? '?'} s: fleet limit before -> lowest during`, `${e.limitBefore ?? '-'} -> ${e.lowestLimit ?? '-'}`, 'backs off'],
          ),
          ['jobs dead-lettered', result.figures.deadLettered.value, '0'],
          ['jobs not terminal after the drain', result.notTerminal, '0'],
          ['final statuses', JSON.stringify(result.statuses), null],
          ['dead letters (error classes of their attempts)', result.deadLetters.map((d) => `${d.id}: ${d.errorClasses.join(',')}`).join('; ') || '-', null],
        ],
        notes: ['the system as `npm start` starts it (its option parsing, no flags), without the dashboard; episodes come from the demo traffic plan'],
      },
    ],
  };
};
