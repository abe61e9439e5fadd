import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { faultsClient } from '@fq/emulator';
import { createQueue, FirestoreStore } from '@fq/worker';
import { seedAccounts } from './components/accounts.js';
import { servePrefix } from './tenants.js';
import { startAuth, type AuthEndpoint } from './components/auth.js';
import { startDashboard, type DashboardEndpoint } from './components/dashboard.js';
import { startFirestore, type FirestoreEndpoint } from './components/firestore.js';
import { startGemini, type GeminiEndpoint } from './components/gemini.js';
import { WorkerFleet } from './components/workers.js';
import { startControlServer, type ControlServer } from './control/server.js';
import { emulatorMeter } from './meter.js';
import { resolveSystemOptions, type ResolvedSystemOptions } from './options.js';
import { pickPort } from './process/ports.js';
import { Supervisor } from './process/supervisor.js';
import { TrafficGenerator } from './traffic/generator.js';
import { SystemStartError, type SystemEvent, type SystemHandle, type SystemInfo, type SystemOptions } from './types.js';

/** A step of start-up, named so a failure says which component broke. */
async function step<T>(component: string, emit: (e: SystemEvent) => void, run: () => Promise<T>, detail?: (value: T) => string): Promise<T> {
  emit({ type: 'starting', component });
  try {
    const value = await run();
    if (detail) emit({ type: 'ready', component, detail: detail(value) });
    return value;
  } catch (error) {
    throw error instanceof SystemStartError ? error : new SystemStartError(component, error instanceof Error ? error.message : String(error), { cause: error });
  }
}

async function preferredPort(o: ResolvedSystemOptions, port: number, what: string): Promise<number> {
  const chosen = await pickPort(port, o.host);
  if (o.strictPorts && port && chosen !== port) throw new SystemStartError(what, `port ${port} is taken (strict ports)`);
  return chosen;
}

/**
 * Brings up the whole system (see system/README.md): our Firestore emulator (or
 * FIRESTORE_EMULATOR_HOST), the Auth emulator with seeded accounts (or
 * FIREBASE_AUTH_EMULATOR_HOST), the fake Gemini (or real Gemini with GEMINI_API_KEY), N
 * worker processes, optional demo traffic, the dashboard and the control API. Components
 * start in parallel where they can; if any fails, everything started is stopped again and
 * a SystemStartError names the component.
 */
export async function startSystem(options: SystemOptions = {}): Promise<SystemHandle> {
  const o = resolveSystemOptions(options);
  mkdirSync(o.logDir, { recursive: true });
  const emit = (event: SystemEvent) => {
    try {
      o.onEvent(event);
    } catch {
      // a broken listener must not break the system
    }
  };
  const supervisor = new Supervisor(o.logDir, o.env, emit);
  const timeoutMs = o.startTimeoutMs;

  let firestore: FirestoreEndpoint | null = null;
  let auth: AuthEndpoint | null = null;
  let gemini: GeminiEndpoint | null = null;
  let dashboard: DashboardEndpoint | null = null;
  let fleet: WorkerFleet | null = null;
  let control: ControlServer | null = null;
  let store: FirestoreStore | null = null;
  let traffic: TrafficGenerator | null = null;

  // Whatever happens to this process (process.exit on a second Ctrl-C, a crash), no child
  // may outlive it: the children run in their own process groups and would not notice.
  const killOnExit = () => supervisor.killAll();
  process.on('exit', killOnExit);

  let stopping: Promise<void> | null = null;
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      supervisor.close();
      emit({ type: 'stopping' });
      await control?.close().catch(() => undefined);
      await traffic?.stop().catch(() => undefined);
      await store?.close().catch(() => undefined);
      // Workers first and gracefully: they release leases and deregister through Firestore.
      await fleet?.stopAll();
      await Promise.all([
        dashboard?.child.stop('SIGTERM', 10_000),
        gemini?.child?.stop('SIGTERM', 10_000),
        auth?.stop(),
        firestore?.child?.stop('SIGTERM', 10_000),
      ]);
      // Anything still alive (a component that was mid-start when start-up failed).
      await Promise.all(supervisor.running().map((child) => child.stop('SIGTERM', 5_000)));
      process.off('exit', killOnExit);
      emit({ type: 'stopped' });
    })());
  const onAbort = () => void stopAll();
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const firestoreP = step(
      'Firestore emulator',
      emit,
      async () =>
        (firestore = await startFirestore(supervisor, {
          external: o.firestoreEmulatorHost,
          host: o.host,
          port: o.ports.firestore ? await preferredPort(o, o.ports.firestore, 'Firestore emulator') : 0,
          projectId: o.projectId,
          rulesFile: o.rulesFile,
          timeoutMs,
        })),
      (f) => `${f.info.hostAndPort}${f.info.embedded ? ' (ours, enforcing firestore.rules)' : ' (external: FIRESTORE_EMULATOR_HOST)'}`,
    );
    const authP = step(
      'Auth emulator',
      emit,
      async () =>
        (auth = await startAuth(supervisor, {
          external: o.authEmulatorHost,
          host: o.host,
          port: o.ports.auth,
          strictPort: o.strictPorts,
          projectId: o.projectId,
          timeoutMs,
        })),
      (a) => `${a.info.hostAndPort}${a.info.embedded ? '' : ' (external: FIREBASE_AUTH_EMULATOR_HOST)'}`,
    );
    const geminiP = step(
      o.geminiApiKey ? 'Gemini' : 'fake Gemini',
      emit,
      async () =>
        (gemini = await startGemini(supervisor, {
          apiKey: o.geminiApiKey,
          host: o.host,
          port: o.ports.gemini ? await preferredPort(o, o.ports.gemini, 'fake Gemini') : 0,
          model: o.model,
          fake: o.fakeGemini,
          timeoutMs,
        })),
      (g) => (g.info.fake ? `${g.info.url} (model ${g.info.model})` : `Google's API (GEMINI_API_KEY), model ${g.info.model}`),
    );
    const dashboardP = o.dashboard
      ? step(
          'dashboard',
          emit,
          async () => {
            dashboard = await startDashboard(supervisor, {
              host: o.host,
              port: o.ports.dashboard ? await preferredPort(o, o.ports.dashboard, 'dashboard') : 0,
              strictPort: o.strictPorts,
              configFile: join(o.logDir, 'dashboard-config.json'),
              timeoutMs,
            });
            const [f, a] = await Promise.all([firestoreP, authP]);
            await dashboard.configure({
              projectId: o.projectId,
              firestoreEmulatorHost: f.info.hostAndPort,
              authEmulatorHost: a.info.hostAndPort,
              collectionPrefix: o.prefix,
            });
            return dashboard;
          },
          (d) => d.info.url,
        )
      : Promise.resolve(null);
    const workersP = step(
      `${o.workers} workers`,
      emit,
      async () => {
        const [f, g] = await Promise.all([firestoreP, geminiP]);
        // This deployment serves its prefix: the rules take client writes only into served prefixes.
        store ??= new FirestoreStore({ projectId: o.projectId, prefix: o.prefix, emulatorHost: f.info.hostAndPort });
        await servePrefix(store.db, o.prefix);
        fleet = new WorkerFleet(supervisor, {
          projectId: o.projectId,
          prefix: o.prefix,
          firestoreHostAndPort: f.info.hostAndPort,
          fakeGeminiUrl: g.info.url,
          geminiApiKey: o.geminiApiKey,
          config: o.workerConfig,
          concurrency: o.workerConcurrency,
          graceMs: o.workerGraceMs,
          readyTimeoutMs: timeoutMs,
        });
        return fleet.add(o.workers);
      },
      (workers) => workers.map((w) => w.serverId).join(', ') || 'none',
    );
    const accountsP = step(
      'accounts',
      emit,
      async () => {
        const a = await authP;
        await seedAccounts(supervisor, { authHostAndPort: a.info.hostAndPort, projectId: o.projectId, prefix: o.prefix, admin: o.admin, users: o.users, timeoutMs: 120_000 });
      },
      () => `admin ${o.admin.email}${o.users.length ? `, users ${o.users.map((u) => u.email).join(', ')}` : ''}`,
    );
    const results = await Promise.allSettled([firestoreP, authP, geminiP, dashboardP, workersP, accountsP]);
    if (options.signal?.aborted) throw new SystemStartError('the system', 'start-up was aborted');
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (error) {
    await stopAll();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }

  // Every component is up from here on (the narrowing below is for the compiler).
  const f = firestore as unknown as FirestoreEndpoint;
  const a = auth as unknown as AuthEndpoint;
  const g = gemini as unknown as GeminiEndpoint;
  const workers = fleet as unknown as WorkerFleet;
  const d = dashboard as DashboardEndpoint | null;

  const info: SystemInfo = {
    projectId: o.projectId,
    prefix: o.prefix,
    host: o.host,
    firestore: f.info,
    auth: a.info,
    gemini: g.info,
    dashboard: d?.info ?? null,
    control: null,
    accounts: { admin: o.admin, users: o.users },
    workerConfig: o.workerConfig,
    logDir: o.logDir,
  };
  const meter = emulatorMeter(info);

  const ensureTraffic = async (): Promise<TrafficGenerator> => {
    if (traffic) return traffic;
    store ??= new FirestoreStore({ projectId: o.projectId, prefix: o.prefix, emulatorHost: f.info.hostAndPort });
    const queue = createQueue({ store, config: o.workerConfig, clientId: 'demo-traffic' });
    const generator = new TrafficGenerator({
      queue,
      gemini: g.client,
      options: o.traffic ?? { ratePerSec: 0 },
      onEvent: (message) => emit({ type: 'traffic', message }),
    });
    await generator.start();
    traffic = generator;
    return generator;
  };

  const handle: SystemHandle = {
    info,
    essentialFailure: supervisor.essentialFailure,
    gemini: g.client,
    faults: f.info.ours ? faultsClient(f.info.url, o.projectId) : null,
    workers: async () => workers.list(),
    killWorker: (serverId, signal) => workers.kill(serverId, signal),
    signalWorker: async (serverId, signal) => workers.signal(serverId, signal),
    restartWorker: (serverId) => workers.restart(serverId),
    addWorkers: (count) => workers.add(count),
    failures: async () => [...supervisor.failures],
    trafficStats: async () => traffic?.stats() ?? null,
    setTrafficRate: async (ratePerSec) => {
      const generator = await ensureTraffic();
      generator.setRate(ratePerSec);
      return generator.stats();
    },
    meter: () => meter.read(),
    resetMeter: () => meter.reset(),
    stop: stopAll,
  };

  try {
    if (o.traffic) {
      await step('demo traffic', emit, () => ensureTraffic(), () => `${o.traffic?.ratePerSec ?? 0} jobs/s with bursts${g.info.fake ? ' and overload episodes' : ''}`);
    }
    if (o.control) {
      const c = await step('control API', emit, async () => (control = await startControlServer(handle, { host: o.host, port: o.ports.control })), (s) => s.url);
      info.control = { url: c.url };
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  return handle;
}
