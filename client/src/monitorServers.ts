import { isStaleAsRead, leaderJudgesLiveness, livenessRecheckAt, type EnterpriseServer } from '@fq/worker/core';
import type { FleetSummary, LeaderLeaseDoc, ServerDoc, ServerLiveness, ServerState } from '@fq/worker/schema';

/**
 * The monitor's server list, pure: who is there from the leader's fleet summary (in the stats
 * document the monitor listens to anyway; it changes when a server joins, leaves or changes
 * state, never on a heartbeat), the load figures from the server documents as last fetched
 * (one-shot reads, not listeners: a listener pays a read per heartbeat per open monitor).
 */

/** A server document as the monitor last fetched it. */
export interface ServerCopy {
  doc: ServerDoc;
  /** Store time the read was sent: the document is at least this fresh. */
  readAt: number;
}

type LoadField = 'inFlight' | 'concurrencyLimit' | 'hostname' | 'heartbeatAgeMs';

/**
 * A live server as the monitor shows it: the worker's `EnterpriseServer`, except that the
 * load figures are null for a server the leader's summary lists before the monitor has
 * fetched its document (a server that just joined).
 */
export type MonitorServer = Omit<EnterpriseServer, LoadField> & { [F in LoadField]: EnterpriseServer[F] | null };

/** A live server's place in the list, with what the monitor knows of its document. */
export interface LiveServerEntry {
  serverId: string;
  /** The leader's verdict when its summary lists the server, else the document's own. */
  state: ServerState;
  version: string;
  /** Null until a fetch found the document. */
  copy: ServerCopy | null;
}

const isLive = (state: ServerState) => state === 'active' || state === 'draining';

/**
 * The live servers (active or draining), by id: every one the summary lists, with its
 * document as last fetched; and a fetched document the summary does not list when the fetch
 * is newer than the summary (a server that joined since the leader's last run). With no
 * summary (a stats document from a fleet older than it, `fleet` null), the fetched documents
 * alone.
 */
export function liveServerEntries(fleet: FleetSummary | null, copies: readonly ServerCopy[]): LiveServerEntry[] {
  const byId = new Map(copies.map((c) => [c.doc.serverId, c]));
  const entries = new Map<string, LiveServerEntry>();
  for (const listed of fleet?.servers ?? []) {
    entries.set(listed.serverId, { serverId: listed.serverId, state: listed.state, version: listed.version, copy: byId.get(listed.serverId) ?? null });
  }
  for (const copy of copies) {
    if (entries.has(copy.doc.serverId)) continue;
    // A summary that changed after the fetch and does not list the server knows better: it left.
    if (fleet && copy.readAt <= fleet.changedAt) continue;
    entries.set(copy.doc.serverId, { serverId: copy.doc.serverId, state: copy.doc.state, version: copy.doc.version, copy });
  }
  return [...entries.values()].filter((e) => isLive(e.state)).sort((a, b) => (a.serverId < b.serverId ? -1 : a.serverId > b.serverId ? 1 : 0));
}

/** Servers in each state for the monitor's counts (see `QueueMonitorSnapshot.serverStates`). */
export interface ServerStateCounts {
  active: number;
  draining: number;
  /** Declared silent beyond the timeout by the leader; null without a fleet summary. */
  lost: number | null;
}

/**
 * The counts beside the list: active and draining are the live servers listed
 * (`liveServerEntries`), so the counts and the list never disagree; lost comes from the
 * leader's summary, which keeps a server it declared lost for its window. Null while nothing
 * says who is there: no summary, and no fetch of the server documents has answered.
 */
export function serverStateCounts(fleet: FleetSummary | null, live: readonly Pick<LiveServerEntry, 'state'>[], fetched: boolean): ServerStateCounts | null {
  if (fleet === null && !fetched) return null;
  const active = live.filter((e) => e.state === 'active').length;
  return {
    active,
    draining: live.length - active,
    lost: fleet === null ? null : fleet.servers.filter((s) => s.state === 'lost').length,
  };
}

/**
 * Stale by the fleet's one rule (`isServerStale`), judged as of the fetch: a copy read before
 * its deadline proves nothing once the deadline passes (a heartbeat may have landed since; the
 * monitor fetches every 30 s, past the 20 s timeout, so judging it at `now` would flag every
 * healthy server between two fetches). A dead server is flagged by a read made after its
 * deadline that still shows the old heartbeat (`serverCheckDueAt` schedules one when no
 * leader judges), or leaves the list once the leader declares it lost.
 */
export function monitorServer(entry: LiveServerEntry, now: number, liveness: ServerLiveness): MonitorServer {
  const { serverId, state, version, copy } = entry;
  if (copy === null) return { serverId, state, version, hostname: null, inFlight: null, concurrencyLimit: null, heartbeatAgeMs: null, stale: false };
  const d = copy.doc;
  return {
    serverId,
    state,
    version,
    hostname: d.hostname,
    inFlight: d.inFlight,
    concurrencyLimit: d.concurrencyLimit,
    // From the last fetched heartbeat: it grows between fetches, as long as nothing newer is read.
    heartbeatAgeMs: Math.max(0, now - d.heartbeatAt),
    stale: isStaleAsRead(state, { ...d, readAt: copy.readAt }, liveness, now),
  };
}

/**
 * Whether a leader judges the servers' liveness now, so its verdicts reach the monitor
 * through the fleet summary: it holds an unexpired lease, the fleet is busy (an idle fleet's
 * leader stops its timed duties, the search for lost servers with them), and it publishes a
 * summary at all (`fleet` null: a leader from before the summary).
 */
export function leaderJudges(lease: LeaderLeaseDoc | null, fleet: FleetSummary | null, now: number): boolean {
  return fleet !== null && leaderJudgesLiveness(lease, now);
}

/**
 * When the monitor should read one server's document again outside its regular fetch (store
 * time; null: the regular fetch and the summary's changes are enough):
 * - its deadline passed since the last read and no leader judges: one read tells a dead
 *   server (stale at once) from a healthy one. While a leader judges, its verdict arrives
 *   through the summary, and healthy servers cost nothing between fetches;
 * - it was silent at the last read: again after as long as it has been silent past its
 *   deadline (at least a heartbeat interval), so a frozen server that comes back shows so
 *   within about as long as it was gone, until the regular fetch (`refreshMs`, 0: none) is sooner.
 */
export function serverCheckDueAt(entry: LiveServerEntry, liveness: ServerLiveness, judges: boolean, refreshMs: number): number | null {
  const { copy } = entry;
  return livenessRecheckAt(entry.state, copy && { ...copy.doc, readAt: copy.readAt }, liveness, judges, refreshMs);
}

/**
 * What makes the monitor fetch the server documents at once instead of at its next regular
 * fetch: a server joined, left or changed state (the summary's `changedAt` and its ids).
 */
export function fleetKey(fleet: FleetSummary | null): string {
  return fleet ? `${fleet.changedAt}:${fleet.servers.map((s) => s.serverId).sort().join(',')}` : 'no summary';
}
