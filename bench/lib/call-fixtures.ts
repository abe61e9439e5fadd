import type { FakeCallLog, FakeCallRecord } from '@fq/fake-gemini';

/** Hand-written fake Gemini call logs for the figure tests. */
export function fakeCall(at: number, outcome: FakeCallRecord['outcome'], extra: Partial<FakeCallRecord> = {}): FakeCallRecord {
  const status = outcome === 'ok' ? 200 : outcome === 'rejected' ? 503 : null;
  return { model: 'm', at, settledAt: at + 1_500, status, outcome, reason: outcome === 'rejected' ? 'overload' : null, tokens: outcome === 'ok' ? 100 : 0, audioSha256: null, ...extra };
}

export function fakeLog(calls: FakeCallRecord[], startedAt = 1_000): FakeCallLog {
  return { startedAt, dropped: 0, limit: 1_000_000, calls };
}
