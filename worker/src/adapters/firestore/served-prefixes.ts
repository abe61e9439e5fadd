import { FieldValue, type Firestore } from 'firebase-admin/firestore';
import { SERVED_PREFIXES_DOC, servedPrefixesDocSchema } from '../../schema/access.js';
import { collectionPrefixSchema } from '../../schema/names.js';

/**
 * The project-wide list of collection prefixes some deployment serves
 * (`firequeue_config/tenants`), which the security rules read before every client write: a
 * browser may write only into a prefix a worker runs in, so nothing it writes is left where no
 * worker would ever process or delete it. A worker adds its own prefix when it starts (the
 * CLI, unless `--no-serve-prefix`); retiring a prefix is an operator's decision
 * (`retirePrefix`), never a worker's: one stopping is not the deployment going away.
 */
function ref(db: Firestore) {
  return db.collection(SERVED_PREFIXES_DOC.collection).doc(SERVED_PREFIXES_DOC.id);
}

/** Adds `prefix` to the served prefixes (idempotent; one write). */
export async function servePrefix(db: Firestore, prefix: string): Promise<void> {
  collectionPrefixSchema.parse(prefix);
  await ref(db).set({ servedPrefixes: FieldValue.arrayUnion(prefix), updatedAt: FieldValue.serverTimestamp() }, { merge: true });
}

/** Removes `prefix` from the served prefixes (documents already there stay). */
export async function retirePrefix(db: Firestore, prefix: string): Promise<void> {
  await ref(db).set({ servedPrefixes: FieldValue.arrayRemove(prefix), updatedAt: FieldValue.serverTimestamp() }, { merge: true });
}

export async function servedPrefixes(db: Firestore): Promise<string[]> {
  const snap = await ref(db).get();
  if (!snap.exists) return [];
  return servedPrefixesDocSchema.shape.servedPrefixes.parse(snap.get('servedPrefixes'));
}
