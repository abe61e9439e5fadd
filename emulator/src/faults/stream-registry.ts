import type { FirestoreError } from '../model/index.js';
import type { StreamMethodName } from '../service/index.js';

/** One open Listen/Write stream, whatever its transport. */
export interface OpenStream {
  method: StreamMethodName;
  /** Learnt from the call metadata or the first message that names a database. */
  projectId: string | undefined;
  /** Ends the stream with `error` (the client sees it fail and reconnects). */
  drop(error: FirestoreError): void;
}

/** The open streams of every transport, so a fault can drop them all at once. */
export class StreamRegistry {
  private readonly streams = new Set<OpenStream>();

  add(stream: OpenStream): void {
    this.streams.add(stream);
  }

  remove(stream: OpenStream): void {
    this.streams.delete(stream);
  }

  count(projectId?: string): number {
    if (projectId === undefined) return this.streams.size;
    let n = 0;
    for (const s of this.streams) if (s.projectId === projectId) n++;
    return n;
  }

  /** Drops the project's streams (every stream when projectId is undefined); returns how many. */
  dropAll(error: FirestoreError, projectId?: string): number {
    const victims = [...this.streams].filter((s) => projectId === undefined || s.projectId === projectId);
    for (const s of victims) {
      this.streams.delete(s);
      s.drop(error);
    }
    return victims.length;
  }
}
