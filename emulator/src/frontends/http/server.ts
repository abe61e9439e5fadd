import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { FaultInjector } from '../../faults/index.js';
import type { FirestoreService } from '../../service/index.js';
import { addRestRoutes } from '../rest/routes.js';
import type { WebChannelFrontEnd, WebChannelOptions } from '../webchannel/index.js';
import { addWebChannelRoutes } from '../webchannel/index.js';
import { applyCors } from './cors.js';
import { addEmulatorRoutes } from './emulator-routes.js';
import { addFaultRoutes } from './fault-routes.js';
import { loadProtoTools } from './proto-tools.js';
import { Router } from './router.js';
import { addSecurityRulesRoutes } from './security-rules-routes.js';

export interface HttpFrontEndOptions {
  /** Fault injection endpoints (`/emulator/v1/projects/{p}:faults`) when given. */
  faults?: FaultInjector;
  /** WebChannel session timing and limits (defaults suit the browser SDK). */
  webChannel?: Partial<WebChannelOptions>;
}

export interface HttpFrontEnd {
  server: Server;
  router: Router;
  webChannel: WebChannelFrontEnd;
  /** Ends WebChannel sessions and stops their housekeeping timer. */
  dispose(): void;
}

/**
 * The HTTP/1.1 side of the emulator port: emulator endpoints, REST, WebChannel, all with
 * CORS for browsers. Sockets arrive through `server.emit('connection')`.
 */
export function createHttpFrontEnd(service: FirestoreService, logger: Logger, options: HttpFrontEndOptions = {}): HttpFrontEnd {
  const router = new Router();
  addEmulatorRoutes(router, service);
  addSecurityRulesRoutes(router, service);
  if (options.faults) addFaultRoutes(router, options.faults);
  addRestRoutes(router, service, loadProtoTools, logger);
  const webChannel = addWebChannelRoutes(router, service, loadProtoTools, logger, options.webChannel);
  const server = createServer((req, res) => {
    if (applyCors(req, res)) return;
    router.handle(req, res).catch((err: unknown) => {
      logger.error({ err }, 'http handler failed');
      res.destroy();
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return { server, router, webChannel, dispose: () => webChannel.dispose() };
}
