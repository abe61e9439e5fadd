import { hashKey, type QueryClient, type QueryKey } from '@tanstack/query-core';
import { realTimers, type LiveMeta, type LiveSource, type LiveStatus, type Timers } from './types';

interface Entry {
  key: QueryKey;
  refs: number;
  source: LiveSource<unknown>;
  unsubscribe: (() => void) | null;
  /** Bumped on every (re)subscribe so late callbacks of an old listener are ignored. */
  generation: number;
  graceTimer: unknown;
  status: LiveStatus;
  meta: LiveMeta | null;
  error: Error | null;
}

export interface BridgeOptions {
  /** Keep a listener this long after its last observer leaves (route changes, remounts). */
  graceMs?: number;
  timers?: Timers;
}

export interface EntrySummary {
  hash: string;
  status: LiveStatus;
  refs: number;
}

/**
 * Turns listener callbacks into TanStack Query cache updates. Framework-free: React hooks are
 * a thin adapter over `retain`/`release`.
 *
 * Why ref-counting here and not one listener per `useQuery`: every widget on a page may ask
 * for the same document (the queue stats doc feeds six cards). Firestore bills a read per
 * listener per changed document, so N widgets must share ONE listener. The grace time keeps a
 * listener alive across a route change or a StrictMode remount instead of tearing it down and
 * paying for the initial snapshot again.
 */
export class LiveBridge {
  private readonly entries = new Map<string, Entry>();
  private readonly statusListeners = new Set<() => void>();
  private readonly graceMs: number;
  private readonly timers: Timers;
  private version = 0;

  constructor(
    private readonly client: QueryClient,
    options: BridgeOptions = {},
  ) {
    this.graceMs = options.graceMs ?? 3_000;
    this.timers = options.timers ?? realTimers;
  }

  /** Adds an observer of `source`; returns an idempotent release function. */
  retain<T>(source: LiveSource<T>): () => void {
    const hash = hashKey(source.key);
    let entry = this.entries.get(hash);
    if (!entry) {
      entry = {
        key: source.key,
        refs: 0,
        source: source as LiveSource<unknown>,
        unsubscribe: null,
        generation: 0,
        graceTimer: null,
        status: 'detached',
        meta: null,
        error: null,
      };
      this.entries.set(hash, entry);
    }
    entry.refs += 1;
    if (entry.graceTimer !== null) {
      this.timers.clearTimeout(entry.graceTimer);
      entry.graceTimer = null;
    }
    if (entry.unsubscribe === null && entry.status !== 'error') this.open(hash, entry);
    let released = false;
    const current = entry;
    return () => {
      if (released) return;
      released = true;
      this.release(hash, current);
    };
  }

  /** Re-opens a listener that died with an error (the "Retry" button). */
  restart(key: QueryKey): void {
    const hash = hashKey(key);
    const entry = this.entries.get(hash);
    if (!entry || entry.refs === 0) return;
    this.close(entry);
    this.open(hash, entry);
  }

  statusOf(key: QueryKey): LiveStatus {
    return this.entries.get(hashKey(key))?.status ?? 'detached';
  }

  errorOf(key: QueryKey): Error | null {
    return this.entries.get(hashKey(key))?.error ?? null;
  }

  /** Number of open listeners (for tests and the debug panel). */
  openListeners(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.unsubscribe !== null) n += 1;
    return n;
  }

  summaries(): EntrySummary[] {
    return [...this.entries].map(([hash, e]) => ({ hash, status: e.status, refs: e.refs }));
  }

  /** Notified whenever any entry's status changes; `getVersion` changes with it. */
  subscribe(listener: () => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  getVersion(): number {
    return this.version;
  }

  dispose(): void {
    for (const entry of this.entries.values()) {
      if (entry.graceTimer !== null) this.timers.clearTimeout(entry.graceTimer);
      this.close(entry);
    }
    this.entries.clear();
    this.statusListeners.clear();
  }

  private release(hash: string, entry: Entry): void {
    entry.refs = Math.max(0, entry.refs - 1);
    // An entry dispose() dropped is closed already, and a new entry for the same key may sit
    // in the map by now: React StrictMode runs the provider's cleanup (dispose) before its
    // children's (release), then remounts them. Touching the map here would orphan the new
    // entry, whose snapshots would then be ignored for good.
    if (entry.refs > 0 || this.entries.get(hash) !== entry) return;
    if (entry.graceTimer !== null) this.timers.clearTimeout(entry.graceTimer);
    entry.graceTimer = this.timers.setTimeout(() => {
      entry.graceTimer = null;
      if (entry.refs > 0 || this.entries.get(hash) !== entry) return;
      this.close(entry);
      this.entries.delete(hash);
      this.setStatus(entry, 'detached');
    }, this.graceMs);
  }

  private open(hash: string, entry: Entry): void {
    const generation = ++entry.generation;
    const live = () => entry.generation === generation && this.entries.get(hash) === entry;
    entry.error = null;
    this.setStatus(entry, 'connecting');
    try {
      const unsubscribe = entry.source.subscribe({
        next: (value, meta) => {
          if (!live()) return;
          entry.meta = meta;
          entry.error = null;
          this.client.setQueryData(entry.key, value);
          this.setStatus(entry, meta.fromCache ? 'cached' : 'live');
        },
        error: (error) => {
          if (!live()) return;
          this.fail(entry, error);
        },
      });
      // The listener may have failed synchronously inside subscribe().
      if (entry.generation === generation && entry.status !== 'error') entry.unsubscribe = unsubscribe;
      else unsubscribe();
    } catch (error) {
      this.fail(entry, error instanceof Error ? error : new Error(String(error)));
    }
  }

  private fail(entry: Entry, error: Error): void {
    this.close(entry);
    entry.error = error;
    const query = this.client.getQueryCache().build(this.client, { queryKey: entry.key });
    query.setState({
      status: 'error',
      fetchStatus: 'idle',
      error,
      errorUpdateCount: query.state.errorUpdateCount + 1,
      errorUpdatedAt: this.timers.now(),
    });
    this.setStatus(entry, 'error');
  }

  private close(entry: Entry): void {
    entry.generation += 1;
    const unsubscribe = entry.unsubscribe;
    entry.unsubscribe = null;
    unsubscribe?.();
  }

  private setStatus(entry: Entry, status: LiveStatus): void {
    if (entry.status === status) return;
    entry.status = status;
    this.version += 1;
    for (const l of this.statusListeners) l();
  }
}
