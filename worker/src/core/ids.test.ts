import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { opaqueServerId, seededRandom } from './ids.js';

describe('opaqueServerId', () => {
  it('says nothing about the host or the process (end users see server ids in their jobs)', () => {
    const id = opaqueServerId();
    expect(id).toMatch(/^srv-[A-Za-z0-9]{12}$/);
    expect(id).not.toContain(hostname());
    expect(id).not.toContain(String(process.pid));
    expect(opaqueServerId(seededRandom(1))).toBe(opaqueServerId(seededRandom(1)));
    expect(opaqueServerId()).not.toBe(id);
  });
});
