import type { WorkerConfigInput } from '@fq/worker';
import type { ManagedChild } from '../process/child.js';
import type { Supervisor } from '../process/supervisor.js';
import { paths } from '../paths.js';
import { ensurePackageBuilt } from './package-build.js';
import { UnknownWorkerError, type WorkerInfo } from '../types.js';

export interface WorkerFleetOptions {
  projectId: string;
  prefix: string;
  firestoreHostAndPort: string;
  /** Fake Gemini URL, or null for real Gemini (GEMINI_API_KEY in the child's environment). */
  fakeGeminiUrl: string | null;
  geminiApiKey: string | null;
  config: WorkerConfigInput;
  concurrency: number | null;
  graceMs: number;
  readyTimeoutMs: number;
}

interface Slot {
  slot: number;
  incarnation: number;
  serverId: string;
  child: ManagedChild;
  startedAt: number;
  httpPort: number | null;
  state: WorkerInfo['state'];
}

function logLine(line: string): { msg?: string; port?: number } | null {
  if (!line.startsWith('{')) return null;
  try {
    return JSON.parse(line) as { msg?: string; port?: number };
  } catch {
    return null;
  }
}

/**
 * The worker processes (`node worker/bin/fq-worker.mjs`: the built CLI, as production runs
 * it, built first when stale; one process each so a kill hits the worker itself). Slots are stable; each start in a slot is a new incarnation with
 * a new server id (`w2`, then `w2.2` after a restart), as a replaced container would be.
 */
export class WorkerFleet {
  private readonly slots = new Map<number, Slot>();
  private nextSlot = 1;
  private built: Promise<void> | null = null;

  constructor(
    private readonly supervisor: Supervisor,
    private readonly options: WorkerFleetOptions,
  ) {}

  list(): WorkerInfo[] {
    return [...this.slots.values()].map((s) => this.info(s));
  }

  async add(count: number): Promise<WorkerInfo[]> {
    const slots = Array.from({ length: count }, () => this.nextSlot++);
    return Promise.all(slots.map((slot) => this.start(slot, 1)));
  }

  async kill(serverId: string, signal: 'SIGKILL' | 'SIGTERM' | 'SIGINT' = 'SIGKILL'): Promise<WorkerInfo> {
    const slot = this.find(serverId);
    if (slot.child.running) {
      slot.state = 'stopping';
      if (signal === 'SIGKILL') await slot.child.kill();
      else await slot.child.stop(signal, this.options.graceMs + 15_000);
    }
    slot.state = 'exited';
    return this.info(slot);
  }

  signal(serverId: string, signal: 'SIGSTOP' | 'SIGCONT'): WorkerInfo {
    const slot = this.find(serverId);
    slot.child.signal(signal, false);
    return this.info(slot);
  }

  async restart(serverId: string): Promise<WorkerInfo> {
    const slot = this.find(serverId);
    await this.kill(serverId, 'SIGTERM');
    return this.start(slot.slot, slot.incarnation + 1);
  }

  /** Graceful stop of every worker (in parallel); resolves when all have exited. */
  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.slots.values()].map(async (slot) => {
        if (!slot.child.running) return;
        slot.state = 'stopping';
        await slot.child.stop('SIGTERM', this.options.graceMs + 15_000);
        slot.state = 'exited';
      }),
    );
  }

  private find(serverId: string): Slot {
    for (const slot of this.slots.values()) if (slot.serverId === serverId) return slot;
    throw new UnknownWorkerError(serverId);
  }

  private info(slot: Slot): WorkerInfo {
    const exit = slot.child.exit;
    return {
      serverId: slot.serverId,
      slot: slot.slot,
      incarnation: slot.incarnation,
      pid: slot.child.pid,
      state: exit ? 'exited' : slot.state,
      httpPort: slot.httpPort,
      startedAt: slot.startedAt,
      exit,
      expectedExit: slot.child.expectedExit,
      logFile: slot.child.options.logFile,
    };
  }

  private async start(slotNumber: number, incarnation: number): Promise<WorkerInfo> {
    const o = this.options;
    const serverId = incarnation === 1 ? `w${slotNumber}` : `w${slotNumber}.${incarnation}`;
    // Once per fleet: a restart runs the build it started with.
    await (this.built ??= ensurePackageBuilt('the worker', paths.workerBuild, [], Math.max(o.readyTimeoutMs, 120_000)));
    const env = this.supervisor.childEnv();
    // The flags below name this system's emulator and model; stray variables must not win.
    delete env.FIRESTORE_EMULATOR_HOST;
    delete env.FQ_CONFIG;
    delete env.FQ_PREFIX;
    delete env.FQ_SERVER_ID;
    // A container's variables (the port, the shutdown allowances) are not this system's.
    delete env.PORT;
    delete env.FQ_GRACE_MS;
    delete env.FQ_FINAL_WRITES_MS;
    // The system's config says where alerts go (the e2e run's receiver, or nowhere for the demo):
    // a deployment's webhooks in the shell must not receive a test run's alerts.
    delete env.FQ_ALERT_WEBHOOKS;
    if (o.fakeGeminiUrl) {
      // Never hand a real key to the fake.
      delete env.GEMINI_API_KEY;
      delete env.GOOGLE_API_KEY;
    } else if (o.geminiApiKey) env.GEMINI_API_KEY = o.geminiApiKey;
    const child = this.supervisor.spawn({
      name: `worker ${serverId}`,
      logName: `worker-${serverId}`,
      essential: false,
      env,
      // FQ_WORKER_NODE_ARGS adds Node flags to every worker process, e.g.
      // "--cpu-prof --cpu-prof-dir=prof" to profile the workers of a bench (as in worker-process.ts).
      args: [
        ...(process.env.FQ_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        paths.workerBin,
        '--server-id',
        serverId,
        '--prefix',
        o.prefix,
        '--project',
        o.projectId,
        '--emulator-host',
        o.firestoreHostAndPort,
        '--port',
        '0',
        '--grace-ms',
        String(o.graceMs),
        '--config',
        JSON.stringify(o.config),
        ...(o.concurrency ? ['--concurrency', String(o.concurrency)] : []),
        ...(o.fakeGeminiUrl ? ['--fake-gemini-url', o.fakeGeminiUrl] : []),
      ],
    });
    const slot: Slot = { slot: slotNumber, incarnation, serverId, child, startedAt: Date.now(), httpPort: null, state: 'starting' };
    this.slots.set(slotNumber, slot);
    const http = await child.waitForLine((line) => {
      const parsed = logLine(line);
      return parsed?.msg === 'http listening' ? parsed : undefined;
    }, '"http listening" log line', o.readyTimeoutMs);
    slot.httpPort = typeof http.port === 'number' ? http.port : null;
    await child.waitForLine((line) => logLine(line)?.msg === 'worker ready', '"worker ready" log line', o.readyTimeoutMs);
    slot.state = 'running';
    this.supervisor.markReady(child);
    return this.info(slot);
  }
}
