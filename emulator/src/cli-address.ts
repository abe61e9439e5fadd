import { readFileSync } from 'node:fs';
import type { CliOptions } from './cli-args.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;

/** Where the CLI listens and why (for the log). */
export interface ListenAddress {
  host: string;
  port: number;
  /** `flags`, `defaults`, or the firebase.json that gave the host and/or port. */
  origin: string;
}

/** A firebase.json whose `emulators.firestore` section is not usable. */
export class FirebaseConfigError extends Error {
  override name = 'FirebaseConfigError';
}

/**
 * `emulators.firestore.host` and `.port` of a firebase.json (what `firebase emulators:start`
 * binds), each undefined when absent. Throws FirebaseConfigError when the file cannot be read
 * or the values are of the wrong type.
 */
export function firestoreEmulatorAddress(configPath: string): { host?: string; port?: number } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (err) {
    throw new FirebaseConfigError(`Cannot read ${configPath}: ${(err as Error).message}`, { cause: err });
  }
  const section = (json as { emulators?: { firestore?: { host?: unknown; port?: unknown } } } | null)?.emulators?.firestore;
  if (section === undefined || section === null) return {};
  const { host, port } = section;
  if (host !== undefined && (typeof host !== 'string' || host === '')) {
    throw new FirebaseConfigError(`${configPath}: "emulators.firestore.host" must be a host name or address.`);
  }
  const portNumber = typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : port;
  if (portNumber !== undefined && (typeof portNumber !== 'number' || !Number.isInteger(portNumber) || portNumber < 0 || portNumber > 65535)) {
    throw new FirebaseConfigError(`${configPath}: "emulators.firestore.port" must be a port number (0-65535).`);
  }
  return { host, port: portNumber };
}

/** Flags win; then the firebase.json's `emulators.firestore` (if any); then 127.0.0.1:8080. */
export function resolveListenAddress(options: Pick<CliOptions, 'host' | 'port'>, configPath: string | undefined): ListenAddress {
  if (options.host !== undefined && options.port !== undefined) return { host: options.host, port: options.port, origin: 'flags' };
  const fromConfig = configPath ? firestoreEmulatorAddress(configPath) : {};
  const host = options.host ?? fromConfig.host ?? DEFAULT_HOST;
  const port = options.port ?? fromConfig.port ?? DEFAULT_PORT;
  const usedConfig = (options.host === undefined && fromConfig.host !== undefined) || (options.port === undefined && fromConfig.port !== undefined);
  return { host, port, origin: usedConfig ? configPath! : options.host !== undefined || options.port !== undefined ? 'flags and defaults' : 'defaults' };
}
