import { ApiError } from '@google/genai';
import { describe, expect, it } from 'vitest';
import {
  classifyHttpStatus,
  isNetworkError,
  parseApiErrorBody,
  parseDurationMs,
  parseRetryAfterHeader,
  toUpstreamError,
} from './error-mapping.js';

const ctx = { model: 'm', abortReason: null, timeoutMs: 1_000, retryAfterHeaderMs: null };

describe('Gemini error mapping', () => {
  it('parses protobuf durations', () => {
    expect(parseDurationMs('32s')).toBe(32_000);
    expect(parseDurationMs('1.5s')).toBe(1_500);
    expect(parseDurationMs('0.250s')).toBe(250);
    expect(parseDurationMs('soon')).toBeNull();
    expect(parseDurationMs(12)).toBeNull();
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfterHeader('4', now)).toBe(4_000);
    expect(parseRetryAfterHeader('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfterHeader('garbage', now)).toBeNull();
    expect(parseRetryAfterHeader(null, now)).toBeNull();
  });

  it('reads status, reasons and RetryInfo from the JSON body, and survives plain text', () => {
    const body = parseApiErrorBody(
      JSON.stringify({
        error: {
          code: 429,
          status: 'RESOURCE_EXHAUSTED',
          message: 'quota',
          details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' }],
        },
      }),
    );
    expect(body).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED', retryDelayMs: 12_000 });
    expect(parseApiErrorBody('<html>bad gateway</html>')).toMatchObject({ code: null, message: '<html>bad gateway</html>' });
  });

  it('classifies statuses', () => {
    const plain = parseApiErrorBody('{}');
    expect(classifyHttpStatus(400, { ...plain, status: 'FAILED_PRECONDITION' })).toBe('unauthorized');
    expect(classifyHttpStatus(400, { ...plain, reasons: ['API_KEY_INVALID'] })).toBe('unauthorized');
    expect(classifyHttpStatus(400, plain)).toBe('invalid');
    expect(classifyHttpStatus(408, plain)).toBe('timeout');
    expect(classifyHttpStatus(501, plain)).toBe('server');
  });

  it('prefers our own abort reason over whatever the SDK threw', () => {
    const aborted = new DOMException('This operation was aborted', 'AbortError');
    expect(toUpstreamError(aborted, { ...ctx, abortReason: 'timeout' }).errorClass).toBe('timeout');
    expect(toUpstreamError(aborted, { ...ctx, abortReason: 'cancelled' }).errorClass).toBe('cancelled');
    expect(toUpstreamError(aborted, ctx).errorClass).toBe('unknown');
  });

  it('keeps the longer of RetryInfo and Retry-After', () => {
    const error = new ApiError({
      status: 429,
      message: JSON.stringify({ error: { code: 429, details: [{ '@type': 'google.rpc.RetryInfo', retryDelay: '2s' }] } }),
    });
    expect(toUpstreamError(error, { ...ctx, retryAfterHeaderMs: 5_000 }).retryAfterMs).toBe(5_000);
    expect(toUpstreamError(error, ctx).retryAfterMs).toBe(2_000);
  });

  it('recognises fetch network failures by their cause', () => {
    const failed = new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
    expect(isNetworkError(failed)).toBe(true);
    expect(isNetworkError(new Error('boom'))).toBe(false);
  });
});
