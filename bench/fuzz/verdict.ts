/** One fuzz case's result; `violations` empty = the system behaved as promised. */
export interface Verdict {
  n: number;
  /** server API, web SDK, admin-written submissions, tenant/tier access, operator controls. */
  path: 'server' | 'web' | 'admin' | 'access' | 'control';
  categories: string[];
  notes: string[];
  /** accepted | typed | untyped (server); denied | refused-locally | rejected | failed | succeeded | undecided | undecodable (browser paths) */
  outcome: string;
  /** The typed error code, rejection code or error class. */
  code: string | null;
  violations: string[];
}

/** Object.prototype must come out of every case untouched. */
export function prototypeProblems(baseline: readonly string[]): string[] {
  const now = Object.getOwnPropertyNames(Object.prototype);
  const added = now.filter((k) => !baseline.includes(k));
  const problems = added.length ? [`Object.prototype gained ${added.join(', ')}`] : [];
  if (({} as Record<string, unknown>).polluted !== undefined) problems.push('({}).polluted is set');
  return problems;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.constructor.name}${'code' in error ? `(${String((error as { code: unknown }).code)})` : ''}: ${error.message.slice(0, 200)}`;
  return String(error);
}
