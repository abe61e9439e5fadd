import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { WorkerConfigInput } from '@fq/worker/schema';
import type { SystemOptions } from '../types.js';

export const HELP = `npm start: the whole Firequeue system on this machine

Usage: npm start -- [options]

Runs our Firestore emulator (enforcing firestore.rules), the Firebase Auth emulator with a
seeded admin and user, a fake Gemini, worker processes, demo traffic with bursts and
overload episodes, and the dashboard. Prints the URLs and credentials; Ctrl-C stops it all.

Options:
  --workers N              worker processes (env FQ_WORKERS; default 3)
  --traffic RATE           demo jobs per second, 0 = off (env FQ_TRAFFIC; default 1,
                           0 when GEMINI_API_KEY is set: real calls cost money)
  --no-episodes            demo traffic without overload episodes on the fake Gemini
  --concurrency N          concurrent Gemini calls per worker (maxConcurrentRequests)
  --worker-config JSON|PATH  worker configuration (EnterpriseQueueConfig fields, see
                           worker/src/schema/config.ts), merged over the demo defaults
  --project ID             Firebase project id (env GCLOUD_PROJECT; default demo-firequeue)
  --prefix P               collection name prefix (env FQ_PREFIX; default none)
  --host H                 interface to bind (default 127.0.0.1)
  --firestore-port N       our Firestore emulator (default: firebase.json's, else a free port)
  --auth-port N            Auth emulator (default: firebase.json's, else a free port)
  --dashboard-port N       dashboard (default 5173, else a free port)
  --gemini-port N          fake Gemini (default: a free port)
  --strict-ports           fail when a chosen port is taken instead of using a free one
  --control-port N         also serve the control API (kill/restart workers over HTTP; 0 = free port)
  --firestore-emulator-host HOST:PORT  use this Firestore emulator (e.g. Google's) instead
                           of ours (env FIRESTORE_EMULATOR_HOST)
  --auth-emulator-host HOST:PORT  use this Auth emulator (env FIREBASE_AUTH_EMULATOR_HOST)
  --admin-email E / --admin-password P   the seeded admin (env FQ_ADMIN_EMAIL / FQ_ADMIN_PASSWORD)
  --log-dir DIR            where each process's log goes (default: a new temp directory)
  --json                   print the system description as one JSON line once ready
  -h, --help               show this help

Environment: FIRESTORE_EMULATOR_HOST and FIREBASE_AUTH_EMULATOR_HOST (use running
emulators, e.g. under \`firebase emulators:exec\`), GCLOUD_PROJECT, GEMINI_API_KEY (real
Gemini instead of the fake).`;

export class StartUsageError extends Error {
  override readonly name = 'StartUsageError';
}

/** Worker timing for the demo: a short breaker window so an outage episode visibly opens it. */
export const DEMO_WORKER_CONFIG: WorkerConfigInput = {
  circuitBreaker: { windowMs: 10_000, recoveryTimeMs: 8_000 },
};

const int = (name: string, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `--${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().max(max, `--${name} must be at most ${max}`));
const portArg = (name: string) => int(name, 65_535);
const hostPortArg = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must look like host:port');

const schema = z.object({
  workers: int('workers', 64),
  traffic: z
    .string()
    .regex(/^\d+(\.\d+)?$/, '--traffic must be a number of jobs per second (0 = off)')
    .transform(Number)
    .pipe(z.number().max(100, '--traffic must be at most 100 jobs per second')),
  episodes: z.boolean(),
  concurrency: int('concurrency', 256).pipe(z.number().min(1, '--concurrency must be at least 1')).optional(),
  workerConfig: z.record(z.string(), z.unknown()),
  projectId: z.string().optional(),
  prefix: z.string().optional(),
  host: z.string().min(1),
  ports: z.object({
    firestore: portArg('firestore-port'),
    auth: portArg('auth-port'),
    dashboard: portArg('dashboard-port'),
    gemini: portArg('gemini-port'),
    control: portArg('control-port').optional(),
  }),
  strictPorts: z.boolean(),
  firestoreEmulatorHost: hostPortArg.optional(),
  authEmulatorHost: hostPortArg.optional(),
  adminEmail: z.email('--admin-email must be an email address').optional(),
  adminPassword: z.string().min(6, '--admin-password needs at least 6 characters').optional(),
  logDir: z.string().min(1).optional(),
  json: z.boolean(),
});

export interface StartCliOptions {
  system: SystemOptions;
  json: boolean;
}

function readWorkerConfig(source: string | undefined): Record<string, unknown> {
  if (!source) return {};
  let text = source.trim();
  if (!text.startsWith('{')) {
    try {
      text = readFileSync(source, 'utf8');
    } catch (error) {
      throw new StartUsageError(`--worker-config: cannot read ${source}: ${(error as Error).message}`);
    }
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new StartUsageError(`--worker-config is not a JSON object: ${(error as Error).message}`);
  }
}

/** Ports `firebase emulators:start` would use (the well-known ones `npm start` prefers). */
export function firebaseJsonPorts(text: string | null): { firestore: number; auth: number } {
  const fallback = { firestore: 8080, auth: 9099 };
  if (!text) return fallback;
  try {
    const json = JSON.parse(text) as { emulators?: { firestore?: { port?: unknown }; auth?: { port?: unknown } } };
    const port = (v: unknown, d: number) => (typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 65_536 ? v : d);
    return { firestore: port(json.emulators?.firestore?.port, 8080), auth: port(json.emulators?.auth?.port, 9099) };
  } catch {
    return fallback;
  }
}

/** Flags and environment -> SystemOptions, validated (StartUsageError names the bad flag). */
export function parseStartArgs(argv: readonly string[], env: NodeJS.ProcessEnv, firebaseJson: string | null): StartCliOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        workers: { type: 'string' },
        traffic: { type: 'string' },
        'no-episodes': { type: 'boolean' },
        concurrency: { type: 'string' },
        'worker-config': { type: 'string' },
        project: { type: 'string' },
        prefix: { type: 'string' },
        host: { type: 'string' },
        'firestore-port': { type: 'string' },
        'auth-port': { type: 'string' },
        'dashboard-port': { type: 'string' },
        'gemini-port': { type: 'string' },
        'control-port': { type: 'string' },
        'strict-ports': { type: 'boolean' },
        'firestore-emulator-host': { type: 'string' },
        'auth-emulator-host': { type: 'string' },
        'admin-email': { type: 'string' },
        'admin-password': { type: 'string' },
        'log-dir': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new StartUsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const known = firebaseJsonPorts(firebaseJson);
  const realGemini = Boolean(env.GEMINI_API_KEY?.trim());
  const parsed = schema.safeParse({
    workers: values.workers ?? env.FQ_WORKERS ?? '3',
    traffic: values.traffic ?? env.FQ_TRAFFIC ?? (realGemini ? '0' : '1'),
    episodes: !values['no-episodes'],
    concurrency: values.concurrency,
    workerConfig: readWorkerConfig(values['worker-config']),
    projectId: values.project,
    prefix: values.prefix ?? env.FQ_PREFIX,
    host: values.host ?? '127.0.0.1',
    ports: {
      firestore: values['firestore-port'] ?? String(known.firestore),
      auth: values['auth-port'] ?? String(known.auth),
      dashboard: values['dashboard-port'] ?? '5173',
      gemini: values['gemini-port'] ?? '0',
      control: values['control-port'],
    },
    strictPorts: values['strict-ports'] ?? false,
    firestoreEmulatorHost: values['firestore-emulator-host'],
    authEmulatorHost: values['auth-emulator-host'],
    adminEmail: values['admin-email'] ?? env.FQ_ADMIN_EMAIL,
    adminPassword: values['admin-password'] ?? env.FQ_ADMIN_PASSWORD,
    logDir: values['log-dir'],
    json: values.json ?? false,
  });
  if (!parsed.success) throw new StartUsageError(parsed.error.issues.map((i) => i.message).join('\n'));
  const o = parsed.data;
  if ((o.adminEmail === undefined) !== (o.adminPassword === undefined)) {
    throw new StartUsageError('--admin-email and --admin-password go together');
  }
  const userConfig = o.workerConfig as WorkerConfigInput;
  const system: SystemOptions = {
    workers: o.workers,
    traffic: o.traffic > 0 ? { ratePerSec: o.traffic, ...(o.episodes ? {} : { episodes: { everyMs: 0, durationMs: 1, kinds: ['capacity'], capacity: 1 } }) } : null,
    workerConfig: {
      ...DEMO_WORKER_CONFIG,
      ...userConfig,
      circuitBreaker: { ...DEMO_WORKER_CONFIG.circuitBreaker, ...userConfig.circuitBreaker },
    },
    host: o.host,
    ports: { ...o.ports, control: o.ports.control ?? 0 },
    strictPorts: o.strictPorts,
    control: o.ports.control !== undefined,
    env,
    ...(o.concurrency !== undefined ? { workerConcurrency: o.concurrency } : {}),
    ...(o.projectId !== undefined ? { projectId: o.projectId } : {}),
    ...(o.prefix !== undefined ? { prefix: o.prefix } : {}),
    ...(o.firestoreEmulatorHost !== undefined ? { firestoreEmulatorHost: o.firestoreEmulatorHost } : {}),
    ...(o.authEmulatorHost !== undefined ? { authEmulatorHost: o.authEmulatorHost } : {}),
    ...(o.adminEmail && o.adminPassword ? { admin: { email: o.adminEmail, password: o.adminPassword } } : {}),
    ...(o.logDir !== undefined ? { logDir: o.logDir } : {}),
  };
  return { system, json: o.json };
}
