import type { ConnectionInfo } from './context.js';

export interface OperationCounts {
  reads: number;
  writes: number;
  deletes: number;
}

/**
 * The kind of call an operation was billed to: the RPC (`get`, `batchGet`, `list`,
 * `listCollectionIds`, `query`, `aggregation`, `partitionQuery`, `commit`, `batchWrite`,
 * `create`, `update`, `delete`), `write` for the Write stream, `listen` for Listen.
 */
export type CallKind =
  | 'get'
  | 'batchGet'
  | 'list'
  | 'listCollectionIds'
  | 'query'
  | 'aggregation'
  | 'partitionQuery'
  | 'listen'
  | 'commit'
  | 'batchWrite'
  | 'write'
  | 'create'
  | 'update'
  | 'delete';

/** Where a charge goes beyond project, database and connection. */
export interface ChargeDetail {
  call: CallKind;
  /**
   * The charge split by collection id (the last collection segment of a document's path,
   * or the queried collection / collection group); the parts sum to the charge.
   */
  collections: ReadonlyArray<readonly [string, Partial<OperationCounts>]>;
}

/** Collection id under which charges that concern no collection are listed. */
export const NO_COLLECTION = '(none)';

/** The id of the collection a document path (`a/b/c/d` -> `c`) or a collection path (`a/b/c` -> `c`) belongs to. */
export function collectionIdOf(path: string): string {
  if (path === '') return NO_COLLECTION;
  const segments = path.split('/');
  return segments.length % 2 === 0 ? segments[segments.length - 2]! : segments[segments.length - 1]!;
}

/**
 * Splits `total` operations of one kind by the collection of each path; what the paths do
 * not account for (a minimum charge, e.g. one read for an empty result) goes to `fallback`.
 */
export function chargesByCollection(
  kind: keyof OperationCounts,
  paths: Iterable<string>,
  total: number,
  fallback: string,
): Array<[string, Partial<OperationCounts>]> {
  const counts = new Map<string, number>();
  let n = 0;
  for (const path of paths) {
    if (n >= total) break;
    const id = collectionIdOf(path);
    counts.set(id, (counts.get(id) ?? 0) + 1);
    n++;
  }
  if (n < total) counts.set(fallback || NO_COLLECTION, (counts.get(fallback || NO_COLLECTION) ?? 0) + total - n);
  return [...counts].map(([id, c]) => [id, { [kind]: c }]);
}

interface Breakdown {
  /** Per kind of call (see CallKind). */
  byCall: Record<string, OperationCounts>;
  /** Per collection id (see ChargeDetail). */
  byCollection: Record<string, OperationCounts>;
}

interface ConnectionUsage extends OperationCounts, Breakdown {
  id: string;
  peer?: string;
  client?: string;
  databases: Record<string, OperationCounts>;
  firstSeen: string;
  lastSeen: string;
}

interface ProjectUsage extends OperationCounts, Breakdown {
  since: string;
  databases: Map<string, OperationCounts>;
  connections: Map<string, ConnectionUsage>;
}

/** JSON shape of `GET /emulator/v1/projects/P:meter`. */
export interface MeterSnapshot extends OperationCounts, Breakdown {
  projectId: string;
  /** When counting started (first operation after start or the last reset). */
  since: string | null;
  databases: Record<string, OperationCounts>;
  connections: Array<ConnectionUsage>;
}

/** Connections remembered per project; the least recently seen are forgotten beyond this. */
export const MAX_CONNECTIONS_PER_PROJECT = 1000;

const zero = (): OperationCounts => ({ reads: 0, writes: 0, deletes: 0 });

function add(target: OperationCounts, delta: Partial<OperationCounts>): void {
  target.reads += delta.reads ?? 0;
  target.writes += delta.writes ?? 0;
  target.deletes += delta.deletes ?? 0;
}

function addBreakdown(target: Breakdown, delta: Partial<OperationCounts>, detail: ChargeDetail): void {
  add((target.byCall[detail.call] ??= zero()), delta);
  for (const [id, part] of detail.collections) add((target.byCollection[id] ??= zero()), part);
}

/**
 * Billable operations per project, database and client connection, counted like Firestore
 * bills them (see the service for what each call costs), each also broken down by kind of
 * call and by collection id (project-wide and per connection).
 */
export class Meter {
  private readonly projects = new Map<string, ProjectUsage>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  record(projectId: string, databaseId: string, connection: ConnectionInfo, delta: Partial<OperationCounts>, detail?: ChargeDetail): void {
    if (!delta.reads && !delta.writes && !delta.deletes) return;
    const nowIso = this.now().toISOString();
    let p = this.projects.get(projectId);
    if (!p) {
      p = { ...zero(), since: nowIso, databases: new Map(), connections: new Map(), byCall: {}, byCollection: {} };
      this.projects.set(projectId, p);
    }
    add(p, delta);
    let db = p.databases.get(databaseId);
    if (!db) {
      db = zero();
      p.databases.set(databaseId, db);
    }
    add(db, delta);
    let c = p.connections.get(connection.id);
    if (!c && p.connections.size >= MAX_CONNECTIONS_PER_PROJECT) {
      let oldest: ConnectionUsage | undefined;
      for (const x of p.connections.values()) if (!oldest || x.lastSeen < oldest.lastSeen) oldest = x;
      if (oldest) p.connections.delete(oldest.id);
    }
    if (!c) {
      c = { id: connection.id, peer: connection.peer, client: connection.client, ...zero(), databases: {}, byCall: {}, byCollection: {}, firstSeen: nowIso, lastSeen: nowIso };
      p.connections.set(connection.id, c);
    }
    if (connection.client && !c.client) c.client = connection.client;
    c.lastSeen = nowIso;
    add(c, delta);
    c.databases[databaseId] ??= zero();
    add(c.databases[databaseId]!, delta);
    if (detail) {
      addBreakdown(p, delta, detail);
      addBreakdown(c, delta, detail);
    }
  }

  snapshot(projectId: string): MeterSnapshot {
    const p = this.projects.get(projectId);
    if (!p) return { projectId, since: null, ...zero(), databases: {}, connections: [], byCall: {}, byCollection: {} };
    return {
      projectId,
      since: p.since,
      reads: p.reads,
      writes: p.writes,
      deletes: p.deletes,
      databases: Object.fromEntries([...p.databases].map(([k, v]) => [k, { ...v }])),
      connections: [...p.connections.values()].map((c) => structuredClone(c)),
      byCall: structuredClone(p.byCall),
      byCollection: structuredClone(p.byCollection),
    };
  }

  reset(projectId: string): void {
    this.projects.delete(projectId);
  }
}
