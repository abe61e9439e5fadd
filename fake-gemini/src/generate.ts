import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallLog, FakeCallRecord } from './call-log.js';
import { capacityAt } from './capacity-schedule.js';
import { behaviourFor, type FailureInjection, type FakeGeminiConfig, type ModelBehaviour } from './config.js';
import { errorBody, invalidApiKeyBody, OVERLOADED_MESSAGE, quotaBody, type GoogleErrorBody } from './errors.js';
import { readBody, sendError, sendJson } from './http-util.js';
import { InvalidRequestError, parseGenerateRequest } from './request.js';
import type { RejectionReason, StatsRecorder } from './stats.js';
import { transcriptFor } from './transcript.js';

/** Mutable state shared by the fake's request handler and its control API. */
export interface GenerateContext {
  config: FakeGeminiConfig;
  failures: FailureInjection[];
  stats: StatsRecorder;
  /** Every call with its times and outcome (GET /__fake/calls). */
  calls: CallLog;
  random: () => number;
  /** Per model: admissions in the last minute, for the fake's own RPM/TPM quota. */
  quotaLog: Map<string, { at: number; tokens: number }[]>;
  timers: Set<NodeJS.Timeout>;
  responses: number;
  now: () => number;
}

const ROUTE = /^\/(v1beta|v1|v1alpha)\/models\/([^/:]+):generateContent$/;
const QUOTA_WINDOW_MS = 60_000;

function later(ctx: GenerateContext, ms: number, fn: () => void): void {
  if (ms <= 0) return fn();
  const timer = setTimeout(() => {
    ctx.timers.delete(timer);
    fn();
  }, ms);
  ctx.timers.add(timer);
}

function reject(
  ctx: GenerateContext,
  res: ServerResponse,
  record: FakeCallRecord,
  reason: RejectionReason,
  body: GoogleErrorBody,
  delayMs: number,
  retryAfterSec: number | null = null,
): void {
  ctx.stats.rejected(record.model, body.error.code, reason);
  const headers: Record<string, string> = retryAfterSec === null ? {} : { 'retry-after': String(retryAfterSec) };
  later(ctx, delayMs, () => {
    ctx.calls.settle(record, 'rejected', { status: body.error.code, reason });
    sendError(res, body, headers);
  });
}

/** Hold the call open without answering until the client gives up (or the fake closes). */
function hang(ctx: GenerateContext, res: ServerResponse, record: FakeCallRecord): void {
  ctx.stats.started(record.model);
  res.on('close', () => {
    ctx.calls.settle(record, 'aborted');
    ctx.stats.finished(record.model, { ok: false });
  });
}

function resetConnection(ctx: GenerateContext, req: IncomingMessage, record: FakeCallRecord): void {
  ctx.stats.reset(record.model);
  ctx.calls.settle(record, 'reset');
  req.socket.destroy();
}

function takeInjection(ctx: GenerateContext, model: string): FailureInjection | null {
  const index = ctx.failures.findIndex((f) => f.count > 0 && (f.model === null || f.model === model));
  if (index < 0) return null;
  const found = ctx.failures[index] as FailureInjection;
  const taken = { ...found };
  found.count -= 1;
  if (found.count === 0) ctx.failures.splice(index, 1);
  return taken;
}

function statusBody(model: string, status: number, message: string | null, retryDelayMs: number): GoogleErrorBody {
  if (status === 429) return quotaBody(model, 'GenerateRequestsPerMinutePerProjectPerModel', 0, retryDelayMs);
  if (status === 503) return errorBody(503, message ?? OVERLOADED_MESSAGE);
  return errorBody(status, message);
}

interface QuotaRefusal {
  /** Until the sliding minute admits this call (RetryInfo.retryDelay). */
  waitMs: number;
  /** The limit that refused it (the requests limit when both do). */
  quotaId: string;
  limit: number;
}

const REQUESTS_QUOTA_ID = 'GenerateRequestsPerMinutePerProjectPerModel';
const TOKENS_QUOTA_ID = 'GenerateContentInputTokensPerModelPerMinute';

/** The fake's own per-minute quota: null when the call fits (and is counted), else the refusal. */
function quotaDelay(ctx: GenerateContext, model: string, b: ModelBehaviour, tokens: number): QuotaRefusal | null {
  if (b.requestsPerMinute === 0 && b.tokensPerMinute === 0) return null;
  const now = ctx.now();
  const log = (ctx.quotaLog.get(model) ?? []).filter((e) => e.at > now - QUOTA_WINDOW_MS);
  ctx.quotaLog.set(model, log);
  let requestsWait = 0;
  let tokensWait = 0;
  if (b.requestsPerMinute > 0 && log.length >= b.requestsPerMinute) {
    requestsWait = (log[log.length - b.requestsPerMinute] as { at: number }).at + QUOTA_WINDOW_MS - now;
  }
  if (b.tokensPerMinute > 0) {
    let used = log.reduce((sum, e) => sum + e.tokens, 0);
    if (tokens > b.tokensPerMinute) tokensWait = QUOTA_WINDOW_MS;
    for (let i = 0; used + tokens > b.tokensPerMinute && i < log.length; i++) {
      used -= (log[i] as { tokens: number }).tokens;
      tokensWait = Math.max(tokensWait, (log[i] as { at: number }).at + QUOTA_WINDOW_MS - now);
    }
  }
  if (requestsWait > 0 || tokensWait > 0) {
    const byRequests = requestsWait > 0;
    return {
      waitMs: Math.max(requestsWait, tokensWait),
      quotaId: byRequests ? REQUESTS_QUOTA_ID : TOKENS_QUOTA_ID,
      limit: byRequests ? b.requestsPerMinute : b.tokensPerMinute,
    };
  }
  log.push({ at: now, tokens });
  return null;
}

export async function handleGenerate(ctx: GenerateContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const route = ROUTE.exec(url.pathname);
  if (!route || req.method !== 'POST') {
    return sendError(res, errorBody(404, `fake Gemini: no ${req.method ?? 'GET'} ${url.pathname}`));
  }
  const model = decodeURIComponent(route[2] as string);
  const config = ctx.config;
  const { text, overflow } = await readBody(req, Math.ceil(config.maxInlineBytes * 1.4) + 1024 * 1024);
  ctx.stats.call(model);
  const record = ctx.calls.open(model);

  const headerKey = req.headers['x-goog-api-key'];
  const key = (Array.isArray(headerKey) ? headerKey[0] : headerKey) ?? url.searchParams.get('key');
  if (!key) {
    return reject(ctx, res, record, 'auth', errorBody(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."), 0);
  }
  if (config.apiKeys.length > 0 && !config.apiKeys.includes(key)) {
    return reject(ctx, res, record, 'auth', invalidApiKeyBody(), 0);
  }
  if (config.knownModels !== null && !config.knownModels.includes(model)) {
    const message = `models/${model} is not found for API version ${route[1]}, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`;
    return reject(ctx, res, record, 'not_found', errorBody(404, message), 0);
  }
  if (overflow) {
    return reject(ctx, res, record, 'invalid', errorBody(400, `Request payload size exceeds the limit: ${config.maxInlineBytes} bytes.`), 0);
  }
  let parsed;
  try {
    parsed = parseGenerateRequest(text, config);
  } catch (error) {
    if (error instanceof InvalidRequestError) return reject(ctx, res, record, 'invalid', errorBody(400, error.message), 0);
    throw error;
  }
  if (parsed.audio) record.audioSha256 = createHash('sha256').update(parsed.audio.bytes).digest('hex');

  const b = behaviourFor(config, model);
  const injected = takeInjection(ctx, model);
  if (injected) {
    if (injected.kind === 'hang') return hang(ctx, res, record);
    if (injected.kind === 'reset') return resetConnection(ctx, req, record);
    const body = statusBody(model, injected.status, injected.message, injected.retryDelayMs ?? b.retryDelayMs);
    return reject(ctx, res, record, 'injected', body, b.rejectLatencyMs, injected.retryAfterSec);
  }
  if (b.outage) {
    if (b.outage.kind === 'hang') return hang(ctx, res, record);
    if (b.outage.kind === 'reset') return resetConnection(ctx, req, record);
    const body = statusBody(model, b.outage.status, b.outage.message, b.retryDelayMs);
    return reject(ctx, res, record, 'outage', body, b.rejectLatencyMs, b.retryAfterSec);
  }

  const durationSec = parsed.audio?.durationSec ?? 0;
  const transcript = parsed.audio
    ? transcriptFor(parsed.audio.bytes, durationSec)
    : transcriptFor(new TextEncoder().encode(parsed.prompt), 2);
  const promptTokens = Math.round(durationSec * config.tokensPerAudioSecond) + Math.ceil(parsed.prompt.length / 4);
  const outputTokens = Math.ceil(transcript.length / 4);
  const tokens = promptTokens + outputTokens;

  const refusal = quotaDelay(ctx, model, b, tokens);
  if (refusal !== null) {
    const body = quotaBody(model, refusal.quotaId, refusal.limit, refusal.waitMs);
    return reject(ctx, res, record, 'quota', body, b.rejectLatencyMs, b.retryAfterSec);
  }

  const active = ctx.stats.active(model);
  const capacity = capacityAt(b.capacity, b.capacitySchedule, ctx.now() - ctx.stats.since());
  if (capacity !== null && active >= capacity) {
    const quota = b.overloadResponse === '429' || (b.overloadResponse === 'mixed' && ctx.random() < b.quotaShare);
    const body = quota ? quotaBody(model, REQUESTS_QUOTA_ID, capacity, b.retryDelayMs) : errorBody(503, OVERLOADED_MESSAGE);
    return reject(ctx, res, record, 'overload', body, b.rejectLatencyMs, b.retryAfterSec);
  }

  ctx.stats.started(model);
  // Drawn only when a rate is set, so runs without one keep their random sequence.
  const failing = b.errorRate > 0 && ctx.random() < b.errorRate;
  const load = capacity ? active / capacity : 0;
  const jitter = 1 + b.latencyJitter * (2 * ctx.random() - 1);
  const serviceMs = (b.baseLatencyMs + b.latencyMsPerAudioSecond * durationSec) * (1 + b.loadLatencyFactor * load) * jitter;
  const latencyMs = failing && b.errorLatencyMs !== null ? b.errorLatencyMs : serviceMs;
  let settled = false;
  const timer = setTimeout(() => {
    ctx.timers.delete(timer);
    if (settled) return;
    settled = true;
    if (failing) {
      ctx.stats.failed(model, 503, 'error_rate');
      ctx.calls.settle(record, 'rejected', { status: 503, reason: 'error_rate' });
      sendError(res, errorBody(503, OVERLOADED_MESSAGE));
      return;
    }
    ctx.stats.finished(model, { ok: true, audioSeconds: durationSec, tokens });
    ctx.calls.settle(record, 'ok', { status: 200, tokens });
    ctx.responses += 1;
    sendJson(res, 200, {
      candidates: [{ content: { parts: [{ text: transcript }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: {
        promptTokenCount: promptTokens,
        candidatesTokenCount: outputTokens,
        totalTokenCount: tokens,
        promptTokensDetails: [
          { modality: 'AUDIO', tokenCount: Math.round(durationSec * config.tokensPerAudioSecond) },
          { modality: 'TEXT', tokenCount: Math.ceil(parsed.prompt.length / 4) },
        ],
      },
      modelVersion: model,
      responseId: `fake-${ctx.responses}`,
    });
  }, Math.max(0, latencyMs));
  ctx.timers.add(timer);
  res.on('close', () => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    ctx.timers.delete(timer);
    ctx.calls.settle(record, 'aborted');
    ctx.stats.finished(model, { ok: false });
  });
}
