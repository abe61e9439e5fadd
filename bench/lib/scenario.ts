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
}

export type Scenario<R = unknown> = (ctx: ScenarioContext) => Promise<ScenarioOutcome<R>>;

/** A unique collection prefix per run: several runs can share one emulator or project. */
export function runPrefix(tag: string): string {
  return `b${Date.now().toString(36)}${process.pid.toString(36)}_${tag}_`;
}
