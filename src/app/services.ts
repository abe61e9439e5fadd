import type { QueueStore } from '@fq/client';
import type { AuthPort } from '../auth/port';
import type { DataPort } from '../data/port';

/**
 * Everything the app talks to, injected at the root: Firebase in `main.tsx`, fakes in tests.
 * `loadData` is lazy because Firestore (and the zod schemas) are a separate chunk that the
 * sign-in page does not need.
 */
export interface AppServices {
  auth: AuthPort;
  loadData(): Promise<DataPort>;
  /**
   * The end-user page's access to the queue (`@fq/client`'s Firestore store), lazy like
   * `loadData`: the page is a consumer of the client package like any app.
   */
  loadQueueStore(): Promise<QueueStore>;
  /** Collection-name prefix, also part of every query key. */
  prefix: string;
  /** Shown in the footer: which backend this console talks to. */
  backendLabel: string;
}
