import { test as base, expect } from '@playwright/test';
import { createQueue, FirestoreStore, type Queue } from '@fq/worker';
import type { Actor } from '@fq/worker/schema';
import { SystemClient } from '../../../system/index.js';

/** The suite's own operator identity in audit entries it causes through the server API. */
export const SUITE_ACTOR: Actor = { kind: 'admin', id: 'e2e-suite', email: null };

type WorkerFixtures = {
  /** The running system (started once by global-setup.ts), operated over its control API. */
  system: SystemClient;
  /** firebase-admin store on the system's Firestore and prefix (set-up and checks). */
  store: FirestoreStore;
  /** The queue's server API (enqueue, getJob, waitForJob, control) on that store. */
  queue: Queue;
};

type TestFixtures = {
  /** Fails fast, with the reason, when an essential part of the system has died. */
  systemHealthy: void;
};

export const test = base.extend<TestFixtures, WorkerFixtures>({
  system: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      await use(SystemClient.fromEnv());
    },
    { scope: 'worker' },
  ],
  store: [
    async ({ system }, use) => {
      const { projectId, prefix, firestore } = system.info;
      const store = new FirestoreStore({ projectId, prefix, emulatorHost: firestore.hostAndPort });
      await use(store);
      await store.close();
    },
    { scope: 'worker' },
  ],
  queue: [
    async ({ store, system }, use) => {
      await use(createQueue({ store, config: system.info.workerConfig, clientId: 'e2e-suite' }));
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ system }, use) => {
    if (!system.info.dashboard) throw new Error('the e2e system runs without a dashboard');
    await use(system.info.dashboard.url);
  },
  systemHealthy: [
    async ({ system }, use, testInfo) => {
      const broken = (await system.failures()).filter((f) => f.essential);
      if (broken.length > 0) throw new Error(`the system is down: ${broken.map((f) => f.message).join('\n')}`);
      await use();
      if (testInfo.status !== testInfo.expectedStatus) {
        // What the processes were doing, next to the trace.
        const state = { workers: await system.workers(), failures: await system.failures(), logs: system.info.logDir };
        await testInfo.attach('system-state.json', { body: JSON.stringify(state, null, 2), contentType: 'application/json' });
      }
    },
    { auto: true },
  ],
});

export { expect };
