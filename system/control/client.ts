import { faultsClient, type FaultsClient, type MeterSnapshot } from '@fq/emulator';
import { FakeGeminiClient } from '@fq/fake-gemini';
import { emulatorMeter } from '../meter.js';
import type { SystemFailure, SystemInfo, SystemOperations, TrafficStats, WorkerInfo } from '../types.js';

/** Environment variable through which the e2e global setup hands the running system to specs. */
export const SYSTEM_INFO_ENV = 'FIREQUEUE_SYSTEM';

/**
 * Operates a system that another process started (with `control: true`): workers through the
 * orchestrator's control API, the fake Gemini and our emulator through their own APIs.
 */
export class SystemClient implements SystemOperations {
  readonly gemini: FakeGeminiClient | null;
  readonly faults: FaultsClient | null;
  private readonly meterApi;

  constructor(readonly info: SystemInfo) {
    this.gemini = info.gemini.fake && info.gemini.url ? new FakeGeminiClient(info.gemini.url) : null;
    this.faults = info.firestore.ours ? faultsClient(info.firestore.url, info.projectId) : null;
    this.meterApi = emulatorMeter(info);
  }

  /** The system described in `process.env[SYSTEM_INFO_ENV]` (set by e2e/system/global-setup.ts). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): SystemClient {
    const raw = env[SYSTEM_INFO_ENV];
    if (!raw) throw new Error(`${SYSTEM_INFO_ENV} is not set: start the system first (the Playwright global setup does)`);
    return new SystemClient(JSON.parse(raw) as SystemInfo);
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    if (!this.info.control) throw new Error('this system was started without its control API (control: true)');
    const response = await fetch(`${this.info.control.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
      } catch {
        // not JSON
      }
      throw new Error(`system control ${method} ${path} failed (${response.status}): ${message}`);
    }
    return JSON.parse(text) as T;
  }

  workers(): Promise<WorkerInfo[]> {
    return this.call('GET', '/workers');
  }

  killWorker(serverId: string, signal: 'SIGKILL' | 'SIGTERM' | 'SIGINT' = 'SIGKILL'): Promise<WorkerInfo> {
    return this.call('POST', `/workers/${encodeURIComponent(serverId)}/kill`, { signal });
  }

  signalWorker(serverId: string, signal: 'SIGSTOP' | 'SIGCONT'): Promise<WorkerInfo> {
    return this.call('POST', `/workers/${encodeURIComponent(serverId)}/signal`, { signal });
  }

  restartWorker(serverId: string): Promise<WorkerInfo> {
    return this.call('POST', `/workers/${encodeURIComponent(serverId)}/restart`);
  }

  addWorkers(count: number): Promise<WorkerInfo[]> {
    return this.call('POST', '/workers', { count });
  }

  failures(): Promise<SystemFailure[]> {
    return this.call('GET', '/failures');
  }

  trafficStats(): Promise<TrafficStats | null> {
    return this.call('GET', '/traffic');
  }

  setTrafficRate(ratePerSec: number): Promise<TrafficStats> {
    return this.call('POST', '/traffic', { ratePerSec });
  }

  meter(): Promise<MeterSnapshot> {
    return this.meterApi.read();
  }

  resetMeter(): Promise<void> {
    return this.meterApi.reset();
  }
}
