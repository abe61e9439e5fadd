/**
 * get()/exists()/getAfter()/existsAfter() through an injected accessor, with Firestore's
 * limits: 10 document access calls for a single-document request or query, 20 for a batch or
 * transaction (share one AccessSession across its writes). Repeated reads of the same document
 * are served from the session's cache and do not count again.
 */
import { formatPath } from './display.js';
import { fail, RulesEvaluationError } from './errors.js';
import { NULL, type PathV, type Value } from './values.js';
import { resourceValue, type ResourceName, type WireDocument } from './wire.js';

/** Reads documents for rules. `name` is a full resource name: projects/P/databases/D/documents/... */
export interface DocumentAccessor {
  /** The document as stored before the request, or null when it does not exist. */
  get(name: string): WireDocument | null;
  /** The document as it would be after the request's writes (only asked for write requests). */
  getAfter(name: string): WireDocument | null;
}

export const SINGLE_REQUEST_ACCESS_LIMIT = 10;
export const BATCH_ACCESS_LIMIT = 20;

/** Counts and caches document reads across the evaluations of one client request. */
export class AccessSession {
  private readonly cache = new Map<string, Value>();
  private calls = 0;

  constructor(readonly limit: number = SINGLE_REQUEST_ACCESS_LIMIT) {}

  get count(): number {
    return this.calls;
  }

  read(kind: 'get' | 'getAfter', name: string, load: () => Value): Value {
    const key = `${kind}\u0000${name}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    if (this.calls >= this.limit) {
      throw fail(`Exceeded maximum number of document access calls (${this.limit}) for this request.`);
    }
    this.calls++;
    const v = load();
    this.cache.set(key, v);
    return v;
  }
}

export interface DocumentReaderOptions {
  readonly project: string;
  readonly database: string;
  readonly isWrite: boolean;
  readonly accessor: DocumentAccessor | undefined;
  readonly session: AccessSession;
}

/** The readDocument implementation handed to builtins for one request. */
export function makeDocumentReader(o: DocumentReaderOptions): (kind: 'get' | 'getAfter', p: PathV) => Value {
  return (kind, p) => {
    const fn = kind === 'get' ? 'get()/exists()' : 'getAfter()/existsAfter()';
    const unbound = p.segs.find((s) => typeof s !== 'string');
    if (unbound) throw fail(`${fn}: path ${formatPath(p)} has an unbound segment`);
    const segs = p.segs as readonly string[];
    const docSegs = segs.slice(3);
    if (segs[0] !== 'databases' || segs[2] !== 'documents' || docSegs.length === 0 || docSegs.length % 2 !== 0) {
      throw fail(`${fn} needs a document path like /databases/$(database)/documents/collection/id, got ${formatPath(p)}`);
    }
    if (segs[1] !== o.database) {
      throw fail(`${fn} can only read from the database of the request (${o.database}), not ${segs[1] ?? ''}`);
    }
    if (kind === 'getAfter' && !o.isWrite) throw fail('getAfter() and existsAfter() are only available for write requests.');
    const accessor = o.accessor;
    if (!accessor) throw fail(`${fn}: no document accessor was provided for this request`);
    const name: ResourceName = { project: o.project, database: o.database, segments: docSegs };
    const fullName = `projects/${o.project}/databases/${o.database}/documents/${docSegs.join('/')}`;
    return o.session.read(kind, fullName, () => {
      let doc: WireDocument | null;
      try {
        doc = kind === 'get' ? accessor.get(fullName) : accessor.getAfter(fullName);
      } catch (err) {
        throw new RulesEvaluationError(`${fn}: reading ${fullName} failed: ${(err as Error).message}`);
      }
      return doc ? resourceValue(name, doc.fields) : NULL;
    });
  };
}
