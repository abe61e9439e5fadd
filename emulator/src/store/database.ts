import type { DatabaseId, StoredDocument } from '../model/index.js';
import { collectionOf, lastSegment } from '../model/index.js';
import { Collection } from './collection.js';

/** One document change inside a commit. */
export interface DocumentChange {
  readonly path: string;
  readonly collectionPath: string;
  readonly before: StoredDocument | null;
  readonly after: StoredDocument | null;
}

/** What watchers receive after every commit that changed something. */
export interface CommitEvent {
  readonly database: Database;
  readonly commitTime: bigint;
  readonly changes: readonly DocumentChange[];
}

export type CommitListener = (event: CommitEvent) => void;

/**
 * One isolated Firestore database (project + database id): collections of versioned
 * documents. Mutation goes through `applyChanges` (called by the commit engine with locks
 * held), which also notifies commit listeners synchronously.
 */
export class Database {
  private readonly collections = new Map<string, Collection>();
  private readonly groups = new Map<string, Set<Collection>>();
  private readonly listeners = new Set<CommitListener>();
  /** Bumped by `clear()` so watchers and transactions know all state was dropped. */
  generation = 0;

  constructor(
    readonly id: DatabaseId,
    private readonly retentionNanos: bigint,
  ) {}

  get key(): string {
    return `${this.id.projectId}/${this.id.databaseId}`;
  }

  collection(path: string): Collection | undefined {
    return this.collections.get(path);
  }

  private collectionFor(path: string): Collection {
    let c = this.collections.get(path);
    if (!c) {
      c = new Collection(path);
      this.collections.set(path, c);
      let group = this.groups.get(c.id);
      if (!group) {
        group = new Set();
        this.groups.set(c.id, group);
      }
      group.add(c);
    }
    return c;
  }

  /** Collections with the given id anywhere under `parentPath` ('' = whole database). */
  collectionGroup(collectionId: string, parentPath: string): Collection[] {
    const out: Collection[] = [];
    for (const c of this.groups.get(collectionId) ?? []) {
      if (parentPath === '' || c.path.startsWith(parentPath + '/')) out.push(c);
    }
    return out;
  }

  allCollections(): IterableIterator<Collection> {
    return this.collections.values();
  }

  get(path: string, readTime?: bigint): StoredDocument | null {
    const c = this.collections.get(collectionOf(path));
    return c?.chain(lastSegment(path))?.at(readTime) ?? null;
  }

  /** Applies already validated changes at `commitTime` and notifies listeners. */
  applyChanges(commitTime: bigint, changes: readonly DocumentChange[]): void {
    const cutoff = commitTime - this.retentionNanos;
    for (const ch of changes) {
      const c = this.collectionFor(ch.collectionPath);
      const chain = c.chainFor(lastSegment(ch.path));
      chain.push(commitTime, ch.after);
      chain.prune(cutoff);
      c.onWrite(ch.before, ch.after);
    }
    if (changes.length === 0) return;
    const event: CommitEvent = { database: this, commitTime, changes };
    for (const l of this.listeners) l(event);
  }

  /** Number of registered commit listeners (open listen streams); leak checks use it. */
  get listenerCount(): number {
    return this.listeners.size;
  }

  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets tombstones and versions that left the retention window. */
  sweep(now: bigint): void {
    const cutoff = now - this.retentionNanos;
    for (const [path, c] of this.collections) {
      const dead: string[] = [];
      for (const [id, chain] of c.docs.entries()) {
        if (chain.isDeadBefore(cutoff)) dead.push(id);
        else chain.prune(cutoff);
      }
      for (const id of dead) c.docs.delete(id);
      if (c.docs.size === 0) {
        this.collections.delete(path);
        this.groups.get(c.id)?.delete(c);
      }
    }
  }

  /**
   * Deletes everything (the emulator's "clear data" endpoint), history included. Listeners
   * see one last commit deleting every live document so open listeners stay truthful.
   */
  clear(commitTime: bigint): void {
    const changes: DocumentChange[] = [];
    for (const c of this.collections.values()) {
      for (const doc of c.liveDocs()) changes.push({ path: doc.path, collectionPath: c.path, before: doc, after: null });
    }
    this.collections.clear();
    this.groups.clear();
    this.generation++;
    if (changes.length === 0) return;
    const event: CommitEvent = { database: this, commitTime, changes };
    for (const l of this.listeners) l(event);
  }

  /** Live document count (for the meter and diagnostics). */
  documentCount(): number {
    let n = 0;
    for (const c of this.collections.values()) n += c.liveCount;
    return n;
  }

  /**
   * Ids of collections directly under `parentPath` that hold at least one live document at
   * any depth (Firestore lists a collection while anything below it exists).
   */
  collectionIds(parentPath: string, readTime?: bigint): string[] {
    const ids = new Set<string>();
    const prefix = parentPath === '' ? '' : parentPath + '/';
    for (const c of this.collections.values()) {
      if (!c.path.startsWith(prefix)) continue;
      const rest = c.path.slice(prefix.length);
      const first = rest.split('/')[0]!;
      if (ids.has(first)) continue;
      if (this.hasLiveDoc(c, readTime)) ids.add(first);
    }
    return [...ids];
  }

  /** Whether `docPath` has any live document below it (for ListDocuments showMissing). */
  hasDescendants(docPath: string, readTime?: bigint): boolean {
    const prefix = docPath + '/';
    for (const c of this.collections.values()) {
      if (c.path.startsWith(prefix) && this.hasLiveDoc(c, readTime)) return true;
    }
    return false;
  }

  /** Ids of missing documents in `collectionPath` that have subcollections with documents. */
  missingParents(collectionPath: string, readTime?: bigint): string[] {
    const prefix = collectionPath + '/';
    const ids = new Set<string>();
    for (const c of this.collections.values()) {
      if (!c.path.startsWith(prefix)) continue;
      const id = c.path.slice(prefix.length).split('/')[0]!;
      if (ids.has(id) || this.get(prefix + id, readTime)) continue;
      if (this.hasLiveDoc(c, readTime)) ids.add(id);
    }
    return [...ids];
  }

  private hasLiveDoc(c: Collection, readTime?: bigint): boolean {
    if (readTime === undefined) return c.liveCount > 0;
    for (const _doc of c.docsAt(readTime)) return true;
    return false;
  }
}
