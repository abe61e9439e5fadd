import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of other processes from Linux's /proc: `utime + stime` of /proc/<pid>/stat
 * (clock ticks). The bench samples the worker and emulator processes before and after a
 * window and divides by the jobs finished in it. Null where /proc is missing (not Linux) or
 * the process is gone.
 */
let ticksPerSecond: number | null = null;
function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces and parentheses). */
export function parseStat(text: string): { ppid: number; utime: number; stime: number } {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  return { ppid: Number(rest[1]), utime: Number(rest[11]), stime: Number(rest[12]) };
}

/** CPU milliseconds (user + system) a process has used so far, or null. */
export function cpuMs(pid: number): number | null {
  try {
    const { utime, stime } = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return ((utime + stime) * 1000) / clockTicks();
  } catch {
    return null;
  }
}

/** This process's direct children whose command line contains `needle`. */
export function childPids(needle: string, parent = process.pid): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8')).ppid !== parent) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').includes(needle)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** CPU of a set of processes over a window: call `start()`, then `stop()`. */
export function cpuWindow(pids: readonly number[]): { stop(): { cpuMs: number | null; processes: number } } {
  const before = new Map(pids.map((pid) => [pid, cpuMs(pid)]));
  return {
    stop() {
      let sum = 0;
      let counted = 0;
      for (const [pid, b] of before) {
        const a = cpuMs(pid);
        if (a === null || b === null) continue;
        sum += a - b;
        counted++;
      }
      return { cpuMs: counted ? sum : null, processes: counted };
    },
  };
}
