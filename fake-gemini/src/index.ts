/** A fake Gemini API for tests, the demo and the benchmark (see server.ts). */
export { startFakeGemini, type FakeGeminiHandle, type FakeGeminiOptions } from './server.js';
export * from './config.js';
export type { FakeGeminiStats, CallCounts, RejectionReason } from './stats.js';
export type { FakeCallLog, FakeCallRecord } from './call-log.js';
export { capacityAt } from './capacity-schedule.js';
export { makeTestWav, embeddedTranscript, TRANSCRIPT_CHUNK_ID, type TestWavOptions } from './test-audio.js';
export { transcriptFor } from './transcript.js';
export { OVERLOADED_MESSAGE, formatDuration } from './errors.js';
export { FakeGeminiClient } from './client.js';
