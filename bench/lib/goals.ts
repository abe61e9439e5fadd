/**
 * A figure next to the goal the issue sets for it. Goals are reported (`met`), never
 * asserted: this machine is shared and noisy, and a smoke test must not fail on a slow run.
 */
export interface Figure {
  value: number | null;
  /** e.g. '<= 8' */
  goal: string;
  /** null when the value could not be measured. */
  met: boolean | null;
  unit?: string;
}

export function atMost(value: number | null, limit: number, unit?: string): Figure {
  return { value, goal: `<= ${limit}`, met: value === null || !Number.isFinite(value) ? null : value <= limit, ...(unit ? { unit } : {}) };
}

export function atLeast(value: number | null, limit: number, unit?: string): Figure {
  return { value, goal: `>= ${limit}`, met: value === null || !Number.isFinite(value) ? null : value >= limit, ...(unit ? { unit } : {}) };
}

/** The event a goal times never happened (a breaker that never opened): missed, not unmeasured. */
export function never(goal: string, unit?: string): Figure {
  return { value: null, goal, met: false, ...(unit ? { unit } : {}) };
}

/** No goal: reported for the record. */
export function reported(value: number | null, unit?: string): Figure {
  return { value, goal: 'none (reported)', met: null, ...(unit ? { unit } : {}) };
}

/** `a / b` rounded, null when b is 0 or either is missing. */
export function ratio(a: number | null, b: number | null, digits = 3): number | null {
  if (a === null || b === null || b === 0) return null;
  const f = 10 ** digits;
  return Math.round((a / b) * f) / f;
}

/** For tables: `7.2 (goal <= 8: met)`. */
export function describeFigure(f: Figure): string {
  const verdict = f.met === null ? (f.goal.startsWith('none') ? '' : ': not measured') : f.met ? ': met' : ': NOT met';
  return `${f.value ?? 'n/a'}${f.unit ? ` ${f.unit}` : ''}${f.goal.startsWith('none') ? '' : ` (goal ${f.goal}${verdict})`}`;
}
