import { writeFileSync } from 'node:fs';
import type { ManagedChild } from '../process/child.js';
import { listeningUrl } from './listening-line.js';
import type { Supervisor } from '../process/supervisor.js';
import { paths, tsxArgs } from '../paths.js';
import type { SystemInfo } from '../types.js';
import { waitForHttp } from './http-wait.js';

/** What the browser needs (the dashboard's `/config.json`, see src/firebase/config.ts). */
export interface DashboardRuntimeConfig {
  projectId: string;
  firestoreEmulatorHost: string | null;
  authEmulatorHost: string | null;
  collectionPrefix: string;
}

export interface DashboardEndpoint {
  info: NonNullable<SystemInfo['dashboard']>;
  child: ManagedChild;
  /** Publishes the emulator addresses; until then `/config.json` answers 503. */
  configure(config: DashboardRuntimeConfig): Promise<void>;
}

export async function startDashboard(
  supervisor: Supervisor,
  options: { host: string; port: number; strictPort: boolean; configFile: string; timeoutMs: number },
): Promise<DashboardEndpoint> {
  const child = supervisor.spawn({
    name: 'dashboard (Vite)',
    logName: 'dashboard',
    essential: true,
    args: tsxArgs(paths.dashboardServer, [
      '--host',
      options.host,
      '--port',
      String(options.port),
      ...(options.strictPort ? ['--strict-port'] : []),
      '--config-file',
      options.configFile,
    ]),
  });
  const url = await child.waitForLine(listeningUrl, 'listening line', options.timeoutMs);
  supervisor.markReady(child);
  return {
    info: { url, appUrl: `${url}/app` },
    child,
    async configure(config) {
      writeFileSync(options.configFile, JSON.stringify(config, null, 2));
      await waitForHttp(`${url}/config.json`, { timeoutMs: 30_000, ok: true, what: 'the dashboard' });
    },
  };
}
