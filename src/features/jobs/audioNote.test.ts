import { describe, expect, it } from 'vitest';
import { T0 } from '../../test/factories';
import { audioGoneNote } from './audioNote';

describe('audioGoneNote', () => {
  it('says "cannot run again" only where a retry or redrive would otherwise be offered', () => {
    for (const status of ['failed', 'dead_lettered', 'waiting'] as const) {
      expect(audioGoneNote({ status, payloadDeletedAt: T0 })).toMatch(/cannot run again/);
    }
    for (const status of ['succeeded', 'cancelled'] as const) {
      const note = audioGoneNote({ status, payloadDeletedAt: T0 });
      expect(note).toBe('Its audio was deleted once the job ended.');
    }
  });

  it('says nothing while the audio is kept', () => {
    expect(audioGoneNote({ status: 'failed', payloadDeletedAt: null })).toBeNull();
    expect(audioGoneNote({ status: 'succeeded', payloadDeletedAt: null })).toBeNull();
  });
});
