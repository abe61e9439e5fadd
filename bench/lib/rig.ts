import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createQueue, FirestoreStore, type Queue, type WorkerConfigInput } from '@fq/worker';
import type { FakeGeminiClient, FakeGeminiOptions } from '@fq/fake-gemini';
import { startSystem, type SystemHandle } from '../../system/index.js';
import { runPrefix } from './scenario.js';

/**
 * One system under test for a scenario, brought up by the shared orchestrator
 * (`system/startSystem`): Firestore (ours, or FIRESTORE_EMULATOR_HOST), the fake Gemini, N
 * worker processes on a fresh collection prefix; plus a server-side queue client for the
 * harness. No dashboard, traffic or control API: scenarios drive the load themselves.
 */
export interface Rig {
  system: SystemHandle;
  store: FirestoreStore;
  queue: Queue;
  prefix: string;
  /** The fake Gemini's control API (stats, configure, failNext, reset). */
  fake: FakeGeminiClient;
  fakeUrl: string;
  stop(): Promise<void>;
}

export interface RigOptions {
  tag: string;
  projectId: string;
  fake: Omit<FakeGeminiOptions, 'port' | 'host'>;
  config: WorkerConfigInput;
  workers: number;
  concurrency: number;
  log?: (message: string) => void;
}

export async function startRig(options: RigOptions): Promise<Rig> {
  const prefix = runPrefix(options.tag);
  const system = await startSystem({
    projectId: options.projectId,
    prefix,
    workers: options.workers,
    workerConcurrency: options.concurrency,
    workerConfig: options.config,
    workerGraceMs: 2_000,
    fakeGemini: options.fake,
    // A stray key in the environment would send the bench to Google.
    geminiApiKey: null,
    dashboard: false,
    control: false,
    traffic: null,
    logDir: mkdtempSync(join(tmpdir(), `fq-bench-${options.tag}-`)),
    onEvent: (e) => {
      if (e.type === 'failure') options.log?.(`${options.tag}: ${e.failure.component} failed: ${e.failure.message}`);
    },
  });
  if (!system.gemini || !system.info.gemini.url) {
    await system.stop();
    throw new Error('the bench needs the fake Gemini (unset GEMINI_API_KEY)');
  }
  const store = new FirestoreStore({ projectId: options.projectId, prefix, emulatorHost: system.info.firestore.hostAndPort });
  return {
    system,
    store,
    queue: createQueue({ store, config: options.config, clientId: `bench-${options.tag}` }),
    prefix,
    fake: system.gemini,
    fakeUrl: system.info.gemini.url,
    async stop() {
      await store.close().catch(() => undefined);
      await system.stop();
    },
  };
}

/** Workers that exited although nobody stopped them (a crash is a finding). */
export async function crashedWorkers(system: SystemHandle): Promise<string[]> {
  return (await system.failures()).filter((f) => f.component.startsWith('worker')).map((f) => `${f.component}: ${f.message}`);
}
