/**
 * Firebase configuration for the browser, resolved from three layers (later wins):
 * build-time Vite env (`VITE_*`), then a runtime `/config.json`, then
 * `window.__FIREQUEUE_CONFIG__`. The runtime layers let e2e and `npm start` inject emulator
 * ports without rebuilding the bundle.
 *
 * Deliberately free of zod and of the Firebase SDK: this module is in the first-screen chunk.
 */
export interface FirequeueConfig {
  projectId: string;
  apiKey: string;
  authDomain: string;
  appId: string | null;
  /** `host:port` of the Firestore emulator, or null for the real service. */
  firestoreEmulatorHost: string | null;
  /** `host:port` of the Auth emulator, or null for the real service. */
  authEmulatorHost: string | null;
  /** Prefix of every collection name (tenants, test isolation). */
  collectionPrefix: string;
  /** Use long polling instead of WebChannel streaming (some proxies and emulators need it). */
  forceLongPolling: boolean;
  /**
   * App Check with reCAPTCHA Enterprise: the site key of the web app's reCAPTCHA Enterprise
   * key (production). Null: no App Check (see `appCheckDebugToken`).
   */
  appCheckSiteKey: string | null;
  /**
   * App Check debug token (development and the emulators, never a production build): the SDK
   * sends it instead of solving reCAPTCHA; register it in the Firebase console under App
   * Check > Apps > Manage debug tokens. "true" makes the SDK print a new one to the console.
   */
  appCheckDebugToken: string | null;
}

export type ConfigInput = Partial<{ [K in keyof FirequeueConfig]: FirequeueConfig[K] | string | boolean | null }>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly field: keyof FirequeueConfig | 'config.json',
    message: string,
  ) {
    super(message);
  }
}

export const DEFAULT_PROJECT_ID = 'demo-firequeue';

declare global {
  interface Window {
    __FIREQUEUE_CONFIG__?: ConfigInput;
  }
}

/** Maps `import.meta.env` keys to config fields. */
export function configFromEnv(env: Record<string, unknown>): ConfigInput {
  const pick = (k: string) => (typeof env[k] === 'string' && env[k] !== '' ? (env[k] as string) : undefined);
  const out: ConfigInput = {};
  const map: [keyof FirequeueConfig, string][] = [
    ['projectId', 'VITE_FIREBASE_PROJECT_ID'],
    ['apiKey', 'VITE_FIREBASE_API_KEY'],
    ['authDomain', 'VITE_FIREBASE_AUTH_DOMAIN'],
    ['appId', 'VITE_FIREBASE_APP_ID'],
    ['firestoreEmulatorHost', 'VITE_FIRESTORE_EMULATOR_HOST'],
    ['authEmulatorHost', 'VITE_AUTH_EMULATOR_HOST'],
    ['collectionPrefix', 'VITE_COLLECTION_PREFIX'],
    ['forceLongPolling', 'VITE_FIRESTORE_LONG_POLLING'],
    ['appCheckSiteKey', 'VITE_APPCHECK_SITE_KEY'],
    ['appCheckDebugToken', 'VITE_APPCHECK_DEBUG_TOKEN'],
  ];
  for (const [field, key] of map) {
    const v = pick(key);
    if (v !== undefined) out[field] = v;
  }
  return out;
}

const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

export function parseHostPort(value: string): { host: string; port: number } | null {
  const m = HOST_PORT.exec(value.trim());
  if (!m?.[1] || !m[2]) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

function asBool(v: unknown): boolean {
  return v === true || v === 'true' || v === '1';
}

function asText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = String(v).trim();
  return s === '' ? null : s;
}

/** Merges layers (later wins) and validates; throws ConfigError with the offending field. */
export function resolveConfig(...layers: ConfigInput[]): FirequeueConfig {
  const merged: ConfigInput = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
    }
  }
  const projectId = asText(merged.projectId) ?? DEFAULT_PROJECT_ID;
  if (!/^[a-z0-9-]{4,40}$/.test(projectId)) {
    throw new ConfigError('projectId', `invalid Firebase project id "${projectId}"`);
  }
  const isDemo = projectId.startsWith('demo-');
  const firestoreEmulatorHost = asText(merged.firestoreEmulatorHost);
  const authEmulatorHost = asText(merged.authEmulatorHost);
  for (const [field, host] of [
    ['firestoreEmulatorHost', firestoreEmulatorHost],
    ['authEmulatorHost', authEmulatorHost],
  ] as const) {
    if (host !== null && !parseHostPort(host)) {
      throw new ConfigError(field, `${field} must look like "127.0.0.1:8080", got "${host}"`);
    }
  }
  const apiKey = asText(merged.apiKey);
  if (!apiKey && !isDemo) {
    throw new ConfigError('apiKey', `project "${projectId}" needs an API key (VITE_FIREBASE_API_KEY)`);
  }
  const collectionPrefix = asText(merged.collectionPrefix) ?? '';
  if (!/^[A-Za-z0-9_-]{0,64}$/.test(collectionPrefix)) {
    throw new ConfigError('collectionPrefix', 'collection prefix may only contain letters, digits, "_" and "-"');
  }
  return {
    projectId,
    // A demo project talks only to emulators, which accept any key.
    apiKey: apiKey ?? 'demo-api-key',
    authDomain: asText(merged.authDomain) ?? `${projectId}.firebaseapp.com`,
    appId: asText(merged.appId),
    firestoreEmulatorHost,
    authEmulatorHost,
    collectionPrefix,
    forceLongPolling: asBool(merged.forceLongPolling),
    ...appCheckOf(merged),
  };
}

function appCheckOf(merged: ConfigInput): Pick<FirequeueConfig, 'appCheckSiteKey' | 'appCheckDebugToken'> {
  const appCheckSiteKey = asText(merged.appCheckSiteKey);
  const appCheckDebugToken = asText(merged.appCheckDebugToken);
  if (appCheckSiteKey !== null && !/^[A-Za-z0-9_-]{20,100}$/.test(appCheckSiteKey)) {
    throw new ConfigError('appCheckSiteKey', `appCheckSiteKey must be a reCAPTCHA Enterprise site key (letters, digits, "_", "-"), got "${appCheckSiteKey}"`);
  }
  if (appCheckDebugToken !== null && appCheckDebugToken !== 'true' && !/^[0-9a-fA-F-]{36}$/.test(appCheckDebugToken)) {
    throw new ConfigError('appCheckDebugToken', 'appCheckDebugToken must be a debug token (a UUID from the Firebase console) or "true"');
  }
  return { appCheckSiteKey, appCheckDebugToken };
}

/**
 * Reads the runtime layers. A missing `/config.json` (404) is normal; a malformed one is an
 * error, because silently ignoring it would point the console at the wrong backend.
 */
export async function loadRuntimeConfig(
  fetchFn: typeof fetch = fetch,
  win: { __FIREQUEUE_CONFIG__?: ConfigInput } = window,
): Promise<ConfigInput[]> {
  const layers: ConfigInput[] = [];
  let response: Response | null = null;
  try {
    response = await fetchFn('/config.json', { cache: 'no-store', headers: { accept: 'application/json' } });
  } catch {
    // offline or no server: build-time config still applies
  }
  if (response?.ok && (response.headers.get('content-type') ?? '').includes('json')) {
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new ConfigError('config.json', '/config.json is not valid JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ConfigError('config.json', '/config.json must be a JSON object');
    }
    layers.push(body as ConfigInput);
  }
  if (win.__FIREQUEUE_CONFIG__) layers.push(win.__FIREQUEUE_CONFIG__);
  return layers;
}
