export { FirestoreStore, createFirestoreStore } from './firestore-store.js';
export type { FirestoreStoreOptions } from './firestore-store.js';
export { ClockOffset } from './clock-offset.js';
export { servePrefix, retirePrefix, servedPrefixes } from './served-prefixes.js';
