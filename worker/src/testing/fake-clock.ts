import { sleepWith, type Clock, type TimerHandle } from '../ports/clock.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** Lets pending promise callbacks and queued microtasks run (one macrotask turn). */
export function flushAsync(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A manual clock: time moves only through `advance`, which fires due timers in order and
 * lets the async work they start settle between timers. No test waits on wall-clock time.
 */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Advances time by `ms`, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      await flushAsync();
      this.timers = this.timers.filter((t) => !t.cancelled);
      const due = this.timers
        .filter((t) => t.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.t = Math.max(this.t, due.at);
      due.cancelled = true;
      due.fn();
    }
    this.t = target;
    await flushAsync();
  }

  /** Advances in steps until `predicate` holds (or gives up after `maxMs` of fake time). */
  async advanceUntil(predicate: () => boolean | Promise<boolean>, stepMs = 100, maxMs = 3_600_000): Promise<void> {
    let spent = 0;
    while (!(await predicate())) {
      if (spent >= maxMs) throw new Error(`condition not reached after ${maxMs} ms of fake time`);
      await this.advance(stepMs);
      spent += stepMs;
    }
  }
}
