import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { firestoreEmulatorAddress, resolveListenAddress } from './cli-address.js';

const dir = mkdtempSync(join(tmpdir(), 'fq-cli-address-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function firebaseJson(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('listen address', () => {
  const config = firebaseJson('firebase.json', { emulators: { firestore: { host: '0.0.0.0', port: 9180 } } });

  it("takes firebase.json's emulators.firestore host and port when no flag names them", () => {
    expect(resolveListenAddress({}, config)).toEqual({ host: '0.0.0.0', port: 9180, origin: config });
  });

  it('lets each flag win over firebase.json', () => {
    expect(resolveListenAddress({ port: 0 }, config)).toEqual({ host: '0.0.0.0', port: 0, origin: config });
    expect(resolveListenAddress({ host: '127.0.0.1' }, config)).toEqual({ host: '127.0.0.1', port: 9180, origin: config });
    expect(resolveListenAddress({ host: '::1', port: 1 }, config)).toEqual({ host: '::1', port: 1, origin: 'flags' });
  });

  it('falls back to 127.0.0.1:8080 without firebase.json or without its firestore section', () => {
    expect(resolveListenAddress({}, undefined)).toEqual({ host: '127.0.0.1', port: 8080, origin: 'defaults' });
    const bare = firebaseJson('bare.json', { firestore: { rules: 'x.rules' } });
    expect(resolveListenAddress({ port: 5 }, bare)).toEqual({ host: '127.0.0.1', port: 5, origin: 'flags and defaults' });
  });

  it('refuses a malformed section by name', () => {
    expect(() => firestoreEmulatorAddress(firebaseJson('bad-port.json', { emulators: { firestore: { port: 'x' } } }))).toThrow(/"emulators.firestore.port" must be a port number/);
    expect(() => firestoreEmulatorAddress(firebaseJson('bad-host.json', { emulators: { firestore: { host: 7 } } }))).toThrow(/"emulators.firestore.host"/);
    expect(() => firestoreEmulatorAddress(firebaseJson('broken.json', '{'))).toThrow(/Cannot read/);
    expect(firestoreEmulatorAddress(firebaseJson('string-port.json', { emulators: { firestore: { port: '8181' } } }))).toEqual({ host: undefined, port: 8181 });
  });
});
