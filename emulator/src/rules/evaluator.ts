/**
 * Expression evaluation. Errors are exceptions (RulesEvaluationError) stamped with the position
 * of the innermost failing expression. `&&` and `||` absorb an error in the operand that does
 * not decide the result (`true || error` is true, `false && error` is false), as Firestore does.
 * Values that depend on the document a list query returns are symbolic (see symbolic.ts).
 */
import type { CallExpr, Expr, FunctionDecl } from './ast.js';
import { findMethod, GLOBAL_FUNCTIONS, NAMESPACES, type BuiltinContext } from './builtins/index.js';
import type { Builtin } from './builtins/types.js';
import { RulesEvaluationError, fail } from './errors.js';
import { binaryOp, fieldOf, indexOp, rangeOp, unaryOp } from './operators.js';
import { symbolicBinary, symbolicIs, symbolicMethod } from './symbolic.js';
import {
  bool,
  isSymbolic,
  list,
  map,
  path,
  typeName,
  UNKNOWN,
  type PathSegment,
  type Value,
} from './values.js';

/** Firestore's limit on nested function calls. */
export const MAX_CALL_DEPTH = 20;
/** Firestore evaluates at most 1,000 expressions per request; counted here as operators and calls. */
export const MAX_EXPRESSIONS = 1000;

/** A variable whose value is computed on first use (lazy `let`). */
type Slot = Value | (() => Value);

export class Env {
  constructor(
    private readonly vars: Map<string, Slot>,
    readonly parent?: Env,
  ) {}

  lookup(name: string): Value | undefined {
    const slot = this.vars.get(name);
    if (slot === undefined) return this.parent?.lookup(name);
    if (typeof slot !== 'function') return slot;
    const v = slot();
    this.vars.set(name, v);
    return v;
  }
}

export interface EvalState {
  /** Lexical environment per nesting level: [0] holds request/resource, [n] the n-th match's variables. */
  readonly levels: readonly Env[];
  readonly ctx: BuiltinContext;
  readonly callStack: FunctionDecl[];
  budget: number;
}

function stamp(err: unknown, e: Expr): never {
  if (err instanceof RulesEvaluationError) {
    err.pos ??= e.pos;
    throw err;
  }
  if (err instanceof RangeError) {
    // A deeply nested expression exhausted the JS stack: report it as an evaluation error.
    throw new RulesEvaluationError(`Evaluation too deep: ${err.message}`, e.pos);
  }
  throw err;
}

function spend(st: EvalState): void {
  if (--st.budget < 0) throw fail(`Exceeded the maximum of ${MAX_EXPRESSIONS} expressions evaluated per request.`);
}

function expectBool(v: Value, what: string): Value {
  if (v.t === 'bool' || v.t === 'unknown') return v;
  throw fail(`${what} expects bool operands, got ${typeName(v)}`);
}

type Outcome = { v: Value } | { err: RulesEvaluationError };

function attempt(e: Expr, env: Env, st: EvalState): Outcome {
  try {
    return { v: expectBool(evaluate(e, env, st), `Operator at line ${e.pos.line}`) };
  } catch (err) {
    if (err instanceof RulesEvaluationError) {
      err.pos ??= e.pos;
      return { err };
    }
    throw err;
  }
}

/** `||` / `&&` in three-valued logic with Firestore's error absorption. */
function logical(op: '&&' | '||', e: Expr & { kind: 'logical' }, env: Env, st: EvalState): Value {
  const decisive = op === '||';
  const left = attempt(e.left, env, st);
  if ('v' in left && left.v.t === 'bool' && left.v.v === decisive) return left.v;
  const right = attempt(e.right, env, st);
  if ('v' in right && right.v.t === 'bool' && right.v.v === decisive) return right.v;
  if ('err' in left) throw left.err;
  if ('err' in right) throw right.err;
  if (left.v.t === 'unknown' || right.v.t === 'unknown') return UNKNOWN;
  return bool(!decisive);
}

function ternary(e: Expr & { kind: 'ternary' }, env: Env, st: EvalState): Value {
  const cond = evaluate(e.cond, env, st);
  if (cond.t === 'bool') return evaluate(cond.v ? e.then : e.otherwise, env, st);
  if (cond.t !== 'unknown') throw fail(`Condition of ?: must be a bool, got ${typeName(cond)}`);
  const a = evaluate(e.then, env, st);
  const b = evaluate(e.otherwise, env, st);
  return a.t === 'bool' && b.t === 'bool' && a.v === b.v ? a : UNKNOWN;
}

function pathLiteral(e: Expr & { kind: 'path' }, env: Env, st: EvalState): Value {
  const segs: PathSegment[] = [];
  for (const part of e.parts) {
    if (part.kind === 'text') {
      segs.push(part.text);
      continue;
    }
    if (part.expr.kind === 'ident' && env.lookup(part.expr.name) === undefined) {
      segs.push({ placeholder: part.expr.name });
      continue;
    }
    const v = evaluate(part.expr, env, st);
    if (v.t === 'string') segs.push(v.v);
    else if (v.t === 'path') segs.push(...v.segs);
    else if (v.t === 'unknown') return UNKNOWN;
    else throw fail(`Path interpolation $(...) needs a string or a path, got ${typeName(v)}`);
  }
  return path(segs);
}

function member(obj: Value, name: string): Value {
  if (obj.t === 'symmap') return obj.field(name);
  if (obj.t === 'unknown') return UNKNOWN;
  return fieldOf(obj, name);
}

function callBuiltin<R>(b: Builtin<R>, recv: R, args: readonly Value[], st: EvalState, what: string): Value {
  if (args.length < b.min || args.length > b.max) {
    throw fail(`${what} expects ${b.min === b.max ? b.min : `${b.min} to ${b.max}`} arguments, got ${args.length}`);
  }
  return b.fn(recv, args, st.ctx);
}

function callUser(fn: FunctionDecl, args: readonly Value[], st: EvalState): Value {
  if (st.callStack.includes(fn)) throw fail(`Function '${fn.name}' calls itself; recursion is not allowed.`);
  if (st.callStack.length >= MAX_CALL_DEPTH) throw fail(`Exceeded the maximum function call depth of ${MAX_CALL_DEPTH}.`);
  const lexical = st.levels[fn.level];
  if (!lexical) throw fail(`Function '${fn.name}' is not in scope here.`);
  const params = new Map<string, Slot>();
  fn.params.forEach((p, i) => params.set(p, args[i] as Value));
  let env = new Env(params, lexical);
  // Each `let` sees only the bindings before it; its value is computed on first use.
  for (const b of fn.lets) {
    const before = env;
    env = new Env(new Map<string, Slot>([[b.name, () => evaluate(b.expr, before, st)]]), before);
  }
  st.callStack.push(fn);
  try {
    return evaluate(fn.body, env, st);
  } finally {
    st.callStack.pop();
  }
}

function call(e: CallExpr, env: Env, st: EvalState): Value {
  const target = e.target;
  if (!target) throw fail('Internal error: unresolved call');
  if (target.kind === 'method') {
    const recv = evaluate((e.callee as Expr & { kind: 'member' }).object, env, st);
    const args = e.args.map((a) => evaluate(a, env, st));
    if (isSymbolic(recv) || args.some(isSymbolic)) return symbolicMethod(recv, target.name, args);
    if (recv.t === 'null') throw fail('Null value error.');
    const m = findMethod(recv, target.name);
    if (!m) throw fail(`Function not found error: Name: [${target.name}] on a value of type ${typeName(recv)}.`);
    return callBuiltin(m, recv, args, st, `${target.name}()`);
  }
  const args = e.args.map((a) => evaluate(a, env, st));
  if (target.kind === 'user') return callUser(target.fn, args, st);
  if (args.some(isSymbolic)) return UNKNOWN;
  if (target.kind === 'global') {
    return callBuiltin(GLOBAL_FUNCTIONS[target.name] as Builtin<void>, undefined, args, st, `${target.name}()`);
  }
  const fn = NAMESPACES[target.ns]?.[target.name] as Builtin<void>;
  return callBuiltin(fn, undefined, args, st, `${target.ns}.${target.name}()`);
}

function evalInner(e: Expr, env: Env, st: EvalState): Value {
  switch (e.kind) {
    case 'literal':
      return e.value;
    case 'ident': {
      const v = env.lookup(e.name);
      if (v === undefined) throw fail(`Variable '${e.name}' is not defined.`);
      return v;
    }
    case 'member':
      return member(evaluate(e.object, env, st), e.name);
    case 'index': {
      spend(st);
      const obj = evaluate(e.object, env, st);
      const idx = evaluate(e.index, env, st);
      if (obj.t === 'symmap' && idx.t === 'string') return obj.field(idx.v);
      if (isSymbolic(obj) || isSymbolic(idx)) return UNKNOWN;
      return indexOp(obj, idx);
    }
    case 'range': {
      spend(st);
      const obj = evaluate(e.object, env, st);
      const a = evaluate(e.start, env, st);
      const b = evaluate(e.end, env, st);
      if (isSymbolic(obj) || isSymbolic(a) || isSymbolic(b)) return UNKNOWN;
      return rangeOp(obj, a, b);
    }
    case 'call':
      spend(st);
      return call(e, env, st);
    case 'unary': {
      spend(st);
      const v = evaluate(e.operand, env, st);
      return isSymbolic(v) ? UNKNOWN : unaryOp(e.op, v);
    }
    case 'binary': {
      spend(st);
      const l = evaluate(e.left, env, st);
      const r = evaluate(e.right, env, st);
      return isSymbolic(l) || isSymbolic(r) ? symbolicBinary(e.op, l, r) : binaryOp(e.op, l, r);
    }
    case 'logical':
      spend(st);
      return logical(e.op, e, env, st);
    case 'ternary':
      spend(st);
      return ternary(e, env, st);
    case 'is': {
      spend(st);
      const v = evaluate(e.operand, env, st);
      return isSymbolic(v) ? symbolicIs(v, e.typeName) : bool(isType(v, e.typeName));
    }
    case 'list': {
      const items = e.items.map((i) => evaluate(i, env, st));
      return items.some(isSymbolic) ? UNKNOWN : list(items);
    }
    case 'map': {
      const out = new Map<string, Value>();
      for (const entry of e.entries) {
        const k = evaluate(entry.key, env, st);
        const v = evaluate(entry.value, env, st);
        if (isSymbolic(k) || isSymbolic(v)) return UNKNOWN;
        if (k.t !== 'string') throw fail(`Map keys must be strings, got ${typeName(k)}`);
        out.set(k.v, v);
      }
      return map(out);
    }
    case 'path':
      return pathLiteral(e, env, st);
  }
}

export function isType(v: Value, type: string): boolean {
  switch (type) {
    case 'number':
      return v.t === 'int' || v.t === 'float';
    case 'map_diff':
      return v.t === 'mapdiff';
    case 'constraint':
      return false;
    default:
      return v.t === type;
  }
}

export function evaluate(e: Expr, env: Env, st: EvalState): Value {
  try {
    return evalInner(e, env, st);
  } catch (err) {
    return stamp(err, e);
  }
}
