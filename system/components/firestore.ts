import { hostPort, parseHostPort } from '../process/ports.js';
import type { ManagedChild } from '../process/child.js';
import type { Supervisor } from '../process/supervisor.js';
import { paths } from '../paths.js';
import type { SystemInfo } from '../types.js';
import { ensureEmulatorBuilt } from './emulator-build.js';
import { waitForHttp } from './http-wait.js';

export interface FirestoreEndpoint {
  info: SystemInfo['firestore'];
  child: ManagedChild | null;
}

export interface FirestoreStartOptions {
  /** `host:port` of an emulator someone else runs (FIRESTORE_EMULATOR_HOST), or null. */
  external: string | null;
  host: string;
  /** 0 = a free port chosen by the emulator itself. */
  port: number;
  projectId: string;
  rulesFile: string;
  timeoutMs: number;
}

/** Our emulator answers the meter endpoint; Google's does not. */
async function isOurs(url: string, projectId: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/emulator/v1/projects/${projectId}:meter`, { signal: AbortSignal.timeout(5_000) });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Our Firestore emulator as a child process enforcing the project's rules (its built CLI,
 * built first when the sources are newer; FQ_EMULATOR_NODE_OPTIONS adds Node flags to it,
 * e.g. `--cpu-prof`), or an external one (Google's under `firebase emulators:exec`, which
 * loads the rules from firebase.json).
 */
export async function startFirestore(supervisor: Supervisor, options: FirestoreStartOptions): Promise<FirestoreEndpoint> {
  if (options.external) {
    const { host, port } = parseHostPort(options.external);
    const url = `http://${hostPort(host, port)}`;
    await waitForHttp(`${url}/`, { timeoutMs: Math.min(options.timeoutMs, 30_000), what: 'the Firestore emulator (FIRESTORE_EMULATOR_HOST)' });
    return { info: { hostAndPort: hostPort(host, port), url, embedded: false, ours: await isOurs(url, options.projectId) }, child: null };
  }
  // The built CLI starts in a fraction of the time the sources take through tsx.
  await ensureEmulatorBuilt(Math.max(options.timeoutMs, 120_000));
  const child = supervisor.spawn({
    name: 'Firestore emulator',
    logName: 'firestore-emulator',
    essential: true,
    args: [
      ...(process.env.FQ_EMULATOR_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []),
      paths.emulatorBin,
      '--host',
      options.host,
      '--port',
      String(options.port),
      '--project',
      options.projectId,
      '--rules',
      options.rulesFile,
      '--log-level',
      'info',
    ],
  });
  const address = await child.waitForLine(
    (line) => /FIRESTORE_EMULATOR_HOST=([^\s"]+)/.exec(line)?.[1],
    'FIRESTORE_EMULATOR_HOST line',
    options.timeoutMs,
  );
  const { host, port } = parseHostPort(address);
  const url = `http://${hostPort(host, port)}`;
  await waitForHttp(`${url}/`, { timeoutMs: 30_000, ok: true, what: 'the Firestore emulator' });
  supervisor.markReady(child);
  return { info: { hostAndPort: hostPort(host, port), url, embedded: true, ours: true }, child };
}
