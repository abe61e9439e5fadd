/**
 * Expression parser (recursive descent). Precedence, lowest first:
 * `?:`, `||`, `&&`, `==` `!=`, `<` `<=` `>` `>=` `in` `is`, `+` `-`, `*` `/` `%`,
 * unary `!` `-`, then postfix `.name`, `[i]`, `[i:j]`, calls.
 */
import type { BinaryOp, Expr, PathPart } from './ast.js';
import type { SourcePos } from './errors.js';
import type { Token } from './lexer.js';
import { describeToken, type TokenStream } from './token-stream.js';
import { bytes, FALSE, float, int, INT64_MAX, NULL, str, TRUE } from './values.js';

/** Type names accepted after `is`. */
export const TYPE_NAMES: ReadonlySet<string> = new Set([
  'bool',
  'bytes',
  'constraint',
  'duration',
  'float',
  'int',
  'latlng',
  'list',
  'map',
  'map_diff',
  'null',
  'number',
  'path',
  'set',
  'string',
  'timestamp',
]);

/** Deeper nesting than this is rejected instead of exhausting the stack. */
export const MAX_EXPRESSION_DEPTH = 200;
/** Height limit of a whole expression tree (long operator chains nest to the left). */
export const MAX_EXPRESSION_HEIGHT = 500;

function children(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'literal':
    case 'ident':
      return [];
    case 'member':
      return [e.object];
    case 'index':
      return [e.object, e.index];
    case 'range':
      return [e.object, e.start, e.end];
    case 'call':
      return [e.callee, ...e.args];
    case 'unary':
    case 'is':
      return [e.operand];
    case 'binary':
    case 'logical':
      return [e.left, e.right];
    case 'ternary':
      return [e.cond, e.then, e.otherwise];
    case 'list':
      return e.items;
    case 'map':
      return e.entries.flatMap((x) => [x.key, x.value]);
    case 'path':
      return e.parts.flatMap((p) => (p.kind === 'interp' ? [p.expr] : []));
  }
}

/** Height of an expression tree, computed without recursion so any input is safe. */
export function expressionHeight(root: Expr): number {
  let max = 0;
  const stack: [Expr, number][] = [[root, 1]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [e, h] = item;
    if (h > max) max = h;
    for (const c of children(e)) stack.push([c, h + 1]);
  }
  return max;
}

export class ExprParser {
  private depth = 0;

  constructor(private readonly ts: TokenStream) {}

  /** A complete expression (allow condition, let or return value), checked for height. */
  parseTopLevel(): Expr {
    const start = this.ts.peek();
    const e = this.parseExpr();
    if (expressionHeight(e) > MAX_EXPRESSION_HEIGHT) {
      throw this.ts.errorAt(start, `expression too complex (more than ${MAX_EXPRESSION_HEIGHT} nested operations)`);
    }
    return e;
  }

  parseExpr(): Expr {
    if (++this.depth > MAX_EXPRESSION_DEPTH) {
      throw this.ts.errorAt(this.ts.peek(), `expression nested more than ${MAX_EXPRESSION_DEPTH} levels deep`);
    }
    try {
      return this.ternary();
    } finally {
      this.depth--;
    }
  }

  private ternary(): Expr {
    const cond = this.or();
    const q = this.ts.accept('punct', '?');
    if (!q) return cond;
    const then = this.ternary();
    this.ts.expect('punct', ':', "expected ':' in conditional expression");
    const otherwise = this.ternary();
    return { kind: 'ternary', cond, then, otherwise, pos: q.pos };
  }

  private or(): Expr {
    let left = this.and();
    for (let op; (op = this.ts.accept('punct', '||')); ) {
      left = { kind: 'logical', op: '||', left, right: this.and(), pos: op.pos };
    }
    return left;
  }

  private and(): Expr {
    let left = this.equality();
    for (let op; (op = this.ts.accept('punct', '&&')); ) {
      left = { kind: 'logical', op: '&&', left, right: this.equality(), pos: op.pos };
    }
    return left;
  }

  private equality(): Expr {
    let left = this.relational();
    for (;;) {
      const op = this.ts.accept('punct', '==') ?? this.ts.accept('punct', '!=');
      if (!op) return left;
      left = { kind: 'binary', op: op.text as BinaryOp, left, right: this.relational(), pos: op.pos };
    }
  }

  private relational(): Expr {
    let left = this.additive();
    for (;;) {
      const tok = this.ts.peek();
      if (tok.kind === 'punct' && ['<', '<=', '>', '>='].includes(tok.text)) {
        this.ts.next();
        left = { kind: 'binary', op: tok.text as BinaryOp, left, right: this.additive(), pos: tok.pos };
      } else if (tok.kind === 'ident' && tok.text === 'in') {
        this.ts.next();
        left = { kind: 'binary', op: 'in', left, right: this.additive(), pos: tok.pos };
      } else if (tok.kind === 'ident' && tok.text === 'is') {
        this.ts.next();
        const type = this.ts.expect('ident', undefined, "expected a type name after 'is'");
        if (!TYPE_NAMES.has(type.text)) {
          throw this.ts.errorAt(type, `unknown type '${type.text}' (expected one of ${[...TYPE_NAMES].join(', ')})`);
        }
        left = { kind: 'is', operand: left, typeName: type.text, pos: tok.pos };
      } else {
        return left;
      }
    }
  }

  private additive(): Expr {
    let left = this.multiplicative();
    for (;;) {
      const op = this.ts.accept('punct', '+') ?? this.ts.accept('punct', '-');
      if (!op) return left;
      left = { kind: 'binary', op: op.text as BinaryOp, left, right: this.multiplicative(), pos: op.pos };
    }
  }

  private multiplicative(): Expr {
    let left = this.unary();
    for (;;) {
      const op = this.ts.accept('punct', '*') ?? this.ts.accept('punct', '/') ?? this.ts.accept('punct', '%');
      if (!op) return left;
      left = { kind: 'binary', op: op.text as BinaryOp, left, right: this.unary(), pos: op.pos };
    }
  }

  private unary(): Expr {
    const op = this.ts.accept('punct', '!') ?? this.ts.accept('punct', '-');
    if (!op) return this.postfix();
    const next = this.ts.peek();
    // Fold `-<int literal>` so that -9223372036854775808 is representable.
    if (op.text === '-' && next.kind === 'int') {
      const after = this.ts.peek(1);
      const postfixFollows = after.kind === 'punct' && (after.text === '.' || after.text === '[');
      if (!postfixFollows) {
        this.ts.next();
        const v = -(next.int as bigint);
        if (v < -INT64_MAX - 1n) throw this.ts.errorAt(next, 'integer literal out of 64-bit range');
        return { kind: 'literal', value: int(v), pos: op.pos };
      }
    }
    if (++this.depth > MAX_EXPRESSION_DEPTH) {
      throw this.ts.errorAt(op, `expression nested more than ${MAX_EXPRESSION_DEPTH} levels deep`);
    }
    try {
      return { kind: 'unary', op: op.text as '!' | '-', operand: this.unary(), pos: op.pos };
    } finally {
      this.depth--;
    }
  }

  private postfix(): Expr {
    let expr = this.primary();
    for (;;) {
      const tok = this.ts.peek();
      if (tok.kind !== 'punct') return expr;
      if (tok.text === '.') {
        this.ts.next();
        const name = this.ts.expect('ident', undefined, "expected a field or method name after '.'");
        expr = { kind: 'member', object: expr, name: name.text, pos: name.pos };
      } else if (tok.text === '[') {
        this.ts.next();
        const index = this.parseExpr();
        if (this.ts.accept('punct', ':')) {
          const end = this.parseExpr();
          this.ts.expect('punct', ']', "expected ']' after range");
          expr = { kind: 'range', object: expr, start: index, end, pos: tok.pos };
        } else {
          this.ts.expect('punct', ']', "expected ']' after index");
          expr = { kind: 'index', object: expr, index, pos: tok.pos };
        }
      } else if (tok.text === '(') {
        if (expr.kind !== 'ident' && expr.kind !== 'member') {
          throw this.ts.errorAt(tok, 'only functions and methods can be called');
        }
        this.ts.next();
        const args = this.commaList(')', 'argument list');
        expr = { kind: 'call', callee: expr, args, pos: expr.pos };
      } else {
        return expr;
      }
    }
  }

  private commaList(close: string, what: string): Expr[] {
    const items: Expr[] = [];
    while (!this.ts.isPunct(close)) {
      items.push(this.parseExpr());
      if (!this.ts.accept('punct', ',')) break;
    }
    this.ts.expect('punct', close, `expected ',' or '${close}' in ${what}`);
    return items;
  }

  private primary(): Expr {
    const tok = this.ts.peek();
    const pos = tok.pos;
    switch (tok.kind) {
      case 'int':
        this.ts.next();
        if ((tok.int as bigint) > INT64_MAX) throw this.ts.errorAt(tok, 'integer literal out of 64-bit range');
        return { kind: 'literal', value: int(tok.int as bigint), pos };
      case 'float':
        this.ts.next();
        return { kind: 'literal', value: float(tok.float as number), pos };
      case 'string':
        this.ts.next();
        return { kind: 'literal', value: str(tok.text), pos };
      case 'bytes':
        this.ts.next();
        return { kind: 'literal', value: bytes(tok.bytes as Uint8Array), pos };
      case 'pathseg':
      case 'pathinterp':
        return this.pathLiteral();
      case 'ident':
        return this.identOrKeyword(tok);
      case 'punct':
        return this.bracketed(tok);
      default:
        throw this.ts.errorAt(tok, `expected an expression, found ${describeToken(tok)}`);
    }
  }

  private identOrKeyword(tok: Token): Expr {
    this.ts.next();
    const pos = tok.pos;
    if (tok.text === 'true') return { kind: 'literal', value: TRUE, pos };
    if (tok.text === 'false') return { kind: 'literal', value: FALSE, pos };
    if (tok.text === 'null') return { kind: 'literal', value: NULL, pos };
    return { kind: 'ident', name: tok.text, pos };
  }

  private bracketed(tok: Token): Expr {
    const pos = tok.pos;
    if (tok.text === '(') {
      this.ts.next();
      const inner = this.parseExpr();
      this.ts.expect('punct', ')', "expected ')'");
      return inner;
    }
    if (tok.text === '[') {
      this.ts.next();
      return { kind: 'list', items: this.commaList(']', 'list'), pos };
    }
    if (tok.text === '{') {
      this.ts.next();
      const entries: { key: Expr; value: Expr }[] = [];
      while (!this.ts.isPunct('}')) {
        const key = this.parseExpr();
        this.ts.expect('punct', ':', "expected ':' after map key");
        entries.push({ key, value: this.parseExpr() });
        if (!this.ts.accept('punct', ',')) break;
      }
      this.ts.expect('punct', '}', "expected ',' or '}' in map");
      return { kind: 'map', entries, pos };
    }
    throw this.ts.errorAt(tok, `expected an expression, found ${describeToken(tok)}`);
  }

  private pathLiteral(): Expr {
    const first = this.ts.peek();
    const parts: PathPart[] = [];
    let pos: SourcePos | undefined;
    for (let tok = first; tok === first || ((tok.kind === 'pathseg' || tok.kind === 'pathinterp') && tok.joined); tok = this.ts.peek()) {
      pos ??= tok.pos;
      this.ts.next();
      if (tok.kind === 'pathseg') {
        parts.push({ kind: 'text', text: tok.text });
      } else {
        const expr = this.parseExpr();
        this.ts.expect('punct', ')', "expected ')' to close '$(' in path");
        parts.push({ kind: 'interp', expr });
      }
    }
    return { kind: 'path', parts, pos: pos ?? first.pos };
  }
}
