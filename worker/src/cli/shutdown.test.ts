import { describe, expect, it } from 'vitest';
import { createShutdown, type ShutdownStep } from './shutdown.js';

function harness(steps: ShutdownStep[]) {
  const exits: number[] = [];
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  let fire: (() => void) | null = null;
  let timerMs = -1;
  let cancelled = false;
  const shutdown = createShutdown({
    graceMs: 1_000,
    finalWritesMs: 500,
    steps,
    log: {
      info: (fields, message) => lines.push({ level: 'info', fields: fields as Record<string, unknown>, message }),
      error: (fields, message) => lines.push({ level: 'error', fields: fields as Record<string, unknown>, message }),
    },
    describe: () => ({ inFlight: 2 }),
    exit: (code) => exits.push(code),
    setTimer: (fn, ms) => {
      fire = fn;
      timerMs = ms;
      return { cancel: () => void (cancelled = true) };
    },
  });
  return { shutdown, exits, lines, fire: () => fire?.(), timerMs: () => timerMs, cancelled: () => cancelled };
}

const never = () => new Promise<void>(() => undefined);

describe('createShutdown', () => {
  it('runs the steps in order and cancels the deadline when they finish', async () => {
    const order: string[] = [];
    const h = harness([
      { name: 'a', run: async () => void order.push('a') },
      { name: 'b', run: async () => void order.push('b') },
    ]);
    h.shutdown.onSignal('SIGTERM');
    await h.shutdown.done;
    expect(order).toEqual(['a', 'b']);
    expect(h.timerMs()).toBe(1_500);
    expect(h.cancelled()).toBe(true);
    expect(h.exits).toEqual([]);
  });

  it('at the deadline, logs the step it abandoned and the ones not started, and exits 1', async () => {
    const h = harness([
      { name: 'done first', run: async () => undefined },
      { name: 'hangs', run: never },
      { name: 'never reached', run: async () => undefined },
    ]);
    h.shutdown.onSignal('SIGTERM');
    await Promise.resolve();
    await Promise.resolve();
    h.fire();
    expect(h.exits).toEqual([1]);
    const line = h.lines.find((l) => l.level === 'error')!;
    expect(line.fields).toMatchObject({ abandoned: 'hangs', notStarted: ['never reached'], completed: ['done first'], inFlight: 2 });
    expect(line.message).toMatch(/deadline of 1500 ms after SIGTERM/);
  });

  it('a second signal exits at once', () => {
    const h = harness([{ name: 'hangs', run: never }]);
    h.shutdown.onSignal('SIGTERM');
    h.shutdown.onSignal('SIGINT');
    expect(h.exits).toEqual([1]);
    expect(h.lines.at(-1)!.message).toMatch(/second signal SIGINT/);
  });
});
