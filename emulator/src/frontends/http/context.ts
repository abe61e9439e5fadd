import type { IncomingMessage } from 'node:http';
import type { CallContext } from '../../service/index.js';
import { parseAuthorization } from '../../service/index.js';

/**
 * The call context of an HTTP request (REST/WebChannel front ends). The meter's client
 * connection is the TCP connection, like for gRPC.
 */
export function httpContext(req: IncomingMessage, authorization = req.headers.authorization): CallContext {
  const peer = `${req.socket.remoteAddress ?? 'unknown'}:${req.socket.remotePort ?? 0}`;
  const client = req.headers['x-goog-api-client'];
  const prefix = req.headers['google-cloud-resource-prefix'];
  return {
    auth: parseAuthorization(authorization),
    connection: { id: `http:${peer}`, peer, client: Array.isArray(client) ? client[0] : client },
    resourcePrefix: Array.isArray(prefix) ? prefix[0] : prefix,
  };
}
