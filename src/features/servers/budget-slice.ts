import type { BudgetSlice } from '@fq/worker/schema';
import { formatNumber } from '../../lib/format';

export interface SliceView {
  model: string;
  /** "3 slots · 40 req/min · 90,000 tok/min"; a rate of 0 is unlimited and left out. */
  summary: string;
  /**
   * leased: the leader's allocation, live; expired: past its expiry in Firestore time (the
   * server runs at half speed until the leader speaks again); provisional: the server's own
   * even share before the leader has allocated to it (no expiry, or no leader at all: term 0).
   */
  status: 'leased' | 'expired' | 'provisional';
}

/** The budget slices a server's heartbeat carries, one line per model, sorted by model. */
export function sliceViews(budget: Record<string, BudgetSlice>, serverNowMs: number): SliceView[] {
  return Object.values(budget)
    .sort((a, b) => a.model.localeCompare(b.model))
    .map((s) => {
      const parts = [`${formatNumber(s.concurrency)} ${s.concurrency === 1 ? 'slot' : 'slots'}`];
      if (s.requestsPerMinute > 0) parts.push(`${formatNumber(Math.floor(s.requestsPerMinute))} req/min`);
      if (s.tokensPerMinute > 0) parts.push(`${formatNumber(Math.floor(s.tokensPerMinute))} tok/min`);
      const status = s.term === 0 || s.expiresAt === 0 ? 'provisional' : s.expiresAt <= serverNowMs ? 'expired' : 'leased';
      return { model: s.model, summary: parts.join(' · '), status };
    });
}
