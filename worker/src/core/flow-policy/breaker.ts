import { MAX_BREAKER_HISTORY, type BreakerDoc, type BreakerState, type BreakerTransition, type BreakerTrip } from '../../schema/flow.js';
import { InvalidTransitionError } from '../errors.js';
import { countFailures, type BreakerConfig, type OutcomeCounts, windowTripReason } from './breaker-rules.js';
import { outageTripReason, type FleetHealth } from './outage.js';

/**
 * The circuit breaker shared by the fleet, one per model, as a pure state machine over the
 * `transcription_circuit_breaker/{model}` document: every transition, automatic (the
 * fleet's trips and probes, `flow/breaker-ops`) and manual (an operator's override or reset,
 * `core/controls/breaker-controls`), and the document a model starts from. Callers read the
 * document, call one function here, and write `doc` back when `changed`.
 *
 *            trip (streak / window rules)              probe due (now >= nextProbeAt)
 *   closed ---------------------------------> open -----------------------------> half_open
 *     ^                                        ^  <--- probe failed / timed out ---    |
 *     +------------- probe succeeded ----------+---------------------------------------+
 *
 * - Exactly one probe: `acquireProbe` hands a fenced lease (holder, token, expiresAt) to one
 *   caller; everyone else is refused until it resolves. `completeProbe` only accepts the
 *   current token, so a late or duplicate result can never flip the breaker.
 * - Recovery time: `recoveryTimeMs` after opening, doubled after each failed probe up to
 *   `maxRecoveryTimeMs` (`consecutiveFailures` counts failed probes in a row).
 * - A probe whose lease expires counts as failed (the upstream hung, or the holder died).
 * - An inconclusive probe (an ignored class: invalid input, cancel) releases the lease and
 *   stays half-open, so the next caller probes at once.
 * - Manual overrides (`operateBreaker`, applied by the control planner, which also appends
 *   the audit entry) win over everything here: force_open refuses every call and every
 *   probe; force_closed lets every call through and stops automatic trips; once cleared,
 *   automatic operation resumes (a breaker left open with no `nextProbeAt` has its probe due
 *   at once); reset closes with counters zeroed.
 * - Every transition increments `generation` and lands in the bounded `history`.
 * - An automatic opening from closed records its evidence in `trip` (which rule, how many
 *   failures among how many calls, by class): the new state starts a new `window`, and the
 *   dashboard must still say what opened the breaker.
 */
export interface BreakerStep {
  doc: BreakerDoc;
  /** True when `doc` differs from the input and must be written. */
  changed: boolean;
  transition: BreakerTransition | null;
}

export interface BreakerContext {
  now: number;
  config: BreakerConfig;
  /** Server id, or admin uid for manual actions. */
  by: string;
}

export function initialBreaker(model: string, now: number): BreakerDoc {
  return {
    model,
    state: 'closed',
    generation: 0,
    since: now,
    openedAt: null,
    nextProbeAt: null,
    probe: null,
    probeToken: 0,
    window: null,
    consecutiveFailures: 0,
    trip: null,
    override: null,
    overrideBy: null,
    overrideAt: null,
    history: [],
    updatedAt: now,
  };
}

/** What opened a breaker automatically, before `open` stamps it with the time and the judge. */
export type TripEvidence = Omit<BreakerTrip, 'at' | 'reason' | 'by'>;

/** Wait before the next probe after `failedProbes` failed probes in a row. */
export function recoveryDelay(failedProbes: number, config: BreakerConfig): number {
  const cap = Math.max(config.maxRecoveryTimeMs, config.recoveryTimeMs);
  return Math.min(cap, config.recoveryTimeMs * 2 ** Math.min(failedProbes, 30));
}

const unchanged = (doc: BreakerDoc): BreakerStep => ({ doc, changed: false, transition: null });

function moveTo(doc: BreakerDoc, to: BreakerState, ctx: Pick<BreakerContext, 'now' | 'by'>, reason: string, patch: Partial<BreakerDoc>): BreakerStep {
  const transition: BreakerTransition = { from: doc.state, to, at: ctx.now, reason: reason.slice(0, 500), by: ctx.by };
  const next: BreakerDoc = {
    ...doc,
    ...patch,
    state: to,
    generation: doc.generation + 1,
    since: ctx.now,
    updatedAt: ctx.now,
    history: [...doc.history, transition].slice(-MAX_BREAKER_HISTORY),
  };
  return { doc: next, changed: true, transition };
}

/** `evidence`: an automatic trip from closed (a failed probe re-opens with the first trip's evidence kept). */
function open(doc: BreakerDoc, ctx: BreakerContext, reason: string, failedProbes: number, evidence: TripEvidence | null = null): BreakerStep {
  return moveTo(doc, 'open', ctx, reason, {
    openedAt: doc.state === 'closed' ? ctx.now : (doc.openedAt ?? ctx.now),
    nextProbeAt: ctx.now + recoveryDelay(failedProbes, ctx.config),
    probe: null,
    consecutiveFailures: failedProbes,
    window: null,
    ...(evidence ? { trip: { ...evidence, at: ctx.now, reason: reason.slice(0, 500), by: ctx.by } } : {}),
  });
}

function close(doc: BreakerDoc, ctx: BreakerContext, reason: string): BreakerStep {
  return moveTo(doc, 'closed', ctx, reason, {
    openedAt: null,
    nextProbeAt: null,
    probe: null,
    consecutiveFailures: 0,
    window: null,
  });
}

/** What a caller may do right now, without writing anything. */
export type BreakerGate =
  | { allow: 'all' }
  | { allow: 'probe' }
  | { allow: 'none'; retryAfterMs: number; reason: string };

export function breakerGate(doc: BreakerDoc, now: number, config: BreakerConfig): BreakerGate {
  if (doc.override === 'force_closed') return { allow: 'all' };
  if (doc.override === 'force_open') {
    return { allow: 'none', retryAfterMs: config.recoveryTimeMs, reason: 'breaker forced open' };
  }
  if (doc.state === 'closed') return { allow: 'all' };
  if (doc.state === 'open') {
    const due = doc.nextProbeAt ?? now;
    return now >= due ? { allow: 'probe' } : { allow: 'none', retryAfterMs: due - now, reason: 'breaker open' };
  }
  if (doc.probe === null) return { allow: 'probe' };
  if (doc.probe.expiresAt <= now) return { allow: 'probe' };
  return { allow: 'none', retryAfterMs: Math.max(1, doc.probe.expiresAt - now), reason: 'breaker half-open, probe in flight' };
}

/**
 * The leader's periodic evaluation of the fleet window (outcomes since the last transition,
 * at most `windowMs` old). Opens a closed breaker on the window rules and fails a half-open
 * probe whose lease expired. The window summary is stored on the document; callers may write
 * it without a transition (`changed` stays false then: that write is optional).
 */
export function evaluateBreaker(
  doc: BreakerDoc,
  counts: OutcomeCounts & { start: number; health?: FleetHealth | null; liveServers?: readonly string[] | null },
  ctx: BreakerContext,
): BreakerStep {
  const { total } = countFailures(counts.failuresByClass, ctx.config);
  const window = {
    start: counts.start,
    calls: counts.successes + total,
    failures: total,
    failuresByClass: { ...counts.failuresByClass },
  };
  if (doc.override === null) {
    if (doc.state === 'closed') {
      const byWindow = windowTripReason({ ...counts, spanMs: ctx.now - counts.start }, ctx.config);
      if (byWindow) {
        return open(doc, ctx, byWindow, 0, { rule: 'window', failures: total, calls: window.calls, failuresByClass: window.failuresByClass, since: counts.start });
      }
      const health = counts.health ?? null;
      const byOutage = outageTripReason(health, ctx.config);
      if (byOutage && health) {
        // The outage rule counts the servers' failures since the fleet's last success (the
        // number its reason states), which the window, cut at the last transition with fresh
        // reports left out, may not all hold: those are the figures, and no call among them
        // succeeded. By class only the window knows.
        return open(doc, ctx, byOutage, 0, {
          rule: 'outage',
          failures: health.failing,
          calls: health.failing,
          failuresByClass: window.failuresByClass,
          since: ctx.now - health.quietMs,
        });
      }
    }
    if (doc.state === 'half_open' && doc.probe !== null && doc.probe.expiresAt <= ctx.now) {
      return open(doc, ctx, `probe by ${doc.probe.holder} timed out`, doc.consecutiveFailures + 1);
    }
    if (doc.state === 'half_open' && doc.probe !== null && counts.liveServers && !counts.liveServers.includes(doc.probe.holder)) {
      // Its holder stopped heartbeating (killed, frozen, partitioned: the rule that declares a
      // server lost and takes its jobs back): no result will come, and waiting out the lease
      // (probeTimeoutMs, as long as a call may take) held the whole fleet for it. Released as
      // an inconclusive probe is: the upstream did not fail, so no longer recovery delay; the
      // next server to ask probes at once. A holder that was only slow has a stale token.
      return { doc: { ...doc, probe: null, window, updatedAt: ctx.now }, changed: true, transition: null };
    }
  }
  return { doc: { ...doc, window }, changed: false, transition: null };
}

/**
 * A server's own trip (its streak rule fired). No-op unless automatically closed. `streak`:
 * the failures in a row that fired it, by class (all of them calls: a success ends a streak).
 */
export function tripBreaker(
  doc: BreakerDoc,
  reason: string,
  ctx: BreakerContext,
  streak: { failuresByClass: Readonly<Record<string, number>>; since: number | null } = { failuresByClass: {}, since: null },
): BreakerStep {
  if (doc.override !== null || doc.state !== 'closed') return unchanged(doc);
  const failures = Object.values(streak.failuresByClass).reduce((n, v) => n + v, 0);
  return open(doc, ctx, reason, 0, { rule: 'streak', failures, calls: failures, failuresByClass: { ...streak.failuresByClass }, since: streak.since });
}

export interface ProbeGrant {
  token: number;
  expiresAt: number;
}

export type ProbeAcquisition = BreakerStep & ({ granted: ProbeGrant } | { granted: null; retryAfterMs: number; reason: string });

/** Try to become the fleet's single half-open probe. */
export function acquireProbe(doc: BreakerDoc, ctx: BreakerContext): ProbeAcquisition {
  const gate = breakerGate(doc, ctx.now, ctx.config);
  if (gate.allow === 'all') return { ...unchanged(doc), granted: null, retryAfterMs: 0, reason: 'breaker closed' };
  if (gate.allow === 'none') return { ...unchanged(doc), granted: null, retryAfterMs: gate.retryAfterMs, reason: gate.reason };
  if (doc.state === 'half_open' && doc.probe !== null) {
    // The previous probe's lease ran out without a result: it failed. Open again and wait.
    const step = open(doc, ctx, `probe by ${doc.probe.holder} timed out`, doc.consecutiveFailures + 1);
    return { ...step, granted: null, retryAfterMs: (step.doc.nextProbeAt as number) - ctx.now, reason: 'probe timed out' };
  }
  const token = doc.probeToken + 1;
  const probe = { holder: ctx.by, token, startedAt: ctx.now, expiresAt: ctx.now + ctx.config.probeTimeoutMs };
  if (doc.state === 'half_open') {
    // Released after an inconclusive probe: hand out a new lease without a new transition.
    const next = { ...doc, probe, probeToken: token, updatedAt: ctx.now };
    return { doc: next, changed: true, transition: null, granted: { token, expiresAt: probe.expiresAt } };
  }
  const step = moveTo(doc, 'half_open', ctx, `probe by ${ctx.by}`, { probe, probeToken: token });
  return { ...step, granted: { token, expiresAt: probe.expiresAt } };
}

export type ProbeResult = { kind: 'success' } | { kind: 'failure'; errorClass: string } | { kind: 'inconclusive'; errorClass: string };

/** The probe's outcome; ignored unless `token` is the current probe's. */
export function completeProbe(doc: BreakerDoc, token: number, result: ProbeResult, ctx: BreakerContext): BreakerStep {
  if (doc.state !== 'half_open' || doc.probe === null || doc.probe.token !== token) return unchanged(doc);
  if (doc.override !== null) return { doc: { ...doc, probe: null, updatedAt: ctx.now }, changed: true, transition: null };
  if (result.kind === 'success') return close(doc, ctx, `probe by ${doc.probe.holder} succeeded`);
  if (result.kind === 'failure') {
    return open(doc, ctx, `probe by ${doc.probe.holder} failed (${result.errorClass})`, doc.consecutiveFailures + 1);
  }
  return { doc: { ...doc, probe: null, updatedAt: ctx.now }, changed: true, transition: null };
}

/** An operator's action on a breaker (the `breaker.*` control commands). */
export type BreakerOperation = 'force_open' | 'force_close' | 'clear_override' | 'reset';

export type OperatorStep = { ok: true; step: BreakerStep } | { ok: false; error: InvalidTransitionError };

/**
 * A manual transition: the state the operator asks for, with no probe in flight and none
 * scheduled (a forced-open breaker sends no probes until the override is cleared). Moving to
 * the state it is already in changes only the time.
 */
function operatorMove(doc: BreakerDoc, to: BreakerState, ctx: Pick<BreakerContext, 'now' | 'by'>, reason: string): BreakerStep {
  if (doc.state === to) return { doc: { ...doc, updatedAt: ctx.now }, changed: true, transition: null };
  return moveTo(doc, to, ctx, reason, {
    openedAt: to === 'open' ? ctx.now : doc.openedAt,
    nextProbeAt: null,
    probe: null,
  });
}

/**
 * An operator's action on `model`'s breaker as stored (`null`: none yet, so it starts from
 * `initialBreaker`). `ctx.by` is the operator's uid. Overrides pin the state until cleared;
 * reset clears the counts, the probe and any override and closes the breaker. Clearing an
 * override that is not there is refused (typed, nothing to write or audit).
 */
export function operateBreaker(
  stored: BreakerDoc | null,
  model: string,
  operation: BreakerOperation,
  ctx: Pick<BreakerContext, 'now' | 'by'> & { reason: string | null },
): OperatorStep {
  const doc = stored ?? initialBreaker(model, ctx.now);
  const why = (what: string) => (ctx.reason ? `${what}: ${ctx.reason}` : what);
  const pin = (step: BreakerStep, override: NonNullable<BreakerDoc['override']> | null): BreakerStep => ({
    ...step,
    doc: { ...step.doc, override, overrideBy: override === null ? null : ctx.by, overrideAt: override === null ? null : ctx.now },
  });
  switch (operation) {
    case 'force_open':
      return { ok: true, step: pin(operatorMove(doc, 'open', ctx, why('forced open')), 'force_open') };
    case 'force_close':
      return { ok: true, step: pin(operatorMove(doc, 'closed', ctx, why('forced closed')), 'force_closed') };
    case 'clear_override':
      if (stored === null || stored.override === null) {
        return { ok: false, error: new InvalidTransitionError(model, doc.state, 'clear_override', `breaker ${model} has no override`) };
      }
      return { ok: true, step: pin({ doc: { ...doc, updatedAt: ctx.now }, changed: true, transition: null }, null) };
    case 'reset': {
      const step = operatorMove(doc, 'closed', ctx, why('reset'));
      return {
        ok: true,
        step: pin({ ...step, doc: { ...step.doc, window: null, consecutiveFailures: 0, probe: null, nextProbeAt: null, openedAt: null } }, null),
      };
    }
  }
}
