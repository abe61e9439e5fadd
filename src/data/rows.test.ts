import { describe, expect, it } from 'vitest';
import { T0, job } from '../test/factories';
import { decodeRow, decodeViewRow, errorRows, okRows, viewRow } from './rows';

const ts = (ms: number) => ({ toMillis: () => ms, seconds: Math.floor(ms / 1000), nanoseconds: 0 });

describe('decodeRow (converter decode)', () => {
  it('decodes SDK Timestamps to epoch ms through the schema codecs', () => {
    const row = decodeRow('leader', 'current', { holder: 'a', term: 2, acquiredAt: ts(T0), renewedAt: ts(T0 + 1), expiresAt: ts(T0 + 2) });
    expect(row).toEqual({ id: 'current', ok: true, data: { holder: 'a', term: 2, acquiredAt: T0, renewedAt: T0 + 1, expiresAt: T0 + 2, idle: false } });
  });

  it('reads a client-written submitted job (no updatedAt/maxAttempts yet)', () => {
    const row = decodeRow('jobs', 'j', {
      status: 'submitted',
      priority: 'normal',
      userId: 'u',
      sessionId: null,
      idempotencyKey: null,
      metadata: {},
      audio: { mimeType: 'audio/wav', bytes: 10, chunkCount: 1, durationSec: null, sha256: null },
      source: 'client',
      createdAt: ts(T0),
    });
    expect(row.ok).toBe(true);
  });

  it('turns a malformed document into an error row with the failing paths', () => {
    const row = decodeRow('servers', 's1', { serverId: 's1', state: 'exploded' });
    expect(row.ok).toBe(false);
    if (row.ok) return;
    expect(row.error).toMatch(/^invalid document: /);
    expect(row.error).toMatch(/\(\+\d+ more\)$/);
    expect(row.raw).toEqual({ serverId: 's1', state: 'exploded' });
    const rows = [row, { id: 'ok', ok: true as const, data: job() }];
    expect(okRows(rows).map((r) => r.id)).toEqual(['ok']);
    expect(errorRows(rows).map((r) => r.id)).toEqual(['s1']);
  });
});

describe('viewRow (what listeners and reads hand to views)', () => {
  it("drops a job's inline audio after decoding and leaves everything else as decoded", () => {
    const inline = job({ audio: { mimeType: 'audio/wav', bytes: 3, chunkCount: 0 }, inlineAudio: new Uint8Array([1, 2, 3]) });
    const whole = { id: 'j', ok: true as const, data: inline };
    const shown = viewRow('jobs', whole);
    expect(shown).toEqual({ ...whole, data: { ...inline, inlineAudio: null } });
    // The decoded document itself is not changed (a transaction may still write it back).
    expect(inline.inlineAudio).toEqual(new Uint8Array([1, 2, 3]));
    const chunked = { id: 'c', ok: true as const, data: job() };
    expect(viewRow('jobs', chunked)).toBe(chunked);
  });

  it('decodes SDK bytes (toUint8Array) and drops them in one step', () => {
    const raw = { ...job(), createdAt: ts(T0), updatedAt: ts(T0), audio: { mimeType: 'audio/wav', bytes: 3, chunkCount: 0 }, inlineAudio: { toUint8Array: () => new Uint8Array([1, 2, 3]) } };
    expect(decodeRow('jobs', 'j', raw)).toMatchObject({ ok: true, data: { inlineAudio: new Uint8Array([1, 2, 3]) } });
    expect(decodeViewRow('jobs', 'j', raw)).toMatchObject({ ok: true, data: { inlineAudio: null } });
  });
});
