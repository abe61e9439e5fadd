/**
 * Estimates the offset between Firestore's clock and ours from read times (NTP-style: the
 * server time is assumed to fall mid-way through the round trip), learned from read and
 * commit times. Used to schedule work (when to renew a lease) and for a holder's own
 * give-up check before a guarded write; decisions about others' leases (reclaims, locks,
 * leader terms) always use read times themselves, and the write guard is the fence.
 * Keeps the sample with the smallest round trip among recent ones (least uncertainty).
 */
export class ClockOffset {
  private samples: { offset: number; rtt: number; at: number }[] = [];

  constructor(
    private readonly local: () => number = Date.now,
    private readonly maxSamples = 16,
  ) {}

  observe(serverTime: number, sentAt: number, receivedAt: number): void {
    const rtt = Math.max(0, receivedAt - sentAt);
    this.samples.push({ offset: serverTime - (sentAt + rtt / 2), rtt, at: receivedAt });
    if (this.samples.length > this.maxSamples) this.samples.shift();
  }

  get offsetMs(): number {
    if (this.samples.length === 0) return 0;
    return this.samples.reduce((best, s) => (s.rtt < best.rtt ? s : best)).offset;
  }

  now(): number {
    return this.local() + this.offsetMs;
  }
}
