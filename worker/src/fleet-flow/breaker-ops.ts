import type { BreakerDoc } from '../schema/flow.js';
import type { FleetHealth } from '../core/flow-policy/outage.js';
import {
  acquireProbe,
  completeProbe,
  evaluateBreaker,
  initialBreaker,
  tripBreaker,
  type BreakerConfig,
  type BreakerStep,
  type OutcomeCounts,
  type ProbeGrant,
  type ProbeResult,
} from '../core/flow-policy/index.js';
import { ContentionError, guardFor, type DocStore } from '../ports/store.js';
import { checkLeader } from './leader-fence.js';

/** Guarded attempts of one breaker step before it gives up with ContentionError. */
const MAX_STEP_ATTEMPTS = 8;

/**
 * The breaker's steps: read the model's document, take one pure step, write it back only when
 * it changed, guarded by the version read (no transaction: a server killed inside one locked
 * the breaker until Firestore expired it, and every probe waited). A step that lost the race
 * to another writer judges again on what is stored. One step per transition (or per probe
 * hand-out), never one per job. Times are the read's store time, never a server's clock.
 */
async function step(
  store: DocStore,
  model: string,
  fn: (doc: BreakerDoc, now: number) => BreakerStep,
): Promise<BreakerStep> {
  for (let attempt = 1; ; attempt++) {
    const { doc: stored, readTime: now, version } = await store.get('breakers', model);
    const result = fn(stored ?? initialBreaker(model, now), now);
    if (!result.changed) return result;
    const res = await store.commitIf([{ op: 'set', collection: 'breakers', id: model, data: result.doc, guard: guardFor(version) }]);
    if (res.ok) return result;
    if (attempt >= MAX_STEP_ATTEMPTS) throw new ContentionError(attempt);
  }
}

/** A server's streak trip; `streak` (its failures in a row by class) is kept on the breaker as the trip's evidence. */
export function tripOpen(
  store: DocStore,
  model: string,
  reason: string,
  by: string,
  config: BreakerConfig,
  streak?: { failuresByClass: Readonly<Record<string, number>>; since: number | null },
): Promise<BreakerStep> {
  return step(store, model, (doc, now) => tripBreaker(doc, reason, { now, config, by }, streak));
}

export async function takeProbe(
  store: DocStore,
  model: string,
  by: string,
  config: BreakerConfig,
): Promise<{ grant: ProbeGrant | null; retryAfterMs: number; doc: BreakerDoc }> {
  let grant: ProbeGrant | null = null;
  let retryAfterMs = 0;
  const result = await step(store, model, (doc, now) => {
    const r = acquireProbe(doc, { now, config, by });
    grant = r.granted;
    retryAfterMs = r.granted === null ? r.retryAfterMs : 0;
    return r;
  });
  return { grant, retryAfterMs, doc: result.doc };
}

export function finishProbe(
  store: DocStore,
  model: string,
  token: number,
  result: ProbeResult,
  by: string,
  config: BreakerConfig,
): Promise<BreakerStep> {
  return step(store, model, (doc, now) => completeProbe(doc, token, result, { now, config, by }));
}

/**
 * The leader's evaluation of the fleet window, fenced by its term. `writeWindow` also stores
 * the window summary when nothing transitions (the dashboard's view), at a pace the caller sets.
 */
export async function evaluateFenced(
  store: DocStore,
  model: string,
  counts: OutcomeCounts & { start: number; health?: FleetHealth | null; liveServers?: readonly string[] | null },
  leader: { serverId: string; term: number },
  config: BreakerConfig,
  writeWindow: boolean,
): Promise<BreakerStep> {
  // Reads and a write guarded by the breaker's version, not a transaction: a leader killed
  // inside a transaction locked the lease and the breaker until Firestore expired it.
  for (let attempt = 1; ; attempt++) {
    await checkLeader(store, leader.serverId, leader.term);
    const { doc: stored, readTime: now, version } = await store.get('breakers', model);
    const result = evaluateBreaker(stored ?? initialBreaker(model, now), counts, { now, config, by: leader.serverId });
    if (!(result.changed || (writeWindow && (stored !== null || counts.successes + Object.keys(counts.failuresByClass).length > 0)))) return result;
    const data = result.changed ? result.doc : { ...result.doc, updatedAt: now };
    const res = await store.commitIf([{ op: 'set', collection: 'breakers', id: model, data, guard: guardFor(version) }]);
    if (res.ok) return result;
    // A server's probe or an operator wrote the breaker meanwhile: judge again on what is stored.
    if (attempt >= MAX_STEP_ATTEMPTS) throw new ContentionError(attempt);
  }
}
