import { initializeApp } from 'firebase/app';
import { connectAuthEmulator, getAuth } from 'firebase/auth';
import { connectFirestoreEmulator, getFirestore } from 'firebase/firestore';

// The emulators' addresses come in the page's query string (?project=&firestore=&auth=&prefix=),
// so one build serves whatever ports the test picked; an app would use its own config.
const params = new URLSearchParams(window.location.search);

function hostAndPort(name: string): { host: string; port: number } {
  const value = params.get(name) ?? '';
  const match = /^([\w.-]+):(\d+)$/.exec(value);
  if (!match) throw new Error(`?${name}= must be host:port, got "${value}"`);
  return { host: match[1]!, port: Number(match[2]) };
}

const projectId = params.get('project') ?? 'demo-firequeue';
const app = initializeApp({ projectId, apiKey: 'demo-api-key', authDomain: `${projectId}.firebaseapp.com` });

export const auth = getAuth(app);
const authEmulator = hostAndPort('auth');
connectAuthEmulator(auth, `http://${authEmulator.host}:${authEmulator.port}`, { disableWarnings: true });

export const db = getFirestore(app);
const firestoreEmulator = hostAndPort('firestore');
connectFirestoreEmulator(db, firestoreEmulator.host, firestoreEmulator.port);

/** The workers' collection prefix (their --prefix); "" is the default tenant. */
export const prefix = params.get('prefix') ?? '';

/** A custom token to sign in with (the test makes one with claims); absent: anonymous. */
export const customToken = params.get('token');
/** Which page: the form (default) or the design document's snippets (`snippets`). */
export const view = params.get('view') ?? 'form';
