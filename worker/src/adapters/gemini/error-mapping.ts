import { ApiError } from '@google/genai';
import type { ErrorClass } from '../../schema/job.js';
import { UpstreamError } from '../../ports/transcriber.js';

/**
 * Turning what the Gemini SDK throws into `UpstreamError` classes. Pure apart from reading the
 * error objects, so every status and body shape is unit-testable.
 */

/** google.protobuf.Duration JSON ("32s", "1.5s", "0.250s") to ms; null when unparseable. */
export function parseDurationMs(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const match = /^\s*(-?\d+(?:\.\d+)?)s\s*$/.exec(value);
  if (!match) return null;
  const ms = Math.round(Number(match[1]) * 1000);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

/** HTTP Retry-After: delta seconds or an HTTP date. */
export function parseRetryAfterHeader(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

interface GoogleErrorDetail {
  '@type'?: string;
  retryDelay?: unknown;
  reason?: unknown;
}

export interface ParsedApiErrorBody {
  code: number | null;
  status: string | null;
  message: string;
  retryDelayMs: number | null;
  reasons: string[];
}

/** `ApiError.message` is the JSON error body the SDK read (or a plain text fallback). */
export function parseApiErrorBody(message: string): ParsedApiErrorBody {
  try {
    const parsed = JSON.parse(message) as { error?: { code?: unknown; status?: unknown; message?: unknown; details?: unknown } };
    const error = parsed.error ?? {};
    const details = Array.isArray(error.details) ? (error.details as GoogleErrorDetail[]) : [];
    const retryInfo = details.find((d) => typeof d['@type'] === 'string' && d['@type'].endsWith('google.rpc.RetryInfo'));
    return {
      code: typeof error.code === 'number' ? error.code : null,
      status: typeof error.status === 'string' ? error.status : null,
      message: typeof error.message === 'string' ? error.message : message,
      retryDelayMs: retryInfo ? parseDurationMs(retryInfo.retryDelay) : null,
      reasons: details.map((d) => d.reason).filter((r): r is string => typeof r === 'string'),
    };
  } catch {
    return { code: null, status: null, message, retryDelayMs: null, reasons: [] };
  }
}

export function classifyHttpStatus(status: number, body: ParsedApiErrorBody): ErrorClass {
  if (status === 429) return 'quota';
  if (status === 503) return 'overloaded';
  if (status === 504 || status === 408) return 'timeout';
  if (status >= 500) return 'server';
  if (status === 401 || status === 403) return 'unauthorized';
  // A wrong API key arrives as 400 INVALID_ARGUMENT with reason API_KEY_INVALID; an
  // unsupported location as 400 FAILED_PRECONDITION: both need an operator, not a retry.
  if (body.reasons.includes('API_KEY_INVALID') || body.status === 'FAILED_PRECONDITION') return 'unauthorized';
  return 'invalid';
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** fetch failures are `TypeError('fetch failed')` with the socket error as `cause`. */
export function isNetworkError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (e instanceof TypeError && /fetch failed|terminated|socket/i.test(e.message)) return true;
  }
  return false;
}

export interface MapContext {
  model: string;
  /** Why our own controller aborted the call, if it did. */
  abortReason: 'timeout' | 'cancelled' | null;
  timeoutMs: number;
  /** Retry-After header of the failed response, seen through the fetch wrapper. */
  retryAfterHeaderMs: number | null;
}

export function toUpstreamError(error: unknown, ctx: MapContext): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (ctx.abortReason === 'timeout') {
    return new UpstreamError({ errorClass: 'timeout', message: `Gemini call exceeded ${ctx.timeoutMs} ms`, model: ctx.model, cause: error });
  }
  if (ctx.abortReason === 'cancelled') {
    return new UpstreamError({ errorClass: 'cancelled', message: 'Gemini call aborted by the caller', model: ctx.model, cause: error });
  }
  if (error instanceof ApiError) {
    const body = parseApiErrorBody(error.message);
    const errorClass = classifyHttpStatus(error.status, body);
    const delays = [body.retryDelayMs, ctx.retryAfterHeaderMs].filter((d): d is number => d !== null);
    return new UpstreamError({
      errorClass,
      message: `Gemini ${error.status}${body.status ? ` ${body.status}` : ''}: ${body.message}`,
      status: error.status,
      retryAfterMs: delays.length > 0 ? Math.max(...delays) : null,
      model: ctx.model,
      cause: error,
    });
  }
  if (isNetworkError(error)) {
    const detail = (error as { cause?: { code?: string; message?: string } }).cause;
    return new UpstreamError({
      errorClass: 'network',
      message: `Gemini network error: ${detail?.code ?? detail?.message ?? (error as Error).message}`,
      model: ctx.model,
      cause: error,
    });
  }
  return new UpstreamError({
    errorClass: 'unknown',
    message: `Gemini call failed: ${error instanceof Error ? error.message : String(error)}`,
    model: ctx.model,
    cause: error,
  });
}
