import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { collectionPrefixSchema, resolveConfig, type WorkerConfigInput } from '@fq/worker/schema';
import { trafficOptionsSchema, type TrafficOptions } from './traffic/plan.js';
import { paths } from './paths.js';
import type { Account, SystemEvent, SystemOptions } from './types.js';

export const DEFAULT_PROJECT_ID = 'demo-firequeue';

/** Demo accounts. Only ever created in an Auth emulator (the seeding refuses anything else). */
export const DEFAULT_ADMIN: Account = { email: 'admin@firequeue.test', password: 'firequeue-admin' };
export const DEFAULT_USER: Account = { email: 'user@firequeue.test', password: 'firequeue-user' };

/**
 * A fake Gemini that behaves like a busy real one: a fixed capacity (above it, 503
 * "overloaded"), latency growing with audio length, some jitter.
 */
export const DEFAULT_FAKE_GEMINI = { capacity: 6, baseLatencyMs: 300, latencyMsPerAudioSecond: 120, latencyJitter: 0.2 };

const hostPortSchema = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must look like host:port');
const port = z.number().int().min(0).max(65_535);
const account = z.object({ email: z.email(), password: z.string().min(6, 'passwords need at least 6 characters') });

const schema = z.object({
  projectId: z.string().regex(/^[a-z0-9-]{4,40}$/, 'project id: 4-40 lowercase letters, digits or "-"'),
  prefix: collectionPrefixSchema,
  host: z.string().min(1),
  ports: z.object({ firestore: port, auth: port, dashboard: port, gemini: port, control: port }),
  strictPorts: z.boolean(),
  firestoreEmulatorHost: hostPortSchema.nullable(),
  authEmulatorHost: hostPortSchema.nullable(),
  geminiApiKey: z.string().min(1).nullable(),
  workers: z.number().int().min(0).max(64),
  workerConcurrency: z.number().int().positive().max(256).nullable(),
  workerGraceMs: z.number().int().nonnegative(),
  dashboard: z.boolean(),
  control: z.boolean(),
  admin: account,
  users: z.array(account),
  startTimeoutMs: z.number().int().positive(),
});

export type ResolvedSystemOptions = z.infer<typeof schema> & {
  fakeGemini: NonNullable<SystemOptions['fakeGemini']>;
  workerConfig: WorkerConfigInput;
  model: string;
  traffic: TrafficOptions | null;
  logDir: string;
  rulesFile: string;
  env: NodeJS.ProcessEnv;
  onEvent: (event: SystemEvent) => void;
};

export class SystemOptionsError extends Error {
  override readonly name = 'SystemOptionsError';
}

/** Defaults, the standard Firebase environment variables, and validation with clear messages. */
export function resolveSystemOptions(options: SystemOptions = {}): ResolvedSystemOptions {
  const env = options.env ?? process.env;
  const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? null : v.trim());
  const parsed = schema.safeParse({
    projectId: options.projectId ?? blank(env.GCLOUD_PROJECT) ?? DEFAULT_PROJECT_ID,
    prefix: options.prefix ?? '',
    host: options.host ?? '127.0.0.1',
    ports: { firestore: 0, auth: 0, dashboard: 0, gemini: 0, control: 0, ...options.ports },
    strictPorts: options.strictPorts ?? false,
    firestoreEmulatorHost: options.firestoreEmulatorHost === undefined ? blank(env.FIRESTORE_EMULATOR_HOST) : options.firestoreEmulatorHost,
    authEmulatorHost: options.authEmulatorHost === undefined ? blank(env.FIREBASE_AUTH_EMULATOR_HOST) : options.authEmulatorHost,
    geminiApiKey: options.geminiApiKey === undefined ? blank(env.GEMINI_API_KEY) : options.geminiApiKey,
    workers: options.workers ?? 3,
    workerConcurrency: options.workerConcurrency ?? null,
    workerGraceMs: options.workerGraceMs ?? 5_000,
    dashboard: options.dashboard ?? true,
    control: options.control ?? false,
    admin: options.admin ?? DEFAULT_ADMIN,
    users: options.users ?? [DEFAULT_USER],
    startTimeoutMs: options.startTimeoutMs ?? 180_000,
  });
  if (!parsed.success) {
    throw new SystemOptionsError(parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('\n'));
  }
  const emails = [parsed.data.admin, ...parsed.data.users].map((a) => a.email.toLowerCase());
  if (new Set(emails).size !== emails.length) throw new SystemOptionsError('accounts: every account needs its own email');

  const workerConfig: WorkerConfigInput = { ...options.workerConfig, collectionPrefix: parsed.data.prefix };
  let model: string;
  try {
    model = resolveConfig(workerConfig).upstream.model;
  } catch (error) {
    throw new SystemOptionsError(`workerConfig: ${error instanceof Error ? error.message : String(error)}`);
  }
  let traffic: TrafficOptions | null = null;
  if (options.traffic && options.traffic.ratePerSec > 0) {
    const checked = trafficOptionsSchema.safeParse(options.traffic);
    if (!checked.success) throw new SystemOptionsError(`traffic: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    traffic = options.traffic;
  }
  return {
    ...parsed.data,
    fakeGemini: options.fakeGemini ?? DEFAULT_FAKE_GEMINI,
    workerConfig,
    model,
    traffic,
    logDir: options.logDir ? resolve(options.logDir) : mkdtempSync(join(tmpdir(), 'firequeue-system-')),
    rulesFile: options.rulesFile ? resolve(options.rulesFile) : paths.rules,
    env,
    onEvent: options.onEvent ?? (() => undefined),
  };
}
