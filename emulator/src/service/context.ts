import { FirestoreError } from '../model/index.js';

/** Who is calling: the privileged owner (admin SDKs, `Bearer owner`), a user, or nobody. */
export type AuthContext =
  | { kind: 'owner' }
  | { kind: 'user'; uid: string; token: Record<string, unknown> }
  | { kind: 'unauthenticated' };

/** Identifies a client connection for the operations meter. */
export interface ConnectionInfo {
  /** Stable for the lifetime of one TCP connection (gRPC or HTTP). */
  id: string;
  /** Remote address, e.g. `127.0.0.1:54321`. */
  peer?: string;
  /** The SDK's `x-goog-api-client` header, when sent. */
  client?: string;
}

/** Everything a front end knows about a call, independent of the transport. */
export interface CallContext {
  auth: AuthContext;
  connection: ConnectionInfo;
  /** From `google-cloud-resource-prefix` / `x-goog-request-params`, if present. */
  resourcePrefix?: string;
}

export const OWNER: AuthContext = { kind: 'owner' };
export const UNAUTHENTICATED: AuthContext = { kind: 'unauthenticated' };

/**
 * Parses an `authorization` header value. `Bearer owner` is the privileged identity the
 * admin SDKs and `@firebase/rules-unit-testing` use; any other bearer token must be a JWT
 * (the emulators accept unsigned `alg: none` tokens) whose payload names the user.
 */
export function parseAuthorization(header: string | undefined): AuthContext {
  if (!header) return UNAUTHENTICATED;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!m) throw new FirestoreError('UNAUTHENTICATED', 'The authorization header must be "Bearer <token>".');
  const token = m[1]!.trim();
  if (token === 'owner') return OWNER;
  const parts = token.split('.');
  if (parts.length < 2) throw new FirestoreError('UNAUTHENTICATED', 'Invalid authentication token: not a JWT.');
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    throw new FirestoreError('UNAUTHENTICATED', 'Invalid authentication token: the payload is not JSON.');
  }
  if (!payload || typeof payload !== 'object') throw new FirestoreError('UNAUTHENTICATED', 'Invalid authentication token payload.');
  const claims = payload as Record<string, unknown>;
  const uid = claims.sub ?? claims.user_id ?? claims.uid;
  if (typeof uid !== 'string' || uid === '') {
    throw new FirestoreError('UNAUTHENTICATED', 'Invalid authentication token: it names no user (sub/user_id).');
  }
  return { kind: 'user', uid, token: claims };
}
