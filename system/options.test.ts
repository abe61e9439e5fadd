import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ADMIN, DEFAULT_USER, resolveSystemOptions, SystemOptionsError } from './options.js';

function resolve(options: Parameters<typeof resolveSystemOptions>[0]) {
  const o = resolveSystemOptions({ logDir: '/tmp/fq-options-test', ...options });
  rmSync('/tmp/fq-options-test', { recursive: true, force: true });
  return o;
}

describe('resolveSystemOptions', () => {
  it('defaults to the demo project, our emulators, the fake Gemini and the demo accounts', () => {
    const o = resolve({ env: {} });
    expect(o).toMatchObject({
      projectId: 'demo-firequeue',
      prefix: '',
      firestoreEmulatorHost: null,
      authEmulatorHost: null,
      geminiApiKey: null,
      workers: 3,
      traffic: null,
      control: false,
      dashboard: true,
      admin: DEFAULT_ADMIN,
      users: [DEFAULT_USER],
      model: 'gemini-2.5-flash',
    });
    expect(o.ports).toEqual({ firestore: 0, auth: 0, dashboard: 0, gemini: 0, control: 0 });
  });

  it('honours the standard Firebase variables, and explicit options over them', () => {
    const env = { GCLOUD_PROJECT: 'demo-qa', FIRESTORE_EMULATOR_HOST: '127.0.0.1:8080', FIREBASE_AUTH_EMULATOR_HOST: '127.0.0.1:9099', GEMINI_API_KEY: 'k' };
    expect(resolve({ env })).toMatchObject({ projectId: 'demo-qa', firestoreEmulatorHost: '127.0.0.1:8080', authEmulatorHost: '127.0.0.1:9099', geminiApiKey: 'k' });
    expect(resolve({ env, projectId: 'demo-own', firestoreEmulatorHost: null, authEmulatorHost: null, geminiApiKey: null })).toMatchObject({
      projectId: 'demo-own',
      firestoreEmulatorHost: null,
      authEmulatorHost: null,
      geminiApiKey: null,
    });
  });

  it('puts the prefix into the worker configuration and reads the model from it', () => {
    const o = resolve({ env: {}, prefix: 'e2e_', workerConfig: { maxAttempts: 2, upstream: { model: 'gemini-x' } } });
    expect(o.workerConfig).toMatchObject({ maxAttempts: 2, collectionPrefix: 'e2e_' });
    expect(o.model).toBe('gemini-x');
  });

  it('keeps traffic only when it has a rate', () => {
    expect(resolve({ env: {}, traffic: { ratePerSec: 0 } }).traffic).toBeNull();
    expect(resolve({ env: {}, traffic: { ratePerSec: 2 } }).traffic).toEqual({ ratePerSec: 2 });
  });

  it.each([
    [{ projectId: 'Bad_Project' }, /projectId: project id/],
    [{ prefix: 'a/b' }, /prefix: collection prefix/],
    [{ workers: -1 }, /workers/],
    [{ firestoreEmulatorHost: 'localhost' }, /firestoreEmulatorHost: must look like host:port/],
    [{ admin: { email: 'x', password: 'longenough' } }, /admin.email/],
    [{ users: [DEFAULT_ADMIN] }, /every account needs its own email/],
    [{ workerConfig: { maxAttempts: 0 } }, /workerConfig/],
    [{ traffic: { ratePerSec: 1, audioSeconds: { min: 3, max: 1 } } }, /traffic: audioSeconds/],
  ])('refuses %j', (options, message) => {
    expect(() => resolve({ env: {}, ...options })).toThrow(SystemOptionsError);
    expect(() => resolve({ env: {}, ...options })).toThrow(message);
  });
});
