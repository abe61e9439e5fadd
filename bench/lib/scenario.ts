import type { Table } from './table.js';

/** What every scenario receives: run size, seed, a progress logger (stderr) and flags. */
export interface ScenarioContext {
  quick: boolean;
  seed: number;
  log(message: string): void;
}

export interface ScenarioOutcome<R = unknown> {
  result: R;
  tables: Table[];
  /**
   * Goals this scenario enforces that were missed, in words: the run keeps the result and
   * records these as the scenario's error, so `npm run bench` exits 1 (most goals are only
   * reported; the dashboard's read cost is enforced).
   */
  failures?: string[];
}

export type Scenario<R = unknown> = (ctx: ScenarioContext) => Promise<ScenarioOutcome<R>>;

/** A unique collection prefix per run: several runs can share one emulator or project. */
export function runPrefix(tag: string): string {
  return `b${Date.now().toString(36)}${process.pid.toString(36)}_${tag}_`;
}
