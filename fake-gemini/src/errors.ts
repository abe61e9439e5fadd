/**
 * Error bodies shaped like the Gemini API's (google.rpc.Status as JSON), so the real SDK
 * raises the same `ApiError` it raises against Google.
 */
export interface GoogleErrorBody {
  error: { code: number; message: string; status: string; details?: Record<string, unknown>[] };
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'DEADLINE_EXCEEDED',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'Request contains an invalid argument.',
  403: 'The caller does not have permission',
  404: 'Requested entity was not found.',
  429: 'You exceeded your current quota, please check your plan and billing details.',
  500: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  503: 'The model is overloaded. Please try again later.',
  504: 'Deadline expired before operation could complete.',
};

export const OVERLOADED_MESSAGE = DEFAULT_MESSAGES[503] as string;

/** google.protobuf.Duration in JSON: "32s", "1.5s". */
export function formatDuration(ms: number): string {
  const seconds = (Math.max(0, ms) / 1000).toFixed(3).replace(/\.?0+$/, '');
  return `${seconds === '' ? '0' : seconds}s`;
}

export function errorBody(status: number, message?: string | null, details?: Record<string, unknown>[]): GoogleErrorBody {
  return {
    error: {
      code: status,
      message: message ?? DEFAULT_MESSAGES[status] ?? `HTTP ${status}`,
      status: STATUS_NAMES[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION'),
      ...(details && details.length > 0 ? { details } : {}),
    },
  };
}

/** 429 as the real API words it: QuotaFailure naming the limit, and RetryInfo. */
export function quotaBody(model: string, quotaId: string, limit: number, retryDelayMs: number): GoogleErrorBody {
  return errorBody(
    429,
    `You exceeded your current quota, please check your plan and billing details. Quota exceeded for metric: ` +
      `generativelanguage.googleapis.com/generate_content_requests, limit: ${limit}, model: ${model}. ` +
      `Please retry in ${formatDuration(retryDelayMs)}.`,
    [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/generate_content_requests',
            quotaId,
            quotaDimensions: { location: 'global', model },
            quotaValue: String(limit),
          },
        ],
      },
      {
        '@type': 'type.googleapis.com/google.rpc.Help',
        links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }],
      },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: formatDuration(retryDelayMs) },
    ],
  );
}

export function invalidApiKeyBody(): GoogleErrorBody {
  return errorBody(400, 'API key not valid. Please pass a valid API key.', [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'API_KEY_INVALID',
      domain: 'googleapis.com',
      metadata: { service: 'generativelanguage.googleapis.com' },
    },
  ]);
}
