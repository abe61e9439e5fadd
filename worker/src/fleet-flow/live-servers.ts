import type { ServerDoc } from '../schema/coordination.js';
import { QUERIES } from '../schema/queries.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { queryOf, type DocStore, type Unsubscribe } from '../ports/store.js';

/** How long the leader waits for the listener's first snapshot before querying instead. */
const FIRST_SNAPSHOT_WAIT_MS = 1_000;

/**
 * The fleet's registered servers (active or draining) for the flow leader's ticks, kept by a
 * listener instead of a query per tick. A query reads every server's document on every tick
 * (12 servers at the 2 s flow tick: 360 reads a minute); a listener reads each heartbeat once
 * (12 servers heartbeating every 5 s while busy: 144 a minute), and the tick is as fresh,
 * since a heartbeat reaches the listener as it is written.
 *
 * The listener lives only while ticks come: a tick re-arms a stop timer of `idleStopMs`, so
 * when the fleet goes idle (the leader stops its flow ticks) or leadership moves (this
 * server's duty no longer runs, its signal aborts) the listener closes and an idle fleet pays
 * nothing for it. `current()` answers null while no snapshot is at hand (just subscribed and
 * slow, or the listener failed): the caller then queries, as before.
 */
export class LiveServers {
  private unsubscribe: Unsubscribe | null = null;
  private latest: ServerDoc[] | null = null;
  private first: Promise<void> | null = null;
  private stopTimer: TimerHandle | null = null;
  private attached: AbortSignal | null = null;

  constructor(
    private readonly store: DocStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly idleStopMs: number,
  ) {}

  async current(signal: AbortSignal): Promise<ServerDoc[] | null> {
    if (signal.aborted) return null;
    if (!this.unsubscribe) this.subscribe(signal);
    this.stopTimer?.cancel();
    this.stopTimer = this.clock.setTimer(() => this.close(), this.idleStopMs);
    if (!this.latest && this.first) {
      const wait = new AbortController();
      await Promise.race([this.first, this.clock.sleep(FIRST_SNAPSHOT_WAIT_MS, wait.signal).catch(() => undefined)]);
      wait.abort();
    }
    return this.latest;
  }

  private subscribe(signal: AbortSignal): void {
    let settle: () => void = () => undefined;
    this.first = new Promise<void>((resolve) => (settle = resolve));
    const unsubscribe = this.store.listen(
      queryOf(QUERIES.serversInStates, { state: ['active', 'draining'] }),
      (snapshot) => {
        if (this.unsubscribe !== unsubscribe) return;
        this.latest = snapshot.docs.map((d) => d.data);
        settle();
      },
      (error) => {
        if (this.unsubscribe !== unsubscribe) return;
        // The next tick subscribes again; this one (and any until a snapshot) queries.
        this.log.warn({ err: error }, 'live servers listener failed; querying until it is back');
        this.close();
        settle();
      },
    );
    this.unsubscribe = unsubscribe;
    if (this.attached !== signal) {
      this.attached = signal;
      signal.addEventListener('abort', () => this.close(), { once: true });
    }
  }

  close(): void {
    this.stopTimer?.cancel();
    this.stopTimer = null;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = null;
    this.latest = null;
    this.first = null;
    unsubscribe?.();
  }
}
