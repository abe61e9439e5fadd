import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

/**
 * What the machine was doing when figures were taken: these runs share 2 cores with other
 * work, so every result file carries the load next to the numbers it qualifies.
 */
export interface MachineSnapshot {
  at: string;
  /** `uptime` output (load averages over 1, 5 and 15 minutes). */
  uptime: string;
  loadavg: [number, number, number];
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  commit: string | null;
}

function run(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function machineSnapshot(): MachineSnapshot {
  const [a, b, c] = loadavg();
  return {
    at: new Date().toISOString(),
    uptime: run('uptime', []) ?? `load average: ${[a, b, c].map((x) => x!.toFixed(2)).join(', ')}`,
    loadavg: [a!, b!, c!].map((x) => Math.round(x * 100) / 100) as [number, number, number],
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    commit: run('git', ['rev-parse', '--short', 'HEAD']),
  };
}
