/**
 * The emulator process of queue-cpu.ts: answers "cpu" with its own process.cpuUsage(), so
 * the driver's SDK work is not counted. EMULATOR_ENTRY may point at another checkout's
 * src/index.ts (to compare two versions side by side in one run).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Emulator from '../src/index.js';

const entry = process.env.EMULATOR_ENTRY ? pathToFileURL(process.env.EMULATOR_ENTRY).href : '../src/index.js';
const { startEmulator } = (await import(entry)) as typeof Emulator;
const emulator = await startEmulator({ port: 0, logLevel: 'warn' });

// With PROFILE_DIR, a CPU profile covers exactly the measured window (between two "cpu" messages).
const profileDir = process.env.PROFILE_DIR;
const inspector = profileDir ? new Session() : undefined;
let profiling = false;

async function toggleProfile(): Promise<void> {
  if (!inspector || !profileDir) return;
  if (!profiling) {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.setSamplingInterval', { interval: 200 });
    await inspector.post('Profiler.start');
    profiling = true;
    return;
  }
  const { profile } = await inspector.post('Profiler.stop');
  profiling = false;
  writeFileSync(join(profileDir, `queue-cpu-${process.pid}.cpuprofile`), JSON.stringify(profile));
}

process.on('message', (msg: { type: string; id: number }) => {
  if (msg.type === 'cpu') {
    void toggleProfile().then(() => {
      const u = process.cpuUsage();
      process.send!({ type: 'cpu', id: msg.id, user: u.user, system: u.system });
    });
  } else if (msg.type === 'stop') {
    void emulator.stop().then(() => process.exit(0));
  }
});
process.send!({ type: 'ready', url: emulator.url, hostAndPort: emulator.hostAndPort });
