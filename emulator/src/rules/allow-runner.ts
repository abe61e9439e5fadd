/** Evaluates the allow statements of the matched blocks for one request method. */
import type { AllowMethod, AllowStmt, RequestMethod } from './ast.js';
import type { BuiltinContext } from './builtins/index.js';
import { RulesEvaluationError } from './errors.js';
import { Env, evaluate, MAX_EXPRESSIONS, type EvalState } from './evaluator.js';
import type { MatchHit } from './matcher.js';
import type { Value } from './values.js';

export interface StatementOutcome {
  readonly line: number;
  readonly column: number;
  readonly methods: readonly AllowMethod[];
  /** 'unknown': holds for some but not provably all documents a list query can return. */
  readonly result: 'true' | 'false' | 'unknown' | 'error';
  readonly error?: { readonly message: string; readonly line: number; readonly column: number };
}

export function covers(allow: AllowStmt, method: RequestMethod): boolean {
  return allow.methods.some(
    (m) => m === method || (m === 'read' && (method === 'get' || method === 'list')) ||
      (m === 'write' && (method === 'create' || method === 'update' || method === 'delete')),
  );
}

export interface RunInput {
  readonly hits: readonly MatchHit[];
  readonly method: RequestMethod;
  readonly request: Value;
  readonly resource: Value;
  readonly ctx: BuiltinContext;
}

/** Runs allow statements until one grants; records every outcome. Returns the granting one. */
export function runAllows(input: RunInput, outcomes: StatementOutcome[]): StatementOutcome | undefined {
  const globals = new Env(new Map<string, Value>([['request', input.request], ['resource', input.resource]]));
  const st: EvalState = { levels: [globals], ctx: input.ctx, callStack: [], budget: MAX_EXPRESSIONS };
  for (const hit of input.hits) {
    const levels: Env[] = [globals];
    for (const vars of hit.bindings) levels.push(new Env(new Map(vars), levels[levels.length - 1]));
    const env = levels[levels.length - 1] as Env;
    const state: EvalState = { ...st, levels };
    for (const allow of hit.block.allows) {
      if (!covers(allow, input.method)) continue;
      const base = { line: allow.pos.line, column: allow.pos.column, methods: allow.methods };
      let outcome: StatementOutcome;
      if (!allow.condition) {
        outcome = { ...base, result: 'true' };
      } else {
        try {
          const v = evaluate(allow.condition, env, state);
          outcome = {
            ...base,
            result: v.t === 'bool' ? (v.v ? 'true' : 'false') : v.t === 'unknown' ? 'unknown' : 'error',
            ...(v.t !== 'bool' && v.t !== 'unknown'
              ? { error: { message: `Condition must be a bool, got ${v.t}`, line: allow.condition.pos.line, column: allow.condition.pos.column } }
              : {}),
          };
        } catch (err) {
          if (!(err instanceof RulesEvaluationError)) throw err;
          const pos = err.pos ?? allow.condition.pos;
          outcome = { ...base, result: 'error', error: { message: err.message, line: pos.line, column: pos.column } };
        }
        st.budget = state.budget;
      }
      outcomes.push(outcome);
      if (outcome.result === 'true') return outcome;
    }
  }
  return undefined;
}

/** Google-emulator-style summary: `false for 'update' @ L12; evaluation error at L14:9 ...`. */
export function describeOutcomes(outcomes: readonly StatementOutcome[], method: RequestMethod): string {
  if (outcomes.length === 0) return 'No matching allow statements';
  return outcomes
    .map((o) => {
      const where = `for '${method}' @ L${o.line}`;
      switch (o.result) {
        case 'false':
          return `false ${where}`;
        case 'unknown':
          return `not true for every document the query can return ${where}`;
        case 'error':
          return `evaluation error at L${o.error?.line ?? o.line}:${o.error?.column ?? o.column} ${where}: ${o.error?.message ?? ''}`;
        default:
          return `true ${where}`;
      }
    })
    .join('; ');
}
