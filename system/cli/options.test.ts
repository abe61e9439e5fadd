import { describe, expect, it } from 'vitest';
import { firebaseJsonPorts, parseStartArgs, StartUsageError } from './options.js';

const FIREBASE_JSON = JSON.stringify({ emulators: { auth: { port: 9199 }, firestore: { port: 8181 } } });

function parse(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const result = parseStartArgs(argv, env, FIREBASE_JSON);
  if (result === 'help') throw new Error('unexpected help');
  return result;
}

describe('npm start flags', () => {
  it('defaults: 3 workers, 1 job/s with episodes, firebase.json ports then 5173, no control API', () => {
    const { system, json } = parse([]);
    expect(json).toBe(false);
    expect(system.workers).toBe(3);
    expect(system.traffic).toEqual({ ratePerSec: 1 });
    expect(system.ports).toEqual({ firestore: 8181, auth: 9199, dashboard: 5173, gemini: 0, control: 0 });
    expect(system.control).toBe(false);
    expect(system.strictPorts).toBe(false);
    expect(system.workerConfig?.circuitBreaker).toEqual({ windowMs: 10_000, recoveryTimeMs: 8_000 });
    expect(system).not.toHaveProperty('projectId');
    expect(system).not.toHaveProperty('admin');
  });

  it('flags and environment choose workers, traffic, project, prefix and the admin', () => {
    const { system } = parse(['--workers', '5', '--traffic', '2.5', '--project', 'demo-x', '--prefix', 'p1_', '--control-port', '0', '--json'], {
      FQ_ADMIN_EMAIL: 'ops@example.com',
      FQ_ADMIN_PASSWORD: 'secret-pw',
    });
    expect(system.workers).toBe(5);
    expect(system.traffic).toEqual({ ratePerSec: 2.5 });
    expect(system.projectId).toBe('demo-x');
    expect(system.prefix).toBe('p1_');
    expect(system.control).toBe(true);
    expect(system.admin).toEqual({ email: 'ops@example.com', password: 'secret-pw' });
    expect(parse([], { FQ_WORKERS: '1', FQ_TRAFFIC: '0' }).system).toMatchObject({ workers: 1, traffic: null });
  });

  it('turns traffic off by default with a real Gemini key, and episodes off on request', () => {
    expect(parse([], { GEMINI_API_KEY: 'k' }).system.traffic).toBeNull();
    expect(parse(['--traffic', '1'], { GEMINI_API_KEY: 'k' }).system.traffic).toEqual({ ratePerSec: 1 });
    expect(parse(['--no-episodes']).system.traffic?.episodes?.everyMs).toBe(0);
  });

  it('passes an external emulator through and merges --worker-config over the demo defaults', () => {
    const { system } = parse([
      '--firestore-emulator-host',
      '127.0.0.1:8085',
      '--worker-config',
      '{"maxAttempts":7,"circuitBreaker":{"failureThreshold":3}}',
    ]);
    expect(system.firestoreEmulatorHost).toBe('127.0.0.1:8085');
    expect(system.workerConfig).toMatchObject({ maxAttempts: 7, circuitBreaker: { windowMs: 10_000, recoveryTimeMs: 8_000, failureThreshold: 3 } });
  });

  it.each([
    [['--workers', 'many'], /--workers must be a whole number/],
    [['--workers', '100'], /--workers must be at most 64/],
    [['--traffic', 'fast'], /--traffic must be a number/],
    [['--dashboard-port', '70000'], /--dashboard-port must be at most 65535/],
    [['--concurrency', '0'], /--concurrency must be at least 1/],
    [['--firestore-emulator-host', 'localhost'], /host:port/],
    [['--admin-email', 'ops@example.com'], /go together/],
    [['--admin-email', 'nope', '--admin-password', 'secret-pw'], /--admin-email must be an email/],
    [['--worker-config', '{"maxAttempts":'], /not a JSON object/],
    [['--worker-config', '/no/such/file.json'], /cannot read/],
    [['--frobnicate'], /Unknown option/],
  ])('refuses %j with a clear message', (argv, message) => {
    expect(() => parseStartArgs(argv, {}, FIREBASE_JSON)).toThrow(StartUsageError);
    expect(() => parseStartArgs(argv, {}, FIREBASE_JSON)).toThrow(message);
  });

  it('answers help', () => {
    expect(parseStartArgs(['--help'], {}, null)).toBe('help');
  });
});

describe('firebaseJsonPorts', () => {
  it('reads the emulator ports and falls back to Firebase defaults', () => {
    expect(firebaseJsonPorts(FIREBASE_JSON)).toEqual({ firestore: 8181, auth: 9199 });
    expect(firebaseJsonPorts(null)).toEqual({ firestore: 8080, auth: 9099 });
    expect(firebaseJsonPorts('{not json')).toEqual({ firestore: 8080, auth: 9099 });
    expect(firebaseJsonPorts(JSON.stringify({ emulators: { auth: { port: 'x' } } }))).toEqual({ firestore: 8080, auth: 9099 });
  });
});
