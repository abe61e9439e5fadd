import type { FleetServer, FleetSummary, LeaderLeaseDoc, ServerDoc, ServerState } from '@fq/worker/schema';

/** A server document as the page last read it, and when (browser time the read was sent). */
export interface ServerCopy {
  doc: ServerDoc;
  readAtLocalMs: number;
}

export type FleetRow =
  | {
      kind: 'server';
      serverId: string;
      /** The leader's verdict when the summary lists the server, else its document's own. */
      state: ServerState;
      /** Its entry in the fleet summary; null when the summary does not list it (older than the document, or absent). */
      listed: FleetServer | null;
      /** Its document as last read; null until the first read that found it (a server that just joined). */
      copy: ServerCopy | null;
    }
  | { kind: 'invalid'; id: string; error: string };

/**
 * The Servers page's rows, by server id: every server of the leader's fleet summary (who is
 * there and in which state), with its document as last read for the load figures; and every
 * document read that the summary does not list (a summary older than the read, or a stats
 * document from before the summary existed: `summary` null). A document that fails
 * validation shows as an invalid row in its server's place.
 */
export function fleetRows(
  summary: FleetSummary | null,
  copies: ReadonlyMap<string, ServerCopy>,
  invalid: readonly { id: string; error: string }[],
): FleetRow[] {
  const rows = new Map<string, FleetRow>();
  for (const listed of summary?.servers ?? []) {
    const copy = copies.get(listed.serverId) ?? null;
    rows.set(listed.serverId, { kind: 'server', serverId: listed.serverId, state: listed.state, listed, copy });
  }
  for (const [id, copy] of copies) {
    if (!rows.has(id)) rows.set(id, { kind: 'server', serverId: id, state: copy.doc.state, listed: null, copy });
  }
  for (const bad of invalid) rows.set(bad.id, { kind: 'invalid', id: bad.id, error: bad.error });
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

/**
 * What makes the page read every server document again at once instead of at its next poll:
 * a server joined, left or changed state (the summary's `changedAt` and its ids), or the
 * leader changed (holder or term: a new leader may have declared servers lost). Null until
 * both documents have been heard from, so opening the page costs one read of the list.
 */
export function loadRefetchKey(
  stats: { loaded: boolean; fleet: FleetSummary | null },
  lease: { loaded: boolean; doc: LeaderLeaseDoc | null },
): string | null {
  if (!stats.loaded || !lease.loaded) return null;
  const fleet = stats.fleet ? `${stats.fleet.changedAt}:${stats.fleet.servers.map((s) => s.serverId).join(',')}` : 'no summary';
  const leader = lease.doc ? `${lease.doc.holder ?? 'none'}@${lease.doc.term}` : 'no lease';
  return `${fleet}|${leader}`;
}
