import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { FaultInjector } from './faults/index.js';
import type { GrpcFrontEnd } from './frontends/grpc/server.js';
import { createHttpFrontEnd } from './frontends/http/server.js';
import type { Router } from './frontends/http/router.js';
import type { SessionStats, WebChannelOptions } from './frontends/webchannel/index.js';
import type { LogLevel, Logger } from './logger.js';
import { createLogger } from './logger.js';
import type { ExportSummary, ImportSummary } from './persistence/index.js';
import { addExportRoute } from './persistence/export-route.js';
import type { RulesOption, SecurityRules } from './security/index.js';
import { compileRulesOption, installSecurityRules } from './security/index.js';
import type { FirestoreServiceOptions } from './service/index.js';
import { FirestoreService } from './service/index.js';

export interface EmulatorOptions extends FirestoreServiceOptions {
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Port to bind; 0 (the default) picks a free port. */
  port?: number;
  /** Default project id (informational: every request names its own project). */
  projectId?: string;
  logLevel?: LogLevel;
  logger?: Logger;
  /**
   * Security rules for every project without rules of its own (source text or `{file}`);
   * without them projects are open until rules are loaded through the emulator endpoint.
   * Invalid rules reject the start with a RulesSyntaxError naming line and column.
   */
  rules?: RulesOption;
  /** WebChannel session timing and limits (keep-alive, long-poll hold, expiry, buffers). */
  webChannel?: Partial<WebChannelOptions>;
  /** An export directory (see persistence/export-format.ts) to load before listening. */
  importDirectory?: string;
  /** Where `exportData()` and the export endpoint write when not told (the CLI's --export-on-exit). */
  exportDirectory?: string;
}

export interface RunningEmulator {
  host: string;
  port: number;
  /** `http://host:port` */
  url: string;
  /** `host:port`, the value for FIRESTORE_EMULATOR_HOST. */
  hostAndPort: string;
  projectId: string;
  /** The service facade, for in-process tests and future front ends. */
  service: FirestoreService;
  /** The HTTP/1.1 router (emulator endpoints, REST, WebChannel). */
  router: Router;
  /** Fault injection (also at `/emulator/v1/projects/{p}:faults`). */
  faults: FaultInjector;
  /** Open WebChannel sessions and counters (for leak checks). */
  webChannelStats(): SessionStats;
  /** The security rules in force (undefined when started with a custom `authorizer`). */
  securityRules?: SecurityRules;
  /** Milliseconds from the call to listening. */
  startupMs: number;
  /** What `importDirectory` loaded. */
  imported?: ImportSummary;
  /** Writes every database to `dir` (default: the `exportDirectory` option) in the export format. */
  exportData(dir?: string): Promise<ExportSummary>;
  stop(): Promise<void>;
}

const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0');

/**
 * Starts the emulator: one port serving gRPC (HTTP/2 cleartext, recognised by its
 * connection preface) and HTTP/1.1 (health, emulator endpoints; REST later).
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const started = performance.now();
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? createLogger(options.logLevel ?? 'info');
  if (options.rules !== undefined && options.authorizer) throw new Error('Pass either rules or a custom authorizer, not both.');
  const defaultRules = options.rules === undefined ? undefined : compileRulesOption(options.rules);
  const service = new FirestoreService(options);
  let imported: ImportSummary | undefined;
  if (options.importDirectory !== undefined) {
    try {
      // Import and export (readline, fs/promises) load only when used.
      const { importStore } = await import('./persistence/import-store.js');
      imported = await importStore(service.store, options.importDirectory);
    } catch (err) {
      service.dispose();
      throw err;
    }
  }
  // One export at a time: two into one directory (the endpoint and the exit) must not interleave.
  let lastExport: Promise<unknown> = Promise.resolve();
  const exportData = (dir = options.exportDirectory): Promise<ExportSummary> => {
    if (dir === undefined) return Promise.reject(new Error('exportData() needs a directory (or the exportDirectory option).'));
    const run = async (): Promise<ExportSummary> => (await import('./persistence/export-store.js')).exportStore(service.store, dir);
    const next = lastExport.then(run, run);
    lastExport = next;
    return next;
  };
  const faults = new FaultInjector().attach(service);
  const securityRules = options.authorizer ? undefined : installSecurityRules(service, logger);
  securityRules?.setDefault(defaultRules);
  // gRPC (grpc-js, http2 and the protobuf codecs: a third of a cold start) is loaded when
  // the first HTTP/2 connection arrives, so a start and HTTP-only clients never pay for it.
  let grpcFrontEnd: Promise<GrpcFrontEnd> | undefined;
  const grpc = (): Promise<GrpcFrontEnd> =>
    (grpcFrontEnd ??= import('./frontends/grpc/server.js').then(({ createGrpcFrontEnd }) => createGrpcFrontEnd(service, logger)));
  const http = createHttpFrontEnd(service, logger, { faults, webChannel: options.webChannel });
  addExportRoute(http.router, exportData, () => options.exportDirectory);
  const sockets = new Set<Socket>();

  const route = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', (err) => logger.debug({ err }, 'socket error'));
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const n = Math.min(head.length, HTTP2_PREFACE.length);
      const isH2Prefix = head.subarray(0, n).equals(HTTP2_PREFACE.subarray(0, n));
      if (isH2Prefix && head.length < HTTP2_PREFACE.length) return; // need more bytes to decide
      socket.off('data', onData);
      socket.pause();
      socket.unshift(head);
      // http2 drains the buffered bytes itself (socket.read()); resuming here would drop them.
      if (isH2Prefix) {
        // The socket stays paused (its first bytes unshifted) until gRPC is loaded.
        grpc().then(
          (front) => {
            if (!socket.destroyed) front.injectConnection(socket);
          },
          (err: unknown) => {
            logger.error({ err }, 'the gRPC front end did not load');
            socket.destroy();
          },
        );
      } else {
        http.server.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  };

  const server: Server = createServer(route);
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : 0);
    });
  }).catch((err: NodeJS.ErrnoException) => {
    service.dispose();
    http.dispose();
    if (err.code === 'EADDRINUSE') {
      throw Object.assign(new Error(`Port ${options.port} on ${host} is already in use. Stop the other process or pick another port (--port 0 picks a free one).`), { code: 'EADDRINUSE' });
    }
    throw err;
  });
  server.on('error', (err) => logger.error({ err }, 'server error'));

  const urlHost = host.includes(':') ? `[${host}]` : host;
  const startupMs = performance.now() - started;
  logger.info({ host, port, startupMs: Math.round(startupMs * 10) / 10 }, 'Firestore emulator listening');
  let stopping: Promise<void> | undefined;
  return {
    host,
    port,
    url: `http://${urlHost}:${port}`,
    hostAndPort: `${urlHost}:${port}`,
    projectId: options.projectId ?? 'demo-firequeue',
    service,
    router: http.router,
    faults,
    webChannelStats: () => http.webChannel.registry.stats(),
    securityRules,
    startupMs,
    imported,
    exportData,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        service.dispose();
        http.dispose();
        void grpcFrontEnd?.then(
          (front) => front.close(),
          () => undefined,
        );
        for (const s of sockets) s.destroy();
        http.server.close();
        server.close(() => resolve());
      });
      return stopping;
    },
  };
}
