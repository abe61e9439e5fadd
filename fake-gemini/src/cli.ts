import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { fakeGeminiConfigSchema, type FakeGeminiConfigInput } from './config.js';
import { startFakeGemini } from './server.js';

/**
 * The fake Gemini as its own process (demo, e2e, benchmark), `runCli` below; the package's
 * bin `fq-fake-gemini` runs it (dist/cli.js, built from cli-main.ts):
 *   npx fq-fake-gemini --port 0 --capacity 8 --latency-per-audio-second 20
 * Prints one JSON line {"event":"listening","url":...} on stdout once it accepts calls.
 */
const HELP = `fake-gemini: a fake Gemini API for tests and demos

Options:
  --port N                      listen port (default 0 = a free port)
  --host H                      listen address (default 127.0.0.1)
  --capacity N                  concurrent calls served per model; more get rejected (default 4; "none" = unlimited)
  --overload 503|429|mixed      answer to calls above capacity (default 503)
  --retry-delay-ms N            RetryInfo.retryDelay on 429 (default 1000)
  --base-latency-ms N           latency of every call (default 50)
  --latency-per-audio-second N  extra latency per second of audio (default 20)
  --rpm N / --tpm N             per-minute request / token quota per model (default 0 = none)
  --error-rate R                share of served calls answered 503 (0..1, default 0)
  --api-key K                   accept only this key (repeatable; default any non-empty key)
  --seed N                      random seed for jitter and mixed answers
  --config JSON|@file           full configuration (see config.ts), applied before the flags
  -h, --help`;

const intArg = z.coerce.number().int().nonnegative();

export function configFromArgs(argv: string[]): { port: number; host: string; config: FakeGeminiConfigInput } {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      capacity: { type: 'string' },
      overload: { type: 'string' },
      'retry-delay-ms': { type: 'string' },
      'base-latency-ms': { type: 'string' },
      'latency-per-audio-second': { type: 'string' },
      rpm: { type: 'string' },
      tpm: { type: 'string' },
      'error-rate': { type: 'string' },
      'api-key': { type: 'string', multiple: true },
      seed: { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  let config: FakeGeminiConfigInput = {};
  if (values.config) {
    const text = values.config.startsWith('@') ? readFileSync(values.config.slice(1), 'utf8') : values.config;
    config = JSON.parse(text) as FakeGeminiConfigInput;
  }
  if (values.capacity !== undefined) config.capacity = values.capacity === 'none' ? null : intArg.parse(values.capacity);
  if (values.overload !== undefined) config.overloadResponse = z.enum(['503', '429', 'mixed']).parse(values.overload);
  if (values['retry-delay-ms'] !== undefined) config.retryDelayMs = intArg.parse(values['retry-delay-ms']);
  if (values['base-latency-ms'] !== undefined) config.baseLatencyMs = intArg.parse(values['base-latency-ms']);
  if (values['latency-per-audio-second'] !== undefined) config.latencyMsPerAudioSecond = intArg.parse(values['latency-per-audio-second']);
  if (values.rpm !== undefined) config.requestsPerMinute = intArg.parse(values.rpm);
  if (values.tpm !== undefined) config.tokensPerMinute = intArg.parse(values.tpm);
  if (values['error-rate'] !== undefined) config.errorRate = z.coerce.number().min(0).max(1).parse(values['error-rate']);
  if (values['api-key'] !== undefined) config.apiKeys = values['api-key'];
  if (values.seed !== undefined) config.seed = z.coerce.number().int().parse(values.seed);
  fakeGeminiConfigSchema.parse(config); // fail fast with zod's message
  return {
    port: values.port === undefined ? 0 : intArg.parse(values.port),
    host: values.host ?? '127.0.0.1',
    config,
  };
}

/** Parses `argv`, starts the fake and stops it on SIGTERM/SIGINT (exit 0). Bad flags exit 2. */
export async function runCli(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = configFromArgs(argv);
  } catch (error) {
    console.error(`fake-gemini: ${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    process.exit(2);
  }
  const fake = await startFakeGemini({ ...parsed.config, port: parsed.port, host: parsed.host });
  const stop = (): void => {
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Before the listening line: a caller may send SIGTERM as soon as it reads it.
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  console.log(JSON.stringify({ event: 'listening', url: fake.url, port: fake.port, pid: process.pid }));
}
