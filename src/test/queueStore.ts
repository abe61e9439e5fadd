import { SERVER_TIME, type QueueStore, type Write } from '@fq/client';
import { SERVER_TIME as PORT_SERVER_TIME, type DataPort, type Mutation } from '../data/port';
import { docSpec, querySpec } from '../data/specs';

/** The client's SERVER_TIME as the data port's sentinel, everywhere in written data. */
function portValue(value: unknown): unknown {
  if (value === SERVER_TIME) return PORT_SERVER_TIME;
  if (Array.isArray(value)) return value.map(portValue);
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, portValue(v)]));
  }
  return value;
}

const mutation = (w: Write): Mutation => ({ ...w, data: portValue(w.data) as Record<string, unknown> });

/**
 * The end-user page's `@fq/client` store over a console DataPort, for tests: the page's
 * tests keep seeding and asserting through `FakeData` (its documents, commits and listeners)
 * while the page runs the real client. In the browser the page uses the client's own
 * Firestore store (`AppServices.loadQueueStore`).
 */
export function queueStoreOver(port: DataPort): QueueStore {
  return {
    watchDoc: (ref, listener) => port.watchDoc(docSpec(ref.collection, ref.id), { next: (row) => listener.next(row), error: (e) => listener.error(e) }),
    watchQuery: (ref, listener) =>
      port.watchQuery(querySpec(ref.collection, { where: ref.where, orderBy: ref.orderBy, limit: ref.limit }), {
        next: (rows) => listener.next(rows),
        error: (e) => listener.error(e),
      }),
    getDoc: (ref) => port.getDoc(docSpec(ref.collection, ref.id)),
    getQuery: async (ref) => (await port.getPage(querySpec(ref.collection, { where: ref.where, orderBy: ref.orderBy, limit: ref.limit }), null)).rows,
    transact: (plan) =>
      port.transact(async (tx) => {
        const { writes, result } = await plan((ref) => tx.get(docSpec(ref.collection, ref.id)));
        return { mutations: writes.map(mutation), result };
      }),
    commit: (writes) => port.commitBatch(writes.map(mutation)),
    newId: (collection) => port.newId(collection),
  };
}
