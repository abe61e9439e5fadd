import type { ConnectionInfo } from './context.js';

export interface OperationCounts {
  reads: number;
  writes: number;
  deletes: number;
}

interface ConnectionUsage extends OperationCounts {
  id: string;
  peer?: string;
  client?: string;
  databases: Record<string, OperationCounts>;
  firstSeen: string;
  lastSeen: string;
}

interface ProjectUsage extends OperationCounts {
  since: string;
  databases: Map<string, OperationCounts>;
  connections: Map<string, ConnectionUsage>;
}

/** JSON shape of `GET /emulator/v1/projects/P:meter`. */
export interface MeterSnapshot extends OperationCounts {
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

/**
 * Billable operations per project, database and client connection, counted like Firestore
 * bills them (see the service for what each call costs).
 */
export class Meter {
  private readonly projects = new Map<string, ProjectUsage>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  record(projectId: string, databaseId: string, connection: ConnectionInfo, delta: Partial<OperationCounts>): void {
    if (!delta.reads && !delta.writes && !delta.deletes) return;
    const nowIso = this.now().toISOString();
    let p = this.projects.get(projectId);
    if (!p) {
      p = { ...zero(), since: nowIso, databases: new Map(), connections: new Map() };
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
      c = { id: connection.id, peer: connection.peer, client: connection.client, ...zero(), databases: {}, firstSeen: nowIso, lastSeen: nowIso };
      p.connections.set(connection.id, c);
    }
    if (connection.client && !c.client) c.client = connection.client;
    c.lastSeen = nowIso;
    add(c, delta);
    c.databases[databaseId] ??= zero();
    add(c.databases[databaseId]!, delta);
  }

  snapshot(projectId: string): MeterSnapshot {
    const p = this.projects.get(projectId);
    if (!p) return { projectId, since: null, ...zero(), databases: {}, connections: [] };
    return {
      projectId,
      since: p.since,
      reads: p.reads,
      writes: p.writes,
      deletes: p.deletes,
      databases: Object.fromEntries([...p.databases].map(([k, v]) => [k, { ...v }])),
      connections: [...p.connections.values()].map((c) => structuredClone(c)),
    };
  }

  reset(projectId: string): void {
    this.projects.delete(projectId);
  }
}
