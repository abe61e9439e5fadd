/**
 * What the fake Gemini saw: the numbers the flow-control tests and the benchmark judge by
 * (goodput against capacity, rejections by status, the peak concurrency actually reached).
 */
export type RejectionReason = 'overload' | 'quota' | 'outage' | 'injected' | 'error_rate' | 'invalid' | 'auth' | 'not_found';

export interface CallCounts {
  /** Requests that reached generateContent (every attempt, whatever its fate). */
  calls: number;
  successes: number;
  /** Clients that gave up (abort/timeout) before the answer. */
  aborted: number;
  /** Non-2xx answers by HTTP status. */
  rejectionsByStatus: Record<string, number>;
  rejectionsByReason: Partial<Record<RejectionReason, number>>;
  /** Connections reset on purpose (outage/injection of kind 'reset'). */
  resets: number;
  concurrent: number;
  maxConcurrent: number;
  audioSeconds: number;
  tokens: number;
}

export interface FakeGeminiStats extends CallCounts {
  startedAt: number;
  lastCallAt: number | null;
  byModel: Record<string, CallCounts>;
}

function emptyCounts(): CallCounts {
  return {
    calls: 0,
    successes: 0,
    aborted: 0,
    rejectionsByStatus: {},
    rejectionsByReason: {},
    resets: 0,
    concurrent: 0,
    maxConcurrent: 0,
    audioSeconds: 0,
    tokens: 0,
  };
}

export class StatsRecorder {
  private total = emptyCounts();
  private models = new Map<string, CallCounts>();
  private startedAt: number;
  private lastCallAt: number | null = null;

  constructor(private readonly now: () => number) {
    this.startedAt = now();
  }

  private each(model: string, fn: (c: CallCounts) => void): void {
    fn(this.total);
    let m = this.models.get(model);
    if (!m) {
      m = emptyCounts();
      this.models.set(model, m);
    }
    fn(m);
  }

  call(model: string): void {
    this.lastCallAt = this.now();
    this.each(model, (c) => (c.calls += 1));
  }

  rejected(model: string, status: number, reason: RejectionReason): void {
    this.each(model, (c) => {
      c.rejectionsByStatus[String(status)] = (c.rejectionsByStatus[String(status)] ?? 0) + 1;
      c.rejectionsByReason[reason] = (c.rejectionsByReason[reason] ?? 0) + 1;
    });
  }

  reset(model: string): void {
    this.each(model, (c) => (c.resets += 1));
  }

  started(model: string): void {
    this.each(model, (c) => {
      c.concurrent += 1;
      c.maxConcurrent = Math.max(c.maxConcurrent, c.concurrent);
    });
  }

  finished(model: string, outcome: { ok: true; audioSeconds: number; tokens: number } | { ok: false }): void {
    this.each(model, (c) => {
      c.concurrent -= 1;
      if (outcome.ok) {
        c.successes += 1;
        c.audioSeconds += outcome.audioSeconds;
        c.tokens += outcome.tokens;
      } else {
        c.aborted += 1;
      }
    });
  }

  /** A call that held a slot and was then answered with an error (the fake's error rate). */
  failed(model: string, status: number, reason: RejectionReason): void {
    this.each(model, (c) => (c.concurrent -= 1));
    this.rejected(model, status, reason);
  }

  /** Start of the counters (start-up or the last clear), epoch ms. */
  since(): number {
    return this.startedAt;
  }

  /** Concurrent calls being served for `model` right now. */
  active(model: string): number {
    return this.models.get(model)?.concurrent ?? 0;
  }

  /** Zero every counter; calls still in flight stay counted as concurrent. */
  clear(): void {
    const keep = new Map([...this.models].map(([k, v]) => [k, v.concurrent]));
    this.total = { ...emptyCounts(), concurrent: this.total.concurrent, maxConcurrent: this.total.concurrent };
    this.models = new Map(
      [...keep].filter(([, n]) => n > 0).map(([k, n]) => [k, { ...emptyCounts(), concurrent: n, maxConcurrent: n }]),
    );
    this.startedAt = this.now();
    this.lastCallAt = null;
  }

  snapshot(): FakeGeminiStats {
    const copy = (c: CallCounts): CallCounts => ({
      ...c,
      rejectionsByStatus: { ...c.rejectionsByStatus },
      rejectionsByReason: { ...c.rejectionsByReason },
    });
    return {
      ...copy(this.total),
      startedAt: this.startedAt,
      lastCallAt: this.lastCallAt,
      byModel: Object.fromEntries([...this.models].map(([k, v]) => [k, copy(v)])),
    };
  }
}
