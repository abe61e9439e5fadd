import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlServer, type ControlServer } from './server.js';
import { SYSTEM_INFO_ENV, SystemClient } from './client.js';
import { NotAvailableError, UnknownWorkerError, type SystemInfo, type SystemOperations, type WorkerInfo } from '../types.js';

function worker(serverId: string, state: WorkerInfo['state'] = 'running'): WorkerInfo {
  return { serverId, slot: 1, incarnation: 1, pid: 42, state, httpPort: 1, startedAt: 0, exit: null, expectedExit: false, logFile: '/tmp/x.log' };
}

const info: SystemInfo = {
  projectId: 'demo-control',
  prefix: 'p_',
  host: '127.0.0.1',
  firestore: { hostAndPort: '127.0.0.1:1', url: 'http://127.0.0.1:1', embedded: false, ours: false },
  auth: { hostAndPort: '127.0.0.1:2', url: 'http://127.0.0.1:2', embedded: false },
  gemini: { fake: false, url: null, model: 'm' },
  dashboard: null,
  control: null,
  accounts: { admin: { email: 'a@x.test', password: 'pw1234' }, users: [] },
  workerConfig: {},
  logDir: '/tmp',
};

/** A recording fake of the in-process handle. */
const calls: string[] = [];
const ops: SystemOperations = {
  info,
  gemini: null,
  faults: null,
  workers: async () => [worker('w1'), worker('w2')],
  killWorker: async (id, signal) => {
    calls.push(`kill ${id} ${signal}`);
    if (id !== 'w1') throw new UnknownWorkerError(id);
    return worker(id, 'exited');
  },
  signalWorker: async (id, signal) => {
    calls.push(`signal ${id} ${signal}`);
    return worker(id);
  },
  restartWorker: async (id) => {
    calls.push(`restart ${id}`);
    return worker(`${id}.2`);
  },
  addWorkers: async (count) => Array.from({ length: count }, (_, i) => worker(`w${10 + i}`)),
  failures: async () => [],
  trafficStats: async () => null,
  setTrafficRate: async (rate) => ({
    ratePerSec: rate,
    running: true,
    enqueued: 0,
    rejected: {},
    errors: 0,
    skipped: 0,
    backlog: 0,
    bursts: 0,
    episodes: 0,
    activeEpisode: null,
    locks: { taken: 0, busy: 0, holding: false, lastToken: null },
    lastError: null,
  }),
  meter: async () => {
    throw new NotAvailableError('no meter');
  },
  resetMeter: async () => undefined,
};

let server: ControlServer;
let client: SystemClient;

beforeAll(async () => {
  server = await startControlServer(ops, { host: '127.0.0.1', port: 0 });
  client = SystemClient.fromEnv({ [SYSTEM_INFO_ENV]: JSON.stringify({ ...info, control: { url: server.url } }) });
});
afterAll(() => server.close());

describe('control API and SystemClient', () => {
  it('operates workers over HTTP with the in-process semantics', async () => {
    expect((await client.workers()).map((w) => w.serverId)).toEqual(['w1', 'w2']);
    expect((await client.killWorker('w1')).state).toBe('exited');
    await client.killWorker('w1', 'SIGTERM');
    await client.signalWorker('w1', 'SIGSTOP');
    expect((await client.restartWorker('w1')).serverId).toBe('w1.2');
    expect((await client.addWorkers(2)).map((w) => w.serverId)).toEqual(['w10', 'w11']);
    expect((await client.setTrafficRate(0.5)).ratePerSec).toBe(0.5);
    expect(await client.trafficStats()).toBeNull();
    expect(await client.failures()).toEqual([]);
    expect(calls).toEqual(['kill w1 SIGKILL', 'kill w1 SIGTERM', 'signal w1 SIGSTOP', 'restart w1']);
  });

  it('answers clear errors: unknown worker 404, bad bodies 400, unknown routes 404', async () => {
    await expect(client.killWorker('nope')).rejects.toThrow(/\(404\): no worker with server id "nope"/);
    await expect(client.signalWorker('w1', 'SIGHUP' as 'SIGSTOP')).rejects.toThrow(/\(400\): signal/);
    await expect(client.addWorkers(0)).rejects.toThrow(/\(400\): count/);
    const res = await fetch(`${server.url}/workers/w1/explode`, { method: 'POST' });
    expect(res.status).toBe(404);
    const notJson = await fetch(`${server.url}/workers`, { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
  });

  it('has no meter, faults or fake Gemini on a system that lacks them', async () => {
    expect(client.gemini).toBeNull();
    expect(client.faults).toBeNull();
    await expect(client.meter()).rejects.toBeInstanceOf(NotAvailableError);
  });

  it('explains a missing system description', () => {
    expect(() => SystemClient.fromEnv({})).toThrow(/FIREQUEUE_SYSTEM is not set/);
  });
});
