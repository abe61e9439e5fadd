import type { IncomingMessage, ServerResponse } from 'node:http';

/** Headers the browser SDKs send that the browser must be allowed to send cross-origin. */
const DEFAULT_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'X-Goog-Api-Client',
  'X-Goog-Api-Key',
  'X-Goog-Request-Params',
  'Google-Cloud-Resource-Prefix',
  'X-Firebase-GMPID',
  'X-Firebase-AppCheck',
  'X-Firebase-Client',
  'X-Client-Protocol',
  'X-WebChannel-Content-Type',
].join(', ');

const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';

/**
 * CORS for the browser SDKs, which send XHRs with `withCredentials = true`: the request's
 * Origin is echoed (a `*` origin is refused with credentials), credentials are allowed and
 * `X-HTTP-Session-Id` (the WebChannel session header) is readable by scripts. Preflights
 * (OPTIONS with Access-Control-Request-Method) are answered here with 204 and every
 * requested header allowed. Returns true when the request was fully answered.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  if (origin) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Expose-Headers', 'X-HTTP-Session-Id, Content-Type, Content-Length, Date');
    res.setHeader('Vary', 'Origin');
  }
  if (req.method !== 'OPTIONS') return false;
  const requestedHeaders = req.headers['access-control-request-headers'];
  res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
  res.setHeader('Access-Control-Allow-Headers', requestedHeaders && requestedHeaders.trim() !== '' ? requestedHeaders : DEFAULT_ALLOWED_HEADERS);
  res.setHeader('Access-Control-Max-Age', '3600');
  if (req.headers['access-control-request-private-network'] === 'true') res.setHeader('Access-Control-Allow-Private-Network', 'true');
  res.setHeader('Allow', ALLOWED_METHODS);
  res.writeHead(204, { 'content-length': 0 });
  res.end();
  return true;
}
