/** Syntax tree of a rules file, as produced by parser.ts and annotated by binder.ts. */
import type { SourcePos } from './errors.js';
import type { Value } from './values.js';

export type BinaryOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | '+' | '-' | '*' | '/' | '%';

export type PathPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'interp'; readonly expr: Expr };

/** How a call is dispatched; filled in by the binder so evaluation does no name lookups. */
export type CallTarget =
  | { readonly kind: 'user'; readonly fn: FunctionDecl }
  | { readonly kind: 'global'; readonly name: string }
  | { readonly kind: 'namespace'; readonly ns: string; readonly name: string }
  | { readonly kind: 'method'; readonly name: string };

export type Expr =
  | { readonly kind: 'literal'; readonly value: Value; readonly pos: SourcePos }
  | { readonly kind: 'ident'; readonly name: string; readonly pos: SourcePos }
  | { readonly kind: 'member'; readonly object: Expr; readonly name: string; readonly pos: SourcePos }
  | { readonly kind: 'index'; readonly object: Expr; readonly index: Expr; readonly pos: SourcePos }
  | {
      readonly kind: 'range';
      readonly object: Expr;
      readonly start: Expr;
      readonly end: Expr;
      readonly pos: SourcePos;
    }
  | CallExpr
  | { readonly kind: 'unary'; readonly op: '!' | '-'; readonly operand: Expr; readonly pos: SourcePos }
  | {
      readonly kind: 'binary';
      readonly op: BinaryOp;
      readonly left: Expr;
      readonly right: Expr;
      readonly pos: SourcePos;
    }
  | {
      readonly kind: 'logical';
      readonly op: '&&' | '||';
      readonly left: Expr;
      readonly right: Expr;
      readonly pos: SourcePos;
    }
  | {
      readonly kind: 'ternary';
      readonly cond: Expr;
      readonly then: Expr;
      readonly otherwise: Expr;
      readonly pos: SourcePos;
    }
  | { readonly kind: 'is'; readonly operand: Expr; readonly typeName: string; readonly pos: SourcePos }
  | { readonly kind: 'list'; readonly items: readonly Expr[]; readonly pos: SourcePos }
  | {
      readonly kind: 'map';
      readonly entries: readonly { readonly key: Expr; readonly value: Expr }[];
      readonly pos: SourcePos;
    }
  | { readonly kind: 'path'; readonly parts: readonly PathPart[]; readonly pos: SourcePos };

export interface CallExpr {
  readonly kind: 'call';
  /** `f(x)` has an ident callee; `x.f()` and `math.abs(x)` have a member callee. */
  readonly callee: Expr;
  readonly args: readonly Expr[];
  readonly pos: SourcePos;
  /** Set by the binder. */
  target?: CallTarget;
}

export type AllowMethod = 'read' | 'write' | 'get' | 'list' | 'create' | 'update' | 'delete';
export type RequestMethod = 'get' | 'list' | 'create' | 'update' | 'delete';

export interface AllowStmt {
  readonly methods: readonly AllowMethod[];
  /** null for `allow read;` which grants unconditionally. */
  readonly condition: Expr | null;
  readonly pos: SourcePos;
}

export interface LetBinding {
  readonly name: string;
  readonly expr: Expr;
  readonly pos: SourcePos;
}

export interface FunctionDecl {
  readonly name: string;
  readonly params: readonly string[];
  readonly lets: readonly LetBinding[];
  readonly body: Expr;
  readonly pos: SourcePos;
  /** Nesting depth of the block that declares it: 0 = service, 1 = first match level... */
  readonly level: number;
}

export type PatternSegment =
  | { readonly kind: 'literal'; readonly value: string; readonly pos: SourcePos }
  | { readonly kind: 'wildcard'; readonly name: string; readonly pos: SourcePos }
  | { readonly kind: 'recursive'; readonly name: string; readonly pos: SourcePos };

export interface MatchBlock {
  readonly pattern: readonly PatternSegment[];
  readonly functions: readonly FunctionDecl[];
  readonly matches: readonly MatchBlock[];
  readonly allows: readonly AllowStmt[];
  readonly pos: SourcePos;
  /** 1 for a match directly in the service. */
  readonly level: number;
}

export interface ServiceDecl {
  readonly name: string;
  readonly functions: readonly FunctionDecl[];
  readonly matches: readonly MatchBlock[];
  readonly pos: SourcePos;
}

export interface RulesFile {
  readonly fileName: string;
  readonly version: '1' | '2';
  readonly service: ServiceDecl;
}
