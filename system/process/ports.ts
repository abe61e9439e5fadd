import { createServer } from 'node:net';

/** Binds `port` on `host` for a moment: true when nobody else is listening there. */
export function isPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the OS considers free right now (it may be taken again before it is used). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not read the bound port'))));
    });
  });
}

/**
 * `preferred` when it is free (the well-known ports `npm start` prints), else any free port.
 * 0 or undefined means "any free port".
 */
export async function pickPort(preferred: number | undefined, host: string): Promise<number> {
  if (preferred && (await isPortFree(preferred, host))) return preferred;
  return freePort(host);
}

/** `host:port`, with IPv6 hosts in brackets. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Splits `host:port` (IPv6 in brackets allowed); throws on anything else. */
export function parseHostPort(value: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value.trim());
  const port = Number(m?.[2]);
  if (!m?.[1] || !(port >= 1 && port <= 65_535)) throw new Error(`expected host:port, got "${value}"`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}
