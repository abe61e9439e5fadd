import type { RejectionReason } from './stats.js';

/**
 * One generateContent call as the fake saw it, for figures that need time: goodput against
 * a capacity that moves, calls and tokens in every sliding minute, calls in flight while a
 * breaker was open. Times are epoch ms of the fake's clock.
 */
export interface FakeCallRecord {
  model: string;
  /** Arrival (the request body was read). */
  at: number;
  /** When the answer was sent or the call ended otherwise; null while in flight. */
  settledAt: number | null;
  /** HTTP status answered; null while in flight, for resets and for calls the client aborted. */
  status: number | null;
  outcome: 'pending' | 'ok' | 'rejected' | 'aborted' | 'reset';
  /** Why a rejected call was refused. */
  reason: RejectionReason | null;
  /** Tokens billed (prompt + output) for answered calls; 0 otherwise. */
  tokens: number;
  /**
   * Hex sha256 of the request's inline audio (null for a call without audio or one refused
   * before its body was read): ties a call to the job whose `audio.sha256` it carries, so a
   * test can tell which model answered which job.
   */
  audioSha256: string | null;
}

export interface FakeCallLog {
  /** The fake's stats start (start-up or the last stats reset), epoch ms. */
  startedAt: number;
  /** Oldest records dropped because the log holds at most `limit`. */
  dropped: number;
  limit: number;
  calls: FakeCallRecord[];
}

export const DEFAULT_CALL_LOG_LIMIT = 200_000;

export class CallLog {
  private records: FakeCallRecord[] = [];
  private dropped = 0;

  constructor(
    private readonly now: () => number,
    private readonly limit = DEFAULT_CALL_LOG_LIMIT,
  ) {}

  open(model: string): FakeCallRecord {
    const record: FakeCallRecord = { model, at: this.now(), settledAt: null, status: null, outcome: 'pending', reason: null, tokens: 0, audioSha256: null };
    this.records.push(record);
    if (this.records.length > this.limit) {
      const excess = this.records.length - this.limit;
      this.records.splice(0, excess);
      this.dropped += excess;
    }
    return record;
  }

  /** Settles a record once; later calls for the same record are ignored. */
  settle(record: FakeCallRecord, outcome: Exclude<FakeCallRecord['outcome'], 'pending'>, details: { status?: number; reason?: RejectionReason; tokens?: number } = {}): void {
    if (record.outcome !== 'pending') return;
    record.outcome = outcome;
    record.settledAt = this.now();
    record.status = details.status ?? null;
    record.reason = details.reason ?? null;
    record.tokens = details.tokens ?? 0;
  }

  clear(): void {
    this.records = [];
    this.dropped = 0;
  }

  snapshot(startedAt: number): FakeCallLog {
    return { startedAt, dropped: this.dropped, limit: this.limit, calls: this.records.map((r) => ({ ...r })) };
  }
}
