import type { FaultsClient } from '@fq/emulator';
import type { FakeGeminiHandle } from '@fq/fake-gemini';
import type { SystemHandle } from '../../system/index.js';
import type { ScheduledFault } from './fault-schedule.js';

export interface TimelineEntry {
  atMs: number;
  kind: string;
  detail: string;
  ok: boolean;
}

export interface FaultEnv {
  system: SystemHandle;
  fake: FakeGeminiHandle;
  faults: FaultsClient;
  /** Every kill -9, for the audit (who held which lease when it died). */
  kills: { serverId: string; pid: number; at: number }[];
  /** Restarts run in the background; the run waits for them before draining. */
  restarts: Promise<unknown>[];
  log(message: string): void;
}

/** Applies one scheduled fault now; never throws (a fault that could not be applied is recorded). */
export async function applyFault(env: FaultEnv, event: ScheduledFault): Promise<TimelineEntry> {
  const a = event.action;
  const entry = (detail: string, ok = true): TimelineEntry => ({ atMs: event.atMs, kind: a.kind, detail, ok });
  try {
    switch (a.kind) {
      case 'kill-worker': {
        const running = (await env.system.workers()).filter((w) => w.state === 'running');
        if (running.length === 0) return entry('no worker running', false);
        const victim = running[Math.floor(a.pick * running.length)]!;
        const at = Date.now();
        await env.system.killWorker(victim.serverId, 'SIGKILL');
        env.kills.push({ serverId: victim.serverId, pid: victim.pid, at });
        env.restarts.push(env.system.restartWorker(victim.serverId).catch((error: unknown) => env.log(`chaos: restart of ${victim.serverId} failed: ${String(error)}`)));
        env.log(`chaos: kill -9 ${victim.serverId} (pid ${victim.pid}); restarting its slot`);
        return entry(`${victim.serverId} pid ${victim.pid}`);
      }
      case 'upstream-503':
        env.fake.failNext({ count: a.count, status: 503 });
        return entry(`next ${a.count} Gemini calls answer 503`);
      case 'upstream-429':
        env.fake.failNext({ count: a.count, status: 429, retryDelayMs: a.retryDelayMs });
        return entry(`next ${a.count} Gemini calls answer 429 (retryDelay ${a.retryDelayMs} ms)`);
      case 'drop-streams':
        return entry(`${await env.faults.dropStreams()} Listen/Write streams dropped`);
      case 'fail-commits':
        await env.faults.failNextCommits(a.count, a.status);
        return entry(`next ${a.count} commits fail with ${a.status}`);
    }
  } catch (error) {
    return entry(error instanceof Error ? error.message : String(error), false);
  }
}
