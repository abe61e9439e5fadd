import { randomBytes } from 'node:crypto';
import { startEmulator } from '../emulator.js';
import type { RunningEmulator } from '../emulator.js';

/**
 * Where integration tests send their traffic: our emulator started in-process on a free
 * port, or an external one (ours or Google's) when FIRESTORE_EMULATOR_HOST is set.
 */
export interface TestTarget {
  host: string;
  port: number;
  /** `host:port` */
  hostAndPort: string;
  /** `http://host:port` */
  url: string;
  /** Set when we started the emulator in this process. */
  emulator?: RunningEmulator;
  stop(): Promise<void>;
}

export async function startTestTarget(): Promise<TestTarget> {
  const external = process.env.FIRESTORE_EMULATOR_HOST;
  if (external) {
    const i = external.lastIndexOf(':');
    const host = external.slice(0, i).replace(/^\[|\]$/g, '');
    const port = Number(external.slice(i + 1));
    return { host, port, hostAndPort: external, url: `http://${external}`, stop: async () => undefined };
  }
  const emulator = await startEmulator({ port: 0, logLevel: 'silent' });
  return { host: emulator.host, port: emulator.port, hostAndPort: emulator.hostAndPort, url: emulator.url, emulator, stop: () => emulator.stop() };
}

/** A project id no other test uses (tests never see each other's data). */
export function uniqueProjectId(prefix: string): string {
  return `demo-${prefix}-${randomBytes(4).toString('hex')}`.toLowerCase().slice(0, 30);
}

/** Polls `check` until it returns a value (not undefined) or the timeout passes. */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
