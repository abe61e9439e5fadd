import { z } from 'zod';

/**
 * Behaviour of the fake Gemini. Everything can be set at start, changed at runtime through
 * `POST /__fake/config` (or `configure()` in process), and overridden per model.
 */
const httpErrorStatus = z.number().int().min(400).max(599);

export const outageSchema = z.discriminatedUnion('kind', [
  /** Every call answers this status (503 UNAVAILABLE by default). */
  z.object({ kind: z.literal('status'), status: httpErrorStatus.default(503), message: z.string().nullable().default(null) }),
  /** Calls are accepted and never answered until the client gives up (tests timeouts). */
  z.object({ kind: z.literal('hang') }),
  /** The connection is reset without an answer (tests network errors). */
  z.object({ kind: z.literal('reset') }),
]);
export type FakeOutage = z.infer<typeof outageSchema>;

export const capacityStepSchema = z.object({
  atMs: z.number().int().nonnegative(),
  capacity: z.number().int().nonnegative().nullable(),
});
export type CapacityStep = z.infer<typeof capacityStepSchema>;

export const modelBehaviourSchema = z.object({
  /** Concurrent requests served; above it calls are rejected at once. null = unlimited. */
  capacity: z.number().int().nonnegative().nullable().default(4),
  /** What a call above capacity gets: 503 overloaded, 429 quota, or a mix (see quotaShare). */
  overloadResponse: z.enum(['503', '429', 'mixed']).default('503'),
  /** In 'mixed' mode, the share of over-capacity calls answered 429. */
  quotaShare: z.number().min(0).max(1).default(0.5),
  /** RetryInfo.retryDelay on 429 answers from the capacity check. */
  retryDelayMs: z.number().int().nonnegative().default(1_000),
  /** `Retry-After` header (seconds) on 429/503 answers; null = none (the real API sends none). */
  retryAfterSec: z.number().int().nonnegative().nullable().default(null),
  baseLatencyMs: z.number().nonnegative().default(50),
  latencyMsPerAudioSecond: z.number().nonnegative().default(20),
  /** Relative jitter: latency x (1 +- jitter), from the seeded random source. */
  latencyJitter: z.number().min(0).max(1).default(0.1),
  /** Extra latency at full load: latency x (1 + factor x active / capacity). */
  loadLatencyFactor: z.number().nonnegative().default(0),
  /** How long a rejection takes to arrive. */
  rejectLatencyMs: z.number().nonnegative().default(2),
  /** Per-minute request quota (sliding minute) answered with 429 + retryDelay; 0 = none. */
  requestsPerMinute: z.number().int().nonnegative().default(0),
  /** Per-minute token quota (audio ~32 tokens/s + text); 0 = none. */
  tokensPerMinute: z.number().int().nonnegative().default(0),
  outage: outageSchema.nullable().default(null),
  /**
   * A steady share of the calls that get a slot answered 503 UNAVAILABLE (drawn from the
   * seeded random source): an upstream that fails some calls whatever the load, unlike the
   * capacity check, and unlike injected failures, which are counts a few calls use up.
   */
  errorRate: z.number().min(0).max(1).default(0),
  /**
   * When an error-rate call is answered: null = after the call's normal latency (it holds its
   * slot for the whole service time, so successes are capped at capacity x (1 - errorRate));
   * a number = after that many ms.
   */
  errorLatencyMs: z.number().nonnegative().nullable().default(null),
  /**
   * Capacity that changes over time: from each entry's `atMs` (offset from the start of the
   * fake's stats: start-up or the last stats reset) until the next, `capacity` replaces the
   * field above (null = unlimited). Before the first entry, `capacity` applies. See
   * `capacity-schedule.ts`.
   */
  capacitySchedule: z.array(capacityStepSchema).nullable().default(null),
});
export type ModelBehaviour = z.infer<typeof modelBehaviourSchema>;

export const fakeGeminiConfigSchema = modelBehaviourSchema.extend({
  /** Per-model overrides of the behaviour above. */
  models: z.record(z.string(), modelBehaviourSchema.partial()).default({}),
  /** Models that exist (others answer 404 NOT_FOUND); null = every model name exists. */
  knownModels: z.array(z.string().min(1)).nullable().default(null),
  /** Accepted API keys; empty = any non-empty key. A missing key gets 403, a wrong one 400. */
  apiKeys: z.array(z.string().min(1)).default([]),
  seed: z.number().int().default(1),
  /** Duration estimate for audio that is not WAV (bytes per second of audio). */
  bytesPerSecondEstimate: z.number().positive().default(16_000),
  /** Largest inline audio accepted (the real API allows about 20 MB per request). */
  maxInlineBytes: z.number().int().positive().default(20 * 1024 * 1024),
  tokensPerAudioSecond: z.number().positive().default(32),
});
export type FakeGeminiConfig = z.infer<typeof fakeGeminiConfigSchema>;
export type FakeGeminiConfigInput = z.input<typeof fakeGeminiConfigSchema>;

/**
 * Runtime change: top-level fields replace, `models` merge per model (a model set to null
 * loses its overrides). The merged result is validated as a whole; unknown fields are refused
 * so a typo never silently does nothing.
 */
export type FakeGeminiConfigPatch = Partial<Omit<FakeGeminiConfigInput, 'models'>> & {
  models?: Record<string, z.input<typeof modelBehaviourSchema> | null>;
};

const CONFIG_KEYS = new Set(Object.keys(fakeGeminiConfigSchema.shape));
const MODEL_KEYS = new Set(Object.keys(modelBehaviourSchema.shape));

function definedEntries(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

export class FakeConfigError extends Error {
  override readonly name = 'FakeConfigError';
}

export function applyConfigPatch(config: FakeGeminiConfig, patch: FakeGeminiConfigPatch): FakeGeminiConfig {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new FakeConfigError('a config patch must be a JSON object');
  }
  const unknown = Object.keys(patch).filter((k) => !CONFIG_KEYS.has(k));
  if (unknown.length > 0) throw new FakeConfigError(`unknown config fields: ${unknown.join(', ')}`);
  const { models: modelPatch, ...rest } = patch;
  const models: Record<string, unknown> = { ...config.models };
  for (const [name, value] of Object.entries(modelPatch ?? {})) {
    if (value === null) {
      delete models[name];
      continue;
    }
    const badKeys = Object.keys(value).filter((k) => !MODEL_KEYS.has(k));
    if (badKeys.length > 0) throw new FakeConfigError(`unknown fields for model ${name}: ${badKeys.join(', ')}`);
    models[name] = { ...(config.models[name] ?? {}), ...definedEntries(value) };
  }
  return fakeGeminiConfigSchema.parse({ ...config, ...definedEntries(rest), models });
}

/** The behaviour for one model: global settings with the model's overrides on top. */
export function behaviourFor(config: FakeGeminiConfig, model: string): ModelBehaviour {
  const overrides = config.models[model] ?? {};
  const base = modelBehaviourSchema.parse(config);
  return { ...base, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
}

/** One injected failure: the next `count` matching calls fail this way. */
export const failureInjectionSchema = z.object({
  count: z.number().int().positive().default(1),
  /** Only calls to this model (null = any). */
  model: z.string().nullable().default(null),
  kind: z.enum(['status', 'hang', 'reset']).default('status'),
  status: httpErrorStatus.default(503),
  message: z.string().nullable().default(null),
  /** For 429: RetryInfo.retryDelay. */
  retryDelayMs: z.number().int().nonnegative().nullable().default(null),
  /** `Retry-After` header in seconds. */
  retryAfterSec: z.number().int().nonnegative().nullable().default(null),
});
export type FailureInjection = z.infer<typeof failureInjectionSchema>;
export type FailureInjectionInput = z.input<typeof failureInjectionSchema>;
