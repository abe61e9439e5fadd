import type { FakeGeminiOptions } from '@fq/fake-gemini';

/**
 * The upstream the flow-control scenarios share with `overload`: C concurrent calls of a
 * fixed service time (1 s + 0.5 s per audio second, no jitter, no load latency), answers
 * above C mixed 503/429, rejections in 2 ms. 1.0 of its capacity = C / service time.
 */
export interface UpstreamShape {
  capacity: number | null;
  baseLatencyMs: number;
  latencyMsPerAudioSecond: number;
  audioSeconds: number;
  overloadResponse: '503' | '429' | 'mixed';
  retryDelayMs: number;
}

export const STEADY_UPSTREAM: UpstreamShape = {
  capacity: 4,
  baseLatencyMs: 1_000,
  latencyMsPerAudioSecond: 500,
  audioSeconds: 1,
  overloadResponse: 'mixed',
  retryDelayMs: 1_000,
};

export function serviceMs(shape: UpstreamShape): number {
  return shape.baseLatencyMs + shape.latencyMsPerAudioSecond * shape.audioSeconds;
}

export function fakeOptionsFor(shape: UpstreamShape, seed: number, extra: Omit<FakeGeminiOptions, 'port' | 'host' | 'now'> = {}): Omit<FakeGeminiOptions, 'port' | 'host' | 'now'> {
  return {
    capacity: shape.capacity,
    overloadResponse: shape.overloadResponse,
    retryDelayMs: shape.retryDelayMs,
    baseLatencyMs: shape.baseLatencyMs,
    latencyMsPerAudioSecond: shape.latencyMsPerAudioSecond,
    latencyJitter: 0,
    loadLatencyFactor: 0,
    rejectLatencyMs: 2,
    seed,
    ...extra,
  };
}

/** The fleet of the flow-control scenarios: 3 worker processes x 8 slots, like `overload`. */
export const FLEET = { workers: 3, concurrencyPerWorker: 8 } as const;
