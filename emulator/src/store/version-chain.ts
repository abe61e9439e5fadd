import type { StoredDocument } from '../model/index.js';

/** One committed state of a document: `doc` null means deleted (a tombstone). */
export interface Version {
  readonly time: bigint;
  readonly doc: StoredDocument | null;
}

/**
 * The history of one document path, oldest first. Point-in-time reads pick the newest
 * version at or before the read time; versions older than the retention window are pruned.
 */
export class VersionChain {
  readonly versions: Version[] = [];

  latest(): StoredDocument | null {
    return this.versions.length ? this.versions[this.versions.length - 1]!.doc : null;
  }

  at(time: bigint | undefined): StoredDocument | null {
    if (time === undefined) return this.latest();
    for (let i = this.versions.length - 1; i >= 0; i--) {
      const v = this.versions[i]!;
      if (v.time <= time) return v.doc;
    }
    return null;
  }

  push(time: bigint, doc: StoredDocument | null): void {
    this.versions.push({ time, doc });
  }

  /** Drops versions no read inside the window can see; keeps the newest one before `cutoff`. */
  prune(cutoff: bigint): void {
    let keepFrom = 0;
    for (let i = 0; i < this.versions.length; i++) {
      if (this.versions[i]!.time <= cutoff) keepFrom = i;
      else break;
    }
    if (keepFrom > 0) this.versions.splice(0, keepFrom);
  }

  /** True when the chain only holds a tombstone older than the cutoff (safe to forget). */
  isDeadBefore(cutoff: bigint): boolean {
    const last = this.versions[this.versions.length - 1];
    return !last || (last.doc === null && last.time <= cutoff);
  }
}
