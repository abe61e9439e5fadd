import type { FirestoreError, StoredDocument } from '../model/index.js';
import { documentsRoot, formatNanos, invalidArgument, toDocumentJson } from '../model/index.js';
import type { CommitEvent, Database, Store } from '../store/index.js';
import { buildBloomFilter } from './bloom-filter.js';
import { decodeResumeToken, encodeResumeToken } from './resume-token.js';
import type { ResultSet, TargetDiff, TargetSpec } from './target.js';
import { applyChanges, diffResults, evaluateTarget, targetCollectionId } from './target.js';

/** A `google.firestore.v1.ListenResponse` in proto3-JSON shape. */
export type ListenResponse = Record<string, unknown>;

export interface ListenHooks {
  /**
   * Called with the number of document reads a listen event costs (Firestore billing), and
   * the paths of the documents read (fewer than `reads` when a minimum charge applies, which
   * goes to the target's `fallbackCollection`, see `targetCollectionId`).
   */
  chargeReads(reads: number, paths: readonly string[], fallbackCollection: string): void;
}

/** A resumed listener pays only for changes if it was away less than this (Firestore: 30 min). */
export const CHEAP_RESUME_NANOS = 30n * 60n * 1_000_000_000n;

interface ActiveTarget {
  id: number;
  spec: TargetSpec;
  results: ResultSet;
  once: boolean;
}

export interface AddTargetOptions {
  resumeToken?: string;
  readTime?: bigint;
  expectedCount?: number;
  once?: boolean;
}

/**
 * The server side of one Listen stream: its targets, their current result sets, and the
 * message sequences Firestore sends (ADD, documents, CURRENT, global NO_CHANGE with a read
 * time; later document changes/deletes/removes closed by a global NO_CHANGE).
 */
export class ListenSession {
  private readonly targets = new Map<number, ActiveTarget>();
  private readonly unsubscribe: () => void;
  private readonly root: string;
  private nextServerTargetId = -1;
  private closed = false;

  constructor(
    private readonly store: Store,
    readonly database: Database,
    private readonly send: (msg: ListenResponse) => void,
    private readonly hooks: ListenHooks,
  ) {
    this.root = documentsRoot(database.id);
    this.unsubscribe = database.onCommit((event) => this.onCommit(event));
  }

  get targetCount(): number {
    return this.targets.size;
  }

  hasTarget(id: number): boolean {
    return this.targets.has(id);
  }

  addTarget(requestedId: number, spec: TargetSpec, options: AddTargetOptions = {}): void {
    if (this.closed) return;
    const id = requestedId === 0 ? this.nextServerTargetId-- : requestedId;
    if (this.targets.has(id)) {
      this.failTarget(id, invalidArgument(`Target id ${id} is already in use on this stream.`));
      return;
    }
    const now = this.store.clock.readTime();
    const resumeAt = this.resumePoint(options, now);
    const target: ActiveTarget = { id, spec, results: evaluateTarget(this.database, spec), once: options.once === true };
    this.targets.set(id, target);
    this.targetChange('ADD', [id]);
    let reads: number;
    let paths: string[];
    if (resumeAt !== undefined) {
      const before = evaluateTarget(this.database, spec, resumeAt);
      const diff = diffResults(before, target.results, this.database);
      this.sendDiff(id, diff, now);
      const cheap = now - resumeAt <= CHEAP_RESUME_NANOS;
      reads = cheap ? diff.changed.length : Math.max(1, target.results.size);
      paths = cheap ? diff.changed.map((d) => d.path) : [...target.results.keys()];
      if (options.expectedCount !== undefined && spec.kind === 'query') {
        // Like production Watch, the count comes with a bloom filter of the result's names:
        // a client that disagrees drops what the filter lacks instead of re-querying.
        const unchangedNames = buildBloomFilter([...target.results.keys()].map((path) => `${this.root}/${path}`));
        this.send({ filter: { targetId: id, count: target.results.size, ...(unchangedNames ? { unchangedNames } : {}) } });
      }
    } else {
      // A token we cannot honour: make the client forget what it had, then send everything.
      if (options.resumeToken || options.readTime !== undefined) this.targetChange('RESET', [id]);
      for (const doc of target.results.values()) this.sendDocument(id, doc);
      reads = Math.max(1, target.results.size);
      paths = [...target.results.keys()];
    }
    this.hooks.chargeReads(reads, paths, targetCollectionId(spec));
    const token = this.token(now);
    this.targetChange('CURRENT', [id], { resumeToken: token });
    this.globalSnapshot(now);
    if (target.once) this.removeTarget(id);
  }

  private resumePoint(options: AddTargetOptions, now: bigint): bigint | undefined {
    let at: bigint | undefined;
    if (options.resumeToken) {
      const p = decodeResumeToken(options.resumeToken);
      if (p && p.generation === this.database.generation) at = p.readTime;
    } else if (options.readTime !== undefined) at = options.readTime;
    if (at === undefined || at > now || at < now - this.store.retentionNanos) return undefined;
    return at;
  }

  removeTarget(id: number): void {
    // Unknown ids (e.g. a target the server already failed) are acknowledged all the same:
    // the client counts one REMOVE per removeTarget it sent.
    this.targets.delete(id);
    this.targetChange('REMOVE', [id]);
  }

  /** Reports a target error: REMOVE with a cause (the client fails that listener only). */
  failTarget(id: number, error: FirestoreError): void {
    this.targets.delete(id);
    this.targetChange('REMOVE', [id], { cause: error.toStatus() });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.targets.clear();
  }

  private onCommit(event: CommitEvent): void {
    if (this.closed || event.database !== this.database) return;
    let touched = false;
    const paths: string[] = [];
    for (const target of this.targets.values()) {
      const diff = applyChanges(this.database, target.spec, target.results, event.changes);
      if (diff.changed.length + diff.deleted.length + diff.removed.length === 0) continue;
      touched = true;
      for (const doc of diff.changed) paths.push(doc.path);
      this.sendDiff(target.id, diff, event.commitTime);
    }
    if (!touched) return;
    if (paths.length > 0) this.hooks.chargeReads(paths.length, paths, '');
    this.globalSnapshot(event.commitTime);
  }

  private sendDiff(id: number, diff: TargetDiff, readTime: bigint): void {
    const time = formatNanos(readTime);
    for (const doc of diff.changed) this.sendDocument(id, doc);
    for (const path of diff.deleted) {
      this.send({ documentDelete: { document: `${this.root}/${path}`, removedTargetIds: [id], readTime: time } });
    }
    for (const path of diff.removed) {
      this.send({ documentRemove: { document: `${this.root}/${path}`, removedTargetIds: [id], readTime: time } });
    }
  }

  private sendDocument(id: number, doc: StoredDocument): void {
    this.send({ documentChange: { document: toDocumentJson(this.root, doc), targetIds: [id] } });
  }

  private token(readTime: bigint): string {
    return encodeResumeToken({ readTime, generation: this.database.generation });
  }

  private globalSnapshot(readTime: bigint): void {
    this.targetChange('NO_CHANGE', [], { readTime: formatNanos(readTime), resumeToken: this.token(readTime) });
  }

  private targetChange(type: string, targetIds: number[], extra: Record<string, unknown> = {}): void {
    this.send({ targetChange: { targetChangeType: type, targetIds, ...extra } });
  }
}
