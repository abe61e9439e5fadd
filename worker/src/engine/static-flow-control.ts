import { PRIORITIES } from '../schema/job.js';
import type { BudgetSlice, UpstreamWindow } from '../schema/coordination.js';
import type { ClaimBudget, FlowControl, FlowJob, PermitDecision, UpstreamOutcome } from '../ports/flow-control.js';

/**
 * The phase-one flow control: a fixed number of concurrent upstream calls per worker against
 * the configured model, no breaker, no global budget. The fleet implementation (shared
 * breaker, budget slices, adaptive limit) plugs in through the same port.
 */
export class StaticFlowControl implements FlowControl {
  private inUse = 0;
  private windows = new Map<string, UpstreamWindow>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly options: { maxConcurrentRequests: number; model: string; now: () => number; windowMs?: number },
  ) {}

  claimBudget(inFlight: number): ClaimBudget {
    const slots = Math.max(0, this.options.maxConcurrentRequests - inFlight);
    return { slots, priorities: PRIORITIES, reason: slots === 0 ? 'at_limit' : null };
  }

  private window(model: string): UpstreamWindow {
    const now = this.options.now();
    const size = this.options.windowMs ?? 60_000;
    let w = this.windows.get(model);
    if (!w || now - w.windowStart >= size) {
      w = { windowStart: now, calls: 0, successes: 0, failuresByClass: {}, latencyPerAudioSecMsSum: 0, tokens: 0 };
      this.windows.set(model, w);
    }
    return w;
  }

  acquire(job: FlowJob): Promise<PermitDecision> {
    // The worker never claims more than claimBudget allows, so a permit is always available;
    // the guard only protects against a caller that ignores the budget.
    if (this.inUse >= this.options.maxConcurrentRequests) {
      return Promise.resolve({ granted: false, retryAfterMs: 1_000, reason: 'at_limit' });
    }
    this.inUse += 1;
    const model = job.model ?? this.options.model;
    let done = false;
    return Promise.resolve({
      granted: true,
      permit: {
        model,
        isProbe: false,
        complete: (outcome: UpstreamOutcome) => {
          if (done) return;
          done = true;
          this.inUse -= 1;
          const w = this.window(model);
          w.calls += 1;
          if (outcome.ok) {
            w.successes += 1;
            if (outcome.audioSeconds) w.latencyPerAudioSecMsSum += outcome.latencyMs / outcome.audioSeconds;
            if (outcome.tokens) w.tokens += outcome.tokens;
          } else {
            w.failuresByClass[outcome.errorClass] = (w.failuresByClass[outcome.errorClass] ?? 0) + 1;
          }
          for (const l of this.listeners) l();
        },
      },
    });
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  report(): Record<string, UpstreamWindow> {
    return Object.fromEntries([...this.windows].map(([k, v]) => [k, { ...v, failuresByClass: { ...v.failuresByClass } }]));
  }

  /** A static limit leases no budget slices. */
  slices(): Record<string, BudgetSlice> {
    return {};
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
