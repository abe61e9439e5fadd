import type { DurationCheck } from '@fq/worker/schema';

const sec = (s: number) => `${Number(s.toFixed(1))} s`;

/**
 * One line for the job page: what the submitter declared against what admission measured
 * from the bytes (or estimated from their size), and whether the queue corrected it.
 */
export function describeDurationCheck(check: DurationCheck | null): string {
  if (!check) return 'not measured (admitted before duration checks)';
  const how = check.method === 'parsed' ? 'measured' : 'estimated from size';
  const declared = check.declaredSec === null ? 'none declared' : `declared ${sec(check.declaredSec)}`;
  const verdict = check.corrected ? 'corrected' : check.declaredSec === null ? 'used' : 'agrees';
  return `${declared}, ${how} ${sec(check.measuredSec)}: ${verdict}`;
}
