/**
 * Evaluates a single rules expression outside a request. Used by the engine's tests and handy
 * for trying expressions in a REPL; not part of the service-facing API.
 */
import type { BuiltinContext } from './builtins/index.js';
import { compileRules } from './compile.js';
import { RulesEvaluationError } from './errors.js';
import { Env, evaluate, MAX_EXPRESSIONS, type EvalState } from './evaluator.js';
import { NULL, type PathV, type Value } from './values.js';

export interface HarnessOptions {
  /** Variables in scope (besides request/resource, which default to null). */
  readonly vars?: Readonly<Record<string, Value>>;
  readonly request?: Value;
  readonly resource?: Value;
  /** Function declarations placed next to the expression, e.g. `function f(x) { return x; }`. */
  readonly functions?: string;
  readonly readDocument?: (kind: 'get' | 'getAfter', p: PathV) => Value;
}

export type HarnessResult = { readonly value: Value } | { readonly error: string; readonly line: number; readonly column: number };

export function evalExpression(expr: string, options: HarnessOptions = {}): HarnessResult {
  const names = Object.keys(options.vars ?? {});
  const wildcards = names.map((n) => `/{${n}}`).join('');
  const source = `rules_version = '2';
service cloud.firestore {
  match /harness${wildcards} {
    ${options.functions ?? ''}
    allow get: if ${expr};
  }
}`;
  const rules = compileRules(source, 'harness.rules');
  const block = rules.ast.service.matches[0];
  const condition = block?.allows[0]?.condition;
  if (!block || !condition) throw new Error('harness: no condition parsed');
  const debug: Value[] = [];
  const ctx: BuiltinContext = {
    readDocument: options.readDocument ?? (() => NULL),
    debug: (v) => void debug.push(v),
  };
  const globals = new Env(new Map<string, Value>([['request', options.request ?? NULL], ['resource', options.resource ?? NULL]]));
  const env = new Env(new Map(Object.entries(options.vars ?? {})), globals);
  const st: EvalState = { levels: [globals, env], ctx, callStack: [], budget: MAX_EXPRESSIONS };
  try {
    return { value: evaluate(condition, env, st) };
  } catch (err) {
    if (!(err instanceof RulesEvaluationError)) throw err;
    return { error: err.message, line: err.pos?.line ?? 0, column: err.pos?.column ?? 0 };
  }
}
