import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { FirestoreService } from '../../service/index.js';
import { addEmulatorRoutes } from './emulator-routes.js';
import { Router } from './router.js';
import { addSecurityRulesRoutes } from './security-rules-routes.js';

export interface HttpFrontEnd {
  server: Server;
  router: Router;
}

/** The HTTP/1.1 side of the emulator port. Sockets arrive through `server.emit('connection')`. */
export function createHttpFrontEnd(service: FirestoreService, logger: Logger): HttpFrontEnd {
  const router = new Router();
  addEmulatorRoutes(router, service);
  addSecurityRulesRoutes(router, service);
  const server = createServer((req, res) => {
    router.handle(req, res).catch((err: unknown) => {
      logger.error({ err }, 'http handler failed');
      res.destroy();
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return { server, router };
}
