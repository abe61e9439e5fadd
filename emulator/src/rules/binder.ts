/**
 * Name resolution after parsing: every identifier must name a variable in lexical scope
 * (function parameters and `let`s, the path variables of enclosing `match` blocks, `request`,
 * `resource`), every call a user function, builtin, namespace function or method. Calls are
 * annotated with their target so evaluation does no name lookups for them. Functions are
 * visible throughout the block that declares them and all blocks nested in it.
 */
import type { CallExpr, Expr, FunctionDecl, MatchBlock, RulesFile } from './ast.js';
import { ALL_METHOD_NAMES, GLOBAL_FUNCTIONS, NAMESPACES } from './builtins/index.js';
import { RulesSyntaxError, type SourcePos } from './errors.js';

interface Scope {
  readonly vars: ReadonlySet<string>;
  readonly functions: ReadonlyMap<string, FunctionDecl>;
  readonly parent?: Scope;
}

export const GLOBAL_VARIABLES: ReadonlySet<string> = new Set(['request', 'resource']);

class Binder {
  constructor(private readonly fileName: string) {}

  private error(pos: SourcePos, message: string): RulesSyntaxError {
    return new RulesSyntaxError(this.fileName, pos, message);
  }

  private functionTable(decls: readonly FunctionDecl[]): Map<string, FunctionDecl> {
    const table = new Map<string, FunctionDecl>();
    for (const fn of decls) {
      const prior = table.get(fn.name);
      if (prior) throw this.error(fn.pos, `function '${fn.name}' is already defined at line ${prior.pos.line}`);
      table.set(fn.name, fn);
    }
    return table;
  }

  bindFile(file: RulesFile): void {
    const scope: Scope = { vars: GLOBAL_VARIABLES, functions: this.functionTable(file.service.functions) };
    for (const fn of file.service.functions) this.bindFunction(fn, scope);
    for (const m of file.service.matches) this.bindMatch(m, scope);
  }

  private bindMatch(block: MatchBlock, outer: Scope): void {
    const vars = new Set<string>();
    for (const seg of block.pattern) {
      if (seg.kind === 'literal') continue;
      if (vars.has(seg.name)) throw this.error(seg.pos, `path variable '${seg.name}' is used twice in this match path`);
      vars.add(seg.name);
    }
    const scope: Scope = { vars, functions: this.functionTable(block.functions), parent: outer };
    for (const fn of block.functions) this.bindFunction(fn, scope);
    for (const allow of block.allows) if (allow.condition) this.bindExpr(allow.condition, scope);
    for (const m of block.matches) this.bindMatch(m, scope);
  }

  private bindFunction(fn: FunctionDecl, declaring: Scope): void {
    const vars = new Set(fn.params);
    const scope: Scope = { vars, functions: new Map(), parent: declaring };
    for (const b of fn.lets) {
      this.bindExpr(b.expr, scope);
      if (vars.has(b.name)) throw this.error(b.pos, `'${b.name}' is already defined in function '${fn.name}'`);
      vars.add(b.name);
    }
    this.bindExpr(fn.body, scope);
  }

  private hasVar(scope: Scope | undefined, name: string): boolean {
    for (let s = scope; s; s = s.parent) if (s.vars.has(name)) return true;
    return false;
  }

  private findFunction(scope: Scope | undefined, name: string): FunctionDecl | undefined {
    for (let s = scope; s; s = s.parent) {
      const fn = s.functions.get(name);
      if (fn) return fn;
    }
    return undefined;
  }

  private bindExpr(e: Expr, scope: Scope): void {
    switch (e.kind) {
      case 'literal':
        return;
      case 'ident':
        if (!this.hasVar(scope, e.name)) {
          const hint = NAMESPACES[e.name] ? ` ('${e.name}' is a namespace: call its functions as ${e.name}.name(...))` : '';
          throw this.error(e.pos, `unknown variable '${e.name}'${hint}`);
        }
        return;
      case 'member':
        return this.bindExpr(e.object, scope);
      case 'index':
        this.bindExpr(e.object, scope);
        return this.bindExpr(e.index, scope);
      case 'range':
        this.bindExpr(e.object, scope);
        this.bindExpr(e.start, scope);
        return this.bindExpr(e.end, scope);
      case 'call':
        return this.bindCall(e, scope);
      case 'unary':
      case 'is':
        return this.bindExpr(e.operand, scope);
      case 'binary':
      case 'logical':
        this.bindExpr(e.left, scope);
        return this.bindExpr(e.right, scope);
      case 'ternary':
        this.bindExpr(e.cond, scope);
        this.bindExpr(e.then, scope);
        return this.bindExpr(e.otherwise, scope);
      case 'list':
        for (const item of e.items) this.bindExpr(item, scope);
        return;
      case 'map':
        for (const { key, value } of e.entries) {
          this.bindExpr(key, scope);
          this.bindExpr(value, scope);
        }
        return;
      case 'path':
        for (const part of e.parts) {
          if (part.kind !== 'interp') continue;
          // `$(name)` with an unknown name is a placeholder, filled later by path.bind().
          if (part.expr.kind === 'ident' && !this.hasVar(scope, part.expr.name)) continue;
          this.bindExpr(part.expr, scope);
        }
        return;
    }
  }

  private checkArity(call: CallExpr, what: string, min: number, max: number): void {
    const n = call.args.length;
    if (n >= min && n <= max) return;
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw this.error(call.pos, `${what} expects ${expected} argument${max === 1 ? '' : 's'} but got ${n}`);
  }

  private bindCall(call: CallExpr, scope: Scope): void {
    for (const a of call.args) this.bindExpr(a, scope);
    const callee = call.callee;
    if (callee.kind === 'ident') {
      const fn = this.findFunction(scope, callee.name);
      if (fn) {
        this.checkArity(call, `function '${fn.name}'`, fn.params.length, fn.params.length);
        call.target = { kind: 'user', fn };
        return;
      }
      const builtin = GLOBAL_FUNCTIONS[callee.name];
      if (builtin && Object.hasOwn(GLOBAL_FUNCTIONS, callee.name)) {
        this.checkArity(call, `${callee.name}()`, builtin.min, builtin.max);
        call.target = { kind: 'global', name: callee.name };
        return;
      }
      throw this.error(callee.pos, `unknown function '${callee.name}'`);
    }
    if (callee.kind !== 'member') throw this.error(call.pos, 'only functions and methods can be called');
    const obj = callee.object;
    if (obj.kind === 'ident' && Object.hasOwn(NAMESPACES, obj.name) && !this.hasVar(scope, obj.name)) {
      const ns = NAMESPACES[obj.name] as Readonly<Record<string, { min: number; max: number }>>;
      const fn = Object.hasOwn(ns, callee.name) ? ns[callee.name] : undefined;
      if (!fn) {
        throw this.error(callee.pos, `unknown function '${obj.name}.${callee.name}' (available: ${Object.keys(ns).join(', ')})`);
      }
      this.checkArity(call, `${obj.name}.${callee.name}()`, fn.min, fn.max);
      call.target = { kind: 'namespace', ns: obj.name, name: callee.name };
      return;
    }
    this.bindExpr(obj, scope);
    if (!ALL_METHOD_NAMES.has(callee.name)) throw this.error(callee.pos, `unknown method '${callee.name}'`);
    call.target = { kind: 'method', name: callee.name };
  }
}

/** Resolves names in place; throws RulesSyntaxError for unknown names and wrong arities. */
export function bindRules(file: RulesFile): void {
  new Binder(file.fileName).bindFile(file);
}
