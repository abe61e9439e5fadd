// Browser-side harness: the real firebase@12.19.0 web SDK (full SDK over WebChannel + REST,
// lite SDK over fetch/REST), driven by the Playwright specs through `window.harness`.
import type { FirebaseApp } from 'firebase/app';
import { deleteApp, initializeApp } from 'firebase/app';
import type { DocumentData, Firestore, FirestoreSettings, Query } from 'firebase/firestore';
import {
  collection,
  connectFirestoreEmulator,
  doc,
  getCountFromServer,
  getDoc,
  getDocs,
  increment,
  initializeFirestore,
  limit as limitTo,
  onSnapshot,
  orderBy,
  query,
  runTransaction,
  setDoc,
  terminate,
  updateDoc,
  where,
} from 'firebase/firestore';
import type { Firestore as LiteFirestore } from 'firebase/firestore/lite';
import * as lite from 'firebase/firestore/lite';

export type TransportMode = 'auto-detect' | 'force-long-polling' | 'no-auto-detect';

export interface ConnectOptions {
  host: string;
  port: number;
  projectId: string;
  mode: TransportMode;
  /** Signs the SDK in with an unsigned emulator token (`sub` = uid). */
  uid?: string;
}

export interface QuerySpec {
  collection: string;
  where?: [string, '==' | '<' | '<=' | '>' | '>=' | '!=', unknown];
  orderBy?: string;
  limit?: number;
}

export interface ListenerState {
  snapshots: number;
  docs: Array<{ id: string; data: DocumentData }>;
  fromCache: boolean;
  errors: string[];
}

interface State {
  app?: FirebaseApp;
  db?: Firestore;
  liteApp?: FirebaseApp;
  liteDb?: LiteFirestore;
  listeners: Map<string, { state: ListenerState; stop: () => void }>;
}

const state: State = { listeners: new Map() };
let counter = 0;

function settingsFor(mode: TransportMode): FirestoreSettings {
  if (mode === 'force-long-polling') return { experimentalForceLongPolling: true };
  if (mode === 'no-auto-detect') return { experimentalAutoDetectLongPolling: false };
  return {};
}

function db(): Firestore {
  if (!state.db) throw new Error('harness.connect() first');
  return state.db;
}

function buildQuery(spec: QuerySpec): Query {
  let q: Query = collection(db(), spec.collection);
  if (spec.where) q = query(q, where(...spec.where));
  if (spec.orderBy) q = query(q, orderBy(spec.orderBy));
  if (spec.limit !== undefined) q = query(q, limitTo(spec.limit));
  return q;
}

const harness = {
  async connect(options: ConnectOptions): Promise<void> {
    const name = `harness-${++counter}`;
    const config = { projectId: options.projectId, apiKey: 'fake-api-key', appId: '1:1234:web:harness' };
    const app = initializeApp(config, name);
    const firestore = initializeFirestore(app, settingsFor(options.mode));
    const token = options.uid ? { mockUserToken: { sub: options.uid, user_id: options.uid } } : {};
    connectFirestoreEmulator(firestore, options.host, options.port, token);
    const liteApp = initializeApp(config, `${name}-lite`);
    const liteDb = lite.getFirestore(liteApp);
    lite.connectFirestoreEmulator(liteDb, options.host, options.port, token);
    Object.assign(state, { app, db: firestore, liteApp, liteDb });
  },

  async set(path: string, data: DocumentData): Promise<void> {
    await setDoc(doc(db(), path), data);
  },

  async increment(path: string, field: string, by: number): Promise<void> {
    await updateDoc(doc(db(), path), { [field]: increment(by) });
  },

  async get(path: string): Promise<DocumentData | null> {
    const snap = await getDoc(doc(db(), path));
    return snap.exists() ? snap.data() : null;
  },

  async query(spec: QuerySpec): Promise<Array<{ id: string; data: DocumentData }>> {
    const snap = await getDocs(buildQuery(spec));
    return snap.docs.map((d) => ({ id: d.id, data: d.data() }));
  },

  /** getCountFromServer: a REST runAggregationQuery. */
  async count(spec: QuerySpec): Promise<number> {
    return (await getCountFromServer(buildQuery(spec))).data().count;
  },

  /** Moves `amount` from one counter document to another in a transaction (REST batchGet + commit). */
  async transfer(from: string, to: string, amount: number): Promise<{ attempts: number }> {
    let attempts = 0;
    await runTransaction(db(), async (tx) => {
      attempts++;
      const a = await tx.get(doc(db(), from));
      const b = await tx.get(doc(db(), to));
      const av = Number(a.get('balance') ?? 0);
      const bv = Number(b.get('balance') ?? 0);
      if (av < amount) throw new Error(`insufficient balance ${av}`);
      tx.set(doc(db(), from), { balance: av - amount }, { merge: true });
      tx.set(doc(db(), to), { balance: bv + amount }, { merge: true });
    });
    return { attempts };
  },

  /** Lite SDK (fetch + REST only): runQuery. */
  async liteQuery(collectionPath: string): Promise<Array<{ id: string; data: DocumentData }>> {
    if (!state.liteDb) throw new Error('harness.connect() first');
    const snap = await lite.getDocs(lite.collection(state.liteDb, collectionPath));
    return snap.docs.map((d) => ({ id: d.id, data: d.data() }));
  },

  /** Lite SDK: batchGet of one document. */
  async liteGet(path: string): Promise<DocumentData | null> {
    if (!state.liteDb) throw new Error('harness.connect() first');
    const snap = await lite.getDoc(lite.doc(state.liteDb, path));
    return snap.exists() ? snap.data() : null;
  },

  /** Lite SDK: commit. */
  async liteSet(path: string, data: DocumentData): Promise<void> {
    if (!state.liteDb) throw new Error('harness.connect() first');
    await lite.setDoc(lite.doc(state.liteDb, path), data);
  },

  /** Starts an onSnapshot listener on a document path or a query; read it with `listener(id)`. */
  listen(id: string, target: string | QuerySpec): void {
    const s: ListenerState = { snapshots: 0, docs: [], fromCache: true, errors: [] };
    const onError = (err: Error): void => {
      s.errors.push(err.message);
    };
    const stop =
      typeof target === 'string'
        ? onSnapshot(
            doc(db(), target),
            { includeMetadataChanges: true },
            (snap) => {
              s.snapshots++;
              s.fromCache = snap.metadata.fromCache;
              s.docs = snap.exists() ? [{ id: snap.id, data: snap.data() }] : [];
            },
            onError,
          )
        : onSnapshot(
            buildQuery(target),
            { includeMetadataChanges: true },
            (snap) => {
              s.snapshots++;
              s.fromCache = snap.metadata.fromCache;
              s.docs = snap.docs.map((d) => ({ id: d.id, data: d.data() }));
            },
            onError,
          );
    state.listeners.set(id, { state: s, stop });
  },

  listener(id: string): ListenerState {
    const l = state.listeners.get(id);
    if (!l) throw new Error(`no listener ${id}`);
    return JSON.parse(JSON.stringify(l.state)) as ListenerState;
  },

  unlisten(id: string): void {
    state.listeners.get(id)?.stop();
    state.listeners.delete(id);
  },

  async shutdown(): Promise<void> {
    for (const id of [...state.listeners.keys()]) harness.unlisten(id);
    if (state.db) await terminate(state.db);
    if (state.liteDb) await lite.terminate(state.liteDb);
    if (state.app) await deleteApp(state.app);
    if (state.liteApp) await deleteApp(state.liteApp);
    Object.assign(state, { app: undefined, db: undefined, liteApp: undefined, liteDb: undefined });
  },
};

export type Harness = typeof harness;

(globalThis as unknown as { harness: Harness }).harness = harness;
