import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildStartError, type ManagedChild } from '../process/child.js';
import { freePort, hostPort, parseHostPort, pickPort } from '../process/ports.js';
import type { Supervisor } from '../process/supervisor.js';
import { paths } from '../paths.js';
import type { SystemInfo } from '../types.js';
import { waitForHttp } from './http-wait.js';

export interface AuthEndpoint {
  info: SystemInfo['auth'];
  child: ManagedChild | null;
  /** Stops the emulator (SIGINT: firebase-tools' clean shutdown) and removes its temp dir. */
  stop(): Promise<void>;
}

export interface AuthStartOptions {
  external: string | null;
  host: string;
  /** Preferred port (0 = any free port). */
  port: number;
  strictPort: boolean;
  projectId: string;
  timeoutMs: number;
}

/**
 * firebase-tools needs a firebase.json naming every port it opens (auth, the emulator hub,
 * the logging emulator); a generated one in a temp directory keeps parallel systems apart.
 */
function writeFirebaseJson(dir: string, host: string, ports: { auth: number; hub: number; logging: number }): void {
  writeFileSync(
    join(dir, 'firebase.json'),
    JSON.stringify(
      {
        emulators: {
          auth: { host, port: ports.auth },
          hub: { host, port: ports.hub },
          logging: { host, port: ports.logging },
          ui: { enabled: false },
          singleProjectMode: true,
        },
      },
      null,
      2,
    ),
  );
}

/** The Firebase Auth emulator from firebase-tools (plain Node), or FIREBASE_AUTH_EMULATOR_HOST. */
export async function startAuth(supervisor: Supervisor, options: AuthStartOptions): Promise<AuthEndpoint> {
  if (options.external) {
    const { host, port } = parseHostPort(options.external);
    const url = `http://${hostPort(host, port)}`;
    await waitForHttp(`${url}/`, { timeoutMs: Math.min(options.timeoutMs, 30_000), what: 'the Auth emulator (FIREBASE_AUTH_EMULATOR_HOST)' });
    return { info: { hostAndPort: hostPort(host, port), url, embedded: false }, child: null, stop: async () => undefined };
  }
  // A port can be taken between our check and firebase-tools' bind: try again with new ones.
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = attempt === 1 ? await pickPort(options.port, options.host) : await freePort(options.host);
    if (options.strictPort && options.port && port !== options.port) {
      throw new Error(`port ${options.port} for the Auth emulator is taken`);
    }
    const ports = { auth: port, hub: await freePort(options.host), logging: await freePort(options.host) };
    const dir = mkdtempSync(join(tmpdir(), 'firequeue-auth-'));
    writeFirebaseJson(dir, options.host, ports);
    const child = supervisor.spawn({
      name: 'Auth emulator',
      logName: attempt === 1 ? 'auth-emulator' : `auth-emulator-${attempt}`,
      essential: true,
      cwd: dir,
      args: [paths.firebaseCli, 'emulators:start', '--only', 'auth', '--project', options.projectId],
      env: withoutEmulatorHosts({ ...supervisor.childEnv(), FIREBASE_CLI_DISABLE_UPDATE_CHECK: 'true' }),
    });
    const stop = async () => {
      await child.stop('SIGINT', 15_000);
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      await child.waitForLine((line) => line.includes('All emulators ready'), '"All emulators ready"', options.timeoutMs);
      const url = `http://${hostPort(options.host, port)}`;
      await waitForHttp(`${url}/`, { timeoutMs: 30_000, what: 'the Auth emulator' });
      supervisor.markReady(child);
      return { info: { hostAndPort: hostPort(options.host, port), url, embedded: true }, child, stop };
    } catch (error) {
      lastError = error;
      await stop();
      const portTaken = error instanceof ChildStartError && /port taken|EADDRINUSE|not available/i.test(error.tail);
      if (!portTaken || options.strictPort) throw error;
    }
  }
  throw lastError;
}

/** firebase-tools would otherwise think another Auth emulator already runs. */
function withoutEmulatorHosts(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  delete env.FIREBASE_AUTH_EMULATOR_HOST;
  return env;
}
