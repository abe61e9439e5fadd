import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { faultsClient, startEmulator, type FaultsClient, type RunningEmulator } from '@fq/emulator';
import { REPO_ROOT } from './paths.js';

/**
 * The Firestore the harness runs against: our emulator started in this process on a free
 * port, or the one named by FIRESTORE_EMULATOR_HOST. Meter, fault injection and the commit
 * journal exist only on ours; scenarios that need them say so instead of measuring nothing.
 */
export interface FirestoreTarget {
  host: string;
  projectId: string;
  /** Our emulator in this process (null when FIRESTORE_EMULATOR_HOST points elsewhere). */
  emulator: RunningEmulator | null;
  meter(): Promise<MeterCounts>;
  resetMeter(): Promise<void>;
  faults(): FaultsClient;
  stop(): Promise<void>;
}

export interface MeterCounts {
  reads: number;
  writes: number;
  deletes: number;
}

export class NeedsOurEmulatorError extends Error {
  override readonly name = 'NeedsOurEmulatorError';
  constructor(what: string) {
    super(`${what} needs the embedded emulator (its meter, faults or commit journal); unset FIRESTORE_EMULATOR_HOST`);
  }
}

export interface TargetOptions {
  projectId: string;
  /** Load the project's firestore.rules (browser-path tests); the admin SDK bypasses them. */
  rules?: boolean;
  /** Refuse an external emulator, naming what needs ours. */
  requireOurs?: string;
}

export async function startFirestoreTarget(options: TargetOptions): Promise<FirestoreTarget> {
  const external = process.env.FIRESTORE_EMULATOR_HOST;
  if (external && options.requireOurs) throw new NeedsOurEmulatorError(options.requireOurs);
  const emulator = external
    ? null
    : await startEmulator({
        port: 0,
        projectId: options.projectId,
        logLevel: 'silent',
        ...(options.rules ? { rules: readFileSync(join(REPO_ROOT, 'firestore.rules'), 'utf8') } : {}),
      });
  const host = emulator ? emulator.hostAndPort : external!;
  const base = emulator?.url ?? `http://${host}`;
  if (!emulator && options.rules) {
    // Google's emulator and ours take a project's rules through the same endpoint.
    const content = readFileSync(join(REPO_ROOT, 'firestore.rules'), 'utf8');
    const res = await fetch(`${base}/emulator/v1/projects/${options.projectId}:securityRules`, {
      method: 'PUT',
      body: JSON.stringify({ rules: { files: [{ name: 'firestore.rules', content }] } }),
    });
    if (!res.ok) throw new Error(`loading firestore.rules into ${host} failed: ${res.status} ${await res.text()}`);
  }
  const meterUrl = `${base}/emulator/v1/projects/${options.projectId}:meter`;
  const ours = (what: string) => {
    if (!emulator) throw new NeedsOurEmulatorError(what);
  };
  return {
    host,
    projectId: options.projectId,
    emulator,
    async meter() {
      ours('the operations meter');
      const body = (await (await fetch(meterUrl)).json()) as MeterCounts;
      return { reads: body.reads, writes: body.writes, deletes: body.deletes };
    },
    async resetMeter() {
      ours('the operations meter');
      await fetch(meterUrl, { method: 'DELETE' });
    },
    faults() {
      ours('fault injection');
      return faultsClient(base, options.projectId);
    },
    async stop() {
      await emulator?.stop();
    },
  };
}
