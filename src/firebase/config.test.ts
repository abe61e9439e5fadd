import { describe, expect, it } from 'vitest';
import { appCheckMode } from './appCheck';
import { ConfigError, configFromEnv, loadRuntimeConfig, parseHostPort, resolveConfig } from './config';

const json = (body: unknown, status = 200, type = 'application/json') =>
  Promise.resolve(new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': type } }));

describe('firebase config', () => {
  it('defaults to the demo project with a placeholder key and no emulators', () => {
    expect(resolveConfig()).toEqual({
      projectId: 'demo-firequeue',
      apiKey: 'demo-api-key',
      authDomain: 'demo-firequeue.firebaseapp.com',
      appId: null,
      firestoreEmulatorHost: null,
      authEmulatorHost: null,
      collectionPrefix: '',
      forceLongPolling: false,
      appCheckSiteKey: null,
      appCheckDebugToken: null,
    });
  });

  it('configures App Check: a reCAPTCHA Enterprise site key in production, a debug token against the emulators', () => {
    const siteKey = '6LcAbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
    const prod = resolveConfig(configFromEnv({ VITE_FIREBASE_PROJECT_ID: 'my-project', VITE_FIREBASE_API_KEY: 'AIza-x', VITE_APPCHECK_SITE_KEY: siteKey }));
    expect(prod).toMatchObject({ appCheckSiteKey: siteKey, appCheckDebugToken: null });
    expect(appCheckMode(prod)).toBe('recaptcha-enterprise');
    const token = '123e4567-e89b-12d3-a456-426614174000';
    const dev = resolveConfig({ firestoreEmulatorHost: '127.0.0.1:8080' }, { appCheckDebugToken: token });
    expect(appCheckMode(dev)).toBe('debug');
    expect(appCheckMode(resolveConfig({ appCheckDebugToken: 'true' }))).toBe('debug');
    expect(appCheckMode(resolveConfig())).toBe('off');
    expect(() => resolveConfig({ appCheckSiteKey: 'not a key' })).toThrow(ConfigError);
    expect(() => resolveConfig({ appCheckDebugToken: 'guess' })).toThrow(/debug token/);
  });

  it('reads VITE_* env and lets runtime layers win', () => {
    const env = configFromEnv({
      VITE_FIREBASE_PROJECT_ID: 'demo-x',
      VITE_FIRESTORE_EMULATOR_HOST: '127.0.0.1:8080',
      VITE_AUTH_EMULATOR_HOST: 'localhost:9099',
      VITE_COLLECTION_PREFIX: 't1_',
      VITE_FIRESTORE_LONG_POLLING: 'true',
      UNRELATED: 'x',
    });
    const c = resolveConfig(env, { firestoreEmulatorHost: '127.0.0.1:41234' });
    expect(c).toMatchObject({
      projectId: 'demo-x',
      firestoreEmulatorHost: '127.0.0.1:41234',
      authEmulatorHost: 'localhost:9099',
      collectionPrefix: 't1_',
      forceLongPolling: true,
    });
  });

  it('names the field that is wrong', () => {
    expect(() => resolveConfig({ firestoreEmulatorHost: 'nope' })).toThrow(ConfigError);
    try {
      resolveConfig({ projectId: 'my-prod-project' });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).field).toBe('apiKey');
    }
    expect(() => resolveConfig({ collectionPrefix: 'a/b' })).toThrow(/collection prefix/);
    expect(() => resolveConfig({ projectId: 'Bad Id' })).toThrow(/project id/);
    expect(resolveConfig({ projectId: 'my-prod-project', apiKey: 'AIza-x' }).apiKey).toBe('AIza-x');
  });

  it('parses host:port including IPv6', () => {
    expect(parseHostPort('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseHostPort('[::1]:9099')).toEqual({ host: '::1', port: 9099 });
    expect(parseHostPort('host:99999')).toBeNull();
    expect(parseHostPort('host')).toBeNull();
  });

  it('loads /config.json and window.__FIREQUEUE_CONFIG__, ignoring the SPA fallback page', async () => {
    const win = { __FIREQUEUE_CONFIG__: { authEmulatorHost: '127.0.0.1:1' } };
    expect(await loadRuntimeConfig(() => json({ firestoreEmulatorHost: '127.0.0.1:2' }), win)).toEqual([
      { firestoreEmulatorHost: '127.0.0.1:2' },
      { authEmulatorHost: '127.0.0.1:1' },
    ]);
    expect(await loadRuntimeConfig(() => json('<!doctype html>', 200, 'text/html'), {})).toEqual([]);
    expect(await loadRuntimeConfig(() => json({}, 404), {})).toEqual([]);
    expect(await loadRuntimeConfig(() => Promise.reject(new TypeError('offline')), {})).toEqual([]);
    await expect(loadRuntimeConfig(() => json('{oops', 200), {})).rejects.toThrow(/not valid JSON/);
    await expect(loadRuntimeConfig(() => json([1]), {})).rejects.toThrow(/JSON object/);
  });
});
