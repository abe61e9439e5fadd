import type { MeterSnapshot } from '@fq/emulator';
import { NotAvailableError, type SystemInfo } from './types.js';

/** Our emulator's operations meter for the system's project (HTTP, works from any process). */
export function emulatorMeter(info: Pick<SystemInfo, 'firestore' | 'projectId'>): { read(): Promise<MeterSnapshot>; reset(): Promise<void> } {
  const url = `${info.firestore.url}/emulator/v1/projects/${encodeURIComponent(info.projectId)}:meter`;
  const call = async (method: 'GET' | 'DELETE'): Promise<unknown> => {
    if (!info.firestore.ours) throw new NotAvailableError(`the Firestore emulator at ${info.firestore.hostAndPort} has no operations meter (only ours does)`);
    const response = await fetch(url, { method });
    const text = await response.text();
    if (!response.ok) throw new Error(`emulator meter ${method} answered ${response.status}: ${text}`);
    return JSON.parse(text) as unknown;
  };
  return {
    read: async () => (await call('GET')) as MeterSnapshot,
    reset: async () => {
      await call('DELETE');
    },
  };
}
