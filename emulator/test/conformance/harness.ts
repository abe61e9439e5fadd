/**
 * Shared plumbing for the conformance suites: cases ported from the SDKs' own public
 * integration tests (firebase-js-sdk `packages/firestore/test/integration/api/*` and
 * nodejs-firestore `dev/system-test/firestore.ts`), run against our emulator (or the one
 * FIRESTORE_EMULATOR_HOST names) with the real SDKs. Each test writes under a fresh random
 * collection so tests never see each other's data.
 */
import { randomBytes } from 'node:crypto';
import type { Firestore as AdminFirestore } from 'firebase-admin/firestore';
import type { CollectionReference, DocumentData, Firestore, FirestoreSettings, QuerySnapshot } from 'firebase/firestore';
import { collection, doc, writeBatch } from 'firebase/firestore';
import { afterAll, beforeAll } from 'vitest';
import { adminFirestore, clientFirestore } from '../../src/testing/sdk-clients.js';
import type { TestTarget } from '../../src/testing/test-env.js';
import { startTestTarget, uniqueProjectId } from '../../src/testing/test-env.js';

export { waitFor } from '../../src/testing/test-env.js';

/** A collection id no other test uses. */
export const randomId = (prefix = 'c'): string => `${prefix}${randomBytes(6).toString('hex')}`;

/** Starts one emulator (or points at the external one) for the calling test file. */
export function useTarget(): { readonly target: TestTarget } {
  const env = {} as { target: TestTarget };
  beforeAll(async () => {
    env.target = await startTestTarget();
  });
  afterAll(async () => {
    await env.target?.stop();
  });
  return env;
}

export interface ClientEnv {
  /** The instance under test. */
  readonly db: Firestore;
  /**
   * A second instance that writes test fixtures, so the first one's cache starts empty (the
   * js-sdk helpers do the same: fixtures never show up as the reader's own local writes).
   */
  readonly setup: Firestore;
  readonly target: TestTarget;
  readonly projectId: string;
}

/** Client SDKs (Node build, gRPC) for the calling test file, on its own project. */
export function useClient(prefix: string, settings: FirestoreSettings = {}): ClientEnv {
  const env = {} as ClientEnv & { closers: Array<() => Promise<void>> };
  beforeAll(async () => {
    Object.assign(env, { target: await startTestTarget(), projectId: uniqueProjectId(prefix), closers: [] });
    const reader = clientFirestore(env.target, env.projectId, undefined, settings);
    const writer = clientFirestore(env.target, env.projectId, undefined, settings);
    Object.assign(env, { db: reader.db, setup: writer.db });
    env.closers.push(reader.close, writer.close);
  });
  afterAll(async () => {
    for (const close of env.closers ?? []) await close();
    await env.target?.stop();
  });
  return env;
}

/** A firebase-admin Firestore for the calling test file, on its own project (REST with `preferRest`). */
export function useAdmin(prefix: string, options: { preferRest?: boolean } = {}): { readonly db: AdminFirestore; readonly target: TestTarget; readonly projectId: string } {
  const env = {} as { db: AdminFirestore; target: TestTarget; projectId: string; close: () => Promise<void> };
  beforeAll(async () => {
    env.target = await startTestTarget();
    env.projectId = uniqueProjectId(prefix);
    const admin = adminFirestore(env.target, env.projectId, options);
    env.db = admin.db;
    env.close = admin.close;
  });
  afterAll(async () => {
    await env.close?.();
    await env.target?.stop();
  });
  return env;
}

/**
 * Writes `docs` (id -> data) into a fresh collection in one batch through the setup
 * instance and returns that collection for the instance under test (js-sdk `withTestCollection`).
 */
export async function withDocs(env: ClientEnv, docs: Record<string, DocumentData>): Promise<CollectionReference> {
  const id = randomId();
  const batch = writeBatch(env.setup);
  for (const [docId, data] of Object.entries(docs)) batch.set(doc(env.setup, id, docId), data);
  await batch.commit();
  return collection(env.db, id);
}

export const toData = (snap: QuerySnapshot): DocumentData[] => snap.docs.map((d) => d.data());
export const toIds = (snap: QuerySnapshot): string[] => snap.docs.map((d) => d.id);

/** The SDK error code of a rejected promise (client: 'not-found', admin: 5), or 'ok'. */
export async function codeOf(p: Promise<unknown>): Promise<string | number> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return (err as { code?: string | number }).code ?? String(err);
  }
}

/** The rejection of a promise that must fail. */
export async function failure(p: Promise<unknown>): Promise<{ code?: string | number; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code?: string | number; message: string };
  }
  throw new Error('expected the operation to fail, it succeeded');
}

/**
 * Listener events in arrival order (js-sdk `EventsAccumulator`): `next()` waits for the next
 * one (the timeout is a safety net for a broken emulator, never a pacing device).
 */
export class Events<T> {
  private readonly queue: T[] = [];
  private readonly waiters: Array<(v: T) => void> = [];
  readonly errors: Error[] = [];

  readonly push = (v: T): void => {
    const w = this.waiters.shift();
    if (w) w(v);
    else this.queue.push(v);
  };

  readonly fail = (e: Error): void => {
    this.errors.push(e);
  };

  next(what = 'listener event', timeoutMs = 20_000): Promise<T> {
    const ready = this.queue.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise<T>((resolve, reject) => {
      const waiter = (v: T): void => {
        clearTimeout(timer);
        resolve(v);
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`Timed out waiting for ${what}${this.errors.length ? ` (listener error: ${this.errors[0]!.message})` : ''}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Skips events until one satisfies `pred`. */
  async until(pred: (v: T) => boolean, what = 'matching listener event'): Promise<T> {
    for (;;) {
      const v = await this.next(what);
      if (pred(v)) return v;
    }
  }
}
