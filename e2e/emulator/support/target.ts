import { randomBytes } from 'node:crypto';
import type { App } from 'firebase-admin/app';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import type { Firestore } from 'firebase-admin/firestore';
import { getFirestore } from 'firebase-admin/firestore';
import type { RunningEmulator } from '@fq/emulator';
import { startEmulator } from '@fq/emulator';

/**
 * The Firestore the specs talk to: our emulator started in this process on a free port, or
 * an external one when FIRESTORE_EMULATOR_HOST is set (specs that need our internals, such
 * as fault injection, skip themselves then).
 */
export interface EmulatorTarget {
  host: string;
  port: number;
  url: string;
  emulator?: RunningEmulator;
  stop(): Promise<void>;
}

export async function startTarget(): Promise<EmulatorTarget> {
  const external = process.env.FIRESTORE_EMULATOR_HOST;
  if (external) {
    const i = external.lastIndexOf(':');
    const host = external.slice(0, i).replace(/^\[|\]$/g, '');
    return { host, port: Number(external.slice(i + 1)), url: `http://${external}`, stop: async () => undefined };
  }
  const emulator = await startEmulator({ port: 0, logLevel: 'silent' });
  return { host: emulator.host, port: emulator.port, url: emulator.url, emulator, stop: () => emulator.stop() };
}

/** A project id no other spec uses, so specs never see each other's data. */
export function uniqueProject(prefix: string): string {
  return `demo-${prefix}-${randomBytes(4).toString('hex')}`.toLowerCase().slice(0, 30);
}

/** firebase-admin (gRPC) on the target: the "other process" whose writes the page must see. */
export function adminFor(target: EmulatorTarget, projectId: string): { db: Firestore; close(): Promise<void> } {
  const app: App = initializeApp({ projectId }, `admin-${projectId}-${randomBytes(3).toString('hex')}`);
  const db = getFirestore(app);
  db.settings({ host: `${target.host}:${target.port}`, ssl: false });
  return {
    db,
    close: async () => {
      await db.terminate();
      await deleteApp(app);
    },
  };
}
