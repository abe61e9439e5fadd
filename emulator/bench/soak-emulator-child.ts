/**
 * The emulator process of the WebChannel soak (started by soak-webchannel.ts with
 * --expose-gc): answers "measure" with heap used after full GCs and session counters.
 */
import { startEmulator } from '../src/index.js';

type Gc = () => void;
const gc = (globalThis as { gc?: Gc }).gc;
if (!gc) throw new Error('Run with --expose-gc');

const sessionTimeoutMs = Number(process.env.SOAK_SESSION_TIMEOUT_MS ?? 60_000);
const emulator = await startEmulator({ port: 0, logLevel: 'silent', webChannel: { sessionTimeoutMs, sweepIntervalMs: 250 } });

async function measure(): Promise<Record<string, unknown>> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await new Promise((r) => setImmediate(r));
  }
  const mem = process.memoryUsage();
  const projectId = process.env.SOAK_PROJECT ?? '';
  const listeners = projectId ? emulator.service.store.database({ projectId, databaseId: '(default)' }).listenerCount : 0;
  return { heapUsed: mem.heapUsed, rss: mem.rss, external: mem.external, webChannel: emulator.webChannelStats(), listeners };
}

process.on('message', (msg: { type: string; id: number }) => {
  if (msg.type === 'measure') {
    void measure().then((m) => process.send!({ type: 'measured', id: msg.id, ...m }));
  } else if (msg.type === 'stop') {
    void emulator.stop().then(() => process.exit(0));
  }
});
process.send!({ type: 'ready', url: emulator.url, sessionTimeoutMs });
