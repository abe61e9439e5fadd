import type * as grpc from '@grpc/grpc-js';
import type { CallContext } from '../../service/index.js';
import { parseAuthorization } from '../../service/index.js';

function header(metadata: grpc.Metadata, name: string): string | undefined {
  const v = metadata.get(name)[0];
  return v === undefined ? undefined : String(v);
}

/**
 * The transport-neutral call context of a gRPC call. The meter's "client connection" is
 * the TCP connection (its peer address is stable for the connection's lifetime).
 */
export function grpcContext(call: { metadata: grpc.Metadata; getPeer(): string }): CallContext {
  const peer = call.getPeer();
  return {
    auth: parseAuthorization(header(call.metadata, 'authorization')),
    connection: { id: `grpc:${peer}`, peer, client: header(call.metadata, 'x-goog-api-client') },
    resourcePrefix: header(call.metadata, 'google-cloud-resource-prefix'),
  };
}
