/** Gemini upstream adapter on @google/genai. */
export { GeminiTranscriber, GeminiConfigError, createGeminiTranscriber, DEFAULT_TRANSCRIPTION_PROMPT, type GeminiTranscriberOptions } from './gemini-transcriber.js';
export { toUpstreamError, parseApiErrorBody, parseDurationMs, parseRetryAfterHeader, classifyHttpStatus, isNetworkError } from './error-mapping.js';
