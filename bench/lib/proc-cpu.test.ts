import { describe, expect, it } from 'vitest';
import { cpuMs, parseStat } from './proc-cpu.js';

describe('proc-cpu', () => {
  it('parses /proc/<pid>/stat even when the command name holds spaces and parentheses', () => {
    const line = '4242 (node (tsx) w) S 17 4242 17 0 -1 4194560 100 0 0 0 250 40 0 0 20 0 11 0 999 0 0';
    expect(parseStat(line)).toEqual({ ppid: 17, utime: 250, stime: 40 });
  });

  it.runIf(process.platform === 'linux')('reads this process\'s CPU time, which only grows', () => {
    const a = cpuMs(process.pid)!;
    let x = 0;
    for (let i = 0; i < 2e6; i++) x += Math.sqrt(i);
    expect(x).toBeGreaterThan(0);
    expect(cpuMs(process.pid)!).toBeGreaterThanOrEqual(a);
    expect(cpuMs(2 ** 30)).toBeNull();
  });
});
