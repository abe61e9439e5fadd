#!/usr/bin/env node
import { pino } from 'pino';
import { FirestoreStore } from './adapters/firestore/firestore-store.js';
import { servePrefix } from './adapters/firestore/served-prefixes.js';
import { GeminiTranscriber } from './adapters/gemini/gemini-transcriber.js';
import { CliUsageError, HELP, parseCliOptions } from './cli/options.js';
import { createShutdown } from './cli/shutdown.js';
import { startHttpServer } from './runtime/http-server.js';
import { WorkerMetrics } from './runtime/metrics.js';
import { QueueWorker } from './runtime/worker.js';
import { createFleetFlowControl } from './fleet-flow/index.js';
import { systemClock } from './ports/clock.js';
import { opaqueServerId } from './core/ids.js';

/**
 * The worker process: the `fq-worker` bin runs its build (dist/cli.js); `fq-worker --help`.
 * JSON logs (pino) on stdout; exits 0 after a graceful shutdown on SIGTERM/SIGINT, 2 on bad
 * usage, 1 on a fatal error, and 1 when the shutdown did not finish within --grace-ms +
 * --final-writes-ms (or on a second signal), with a log line naming what it abandoned.
 */
async function main(): Promise<number> {
  let options;
  try {
    options = parseCliOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`${error.message}\nRun with --help for usage.\n`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const log = pino({ level: options.logLevel, base: { pid: process.pid } });
  const store = new FirestoreStore({
    projectId: options.projectId,
    prefix: options.config.collectionPrefix,
    emulatorHost: options.emulatorHost,
    // Once per read (a listener reports it in every snapshot): the admitters reject a `submitted` one.
    onInvalidDocument: (error) => log.warn({ err: error }, 'read a document that does not match its schema'),
  });
  const transcriber = new GeminiTranscriber({ apiKey: options.geminiApiKey!, baseUrl: options.fakeGeminiUrl });
  // Flow control and the worker must agree on the server id: slices and the leader fence use it.
  const serverId = options.serverId ?? opaqueServerId();
  const fleet =
    options.flow === 'fleet'
      ? createFleetFlowControl({ store, serverId, config: options.config, clock: systemClock, logger: log })
      : null;
  let worker: QueueWorker | null = null;
  const metrics = new WorkerMetrics({
    inFlight: () => worker?.status().inFlight ?? 0,
    meter: () => store.meter,
    concurrency: () => worker?.flow.claimBudget(0).slots ?? 0,
  });
  worker = new QueueWorker({
    store,
    transcriber,
    config: options.config,
    serverId,
    ...(fleet ? { flowControl: fleet.flow, duties: fleet.duties } : {}),
    log,
    observer: metrics.observer(),
    admitSubmissions: options.admit,
  });
  const http = await startHttpServer({ port: options.port, status: () => worker.status(), registry: metrics.registry });

  const shutdown = createShutdown({
    graceMs: options.graceMs,
    finalWritesMs: options.finalWritesMs,
    log,
    describe: () => ({ worker: worker.status() }),
    steps: [
      { name: 'worker.stop (drain in-flight jobs, release leases, resign, flush analytics, deregister)', run: () => worker.stop({ graceMs: options.graceMs }) },
      { name: 'close the HTTP server', run: () => http.close() },
      { name: 'close the Firestore client', run: () => store.close() },
    ],
  });
  process.on('SIGTERM', () => shutdown.onSignal('SIGTERM'));
  process.on('SIGINT', () => shutdown.onSignal('SIGINT'));
  // Only now: whoever reads this line may signal at once, and a signal that arrives before
  // Node has a listener for it kills the process (its default action) instead of draining.
  log.info({ port: http.port }, 'http listening');

  // A signal during start-up (Firestore unreachable: registration can hang) stops the worker
  // without waiting for start() to return; its late failure is then of no interest.
  // Serving the prefix first: a browser's submission is refused until it is served.
  const startup = (options.servePrefix ? servePrefix(store.db, options.config.collectionPrefix) : Promise.resolve()).then(() => worker.start());
  const signalled = new Promise<void>((resolve) => process.once('SIGTERM', resolve).once('SIGINT', resolve));
  const first = await Promise.race([startup.then(() => 'started' as const), signalled.then(() => 'signal' as const)]);
  if (first === 'started') log.info({ serverId: worker.serverId, prefix: options.config.collectionPrefix, project: options.projectId }, 'worker ready');
  else startup.catch((error: unknown) => log.warn({ err: error }, 'start-up interrupted by the shutdown'));
  await signalled;
  await shutdown.done;
  log.info('worker exited cleanly');
  log.flush();
  // Exit now: a handle the client libraries keep open must not outlive a clean stop.
  process.exit(0);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
