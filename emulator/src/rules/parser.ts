/**
 * Statement-level parser: `rules_version`, `service`, `match`, `allow`, `function`, `let`.
 * Expressions are parsed by parse-expr.ts. Semicolons after statements may be left out
 * before `}` or the next statement, as Google's compiler accepts.
 */
import type { AllowMethod, AllowStmt, FunctionDecl, LetBinding, MatchBlock, PatternSegment, RulesFile } from './ast.js';
import type { Token } from './lexer.js';
import { tokenize } from './lexer.js';
import { ExprParser } from './parse-expr.js';
import { describeToken, TokenStream } from './token-stream.js';

const ALLOW_METHODS: ReadonlySet<string> = new Set(['read', 'write', 'get', 'list', 'create', 'update', 'delete']);
const STATEMENT_STARTS: ReadonlySet<string> = new Set(['allow', 'match', 'function', 'let', 'return']);
const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Match blocks nested deeper than this are rejected instead of exhausting the stack. */
export const MAX_MATCH_DEPTH = 100;

class RulesParser {
  private readonly expr: ExprParser;
  private version: '1' | '2' = '1';

  constructor(private readonly ts: TokenStream) {
    this.expr = new ExprParser(ts);
  }

  parseFile(): RulesFile {
    const ts = this.ts;
    if (ts.accept('ident', 'rules_version')) {
      ts.expect('punct', '=', "expected '=' after rules_version");
      const v = ts.expect('string', undefined, "expected '1' or '2' after rules_version =");
      if (v.text !== '1' && v.text !== '2') throw ts.errorAt(v, `unsupported rules_version '${v.text}' (expected '1' or '2')`);
      this.version = v.text;
      this.endStatement('rules_version');
    }
    const serviceTok = ts.expect('ident', 'service', "expected 'service'");
    const nameParts = [ts.expect('ident', undefined, "expected a service name after 'service'").text];
    while (ts.accept('punct', '.')) nameParts.push(ts.expect('ident', undefined, "expected a name after '.'").text);
    const name = nameParts.join('.');
    if (name !== 'cloud.firestore') {
      throw ts.errorAt(serviceTok, `unsupported service '${name}' (this engine evaluates 'cloud.firestore' rules)`);
    }
    ts.expect('punct', '{', "expected '{' after service name");
    const functions: FunctionDecl[] = [];
    const matches: MatchBlock[] = [];
    while (!ts.isPunct('}')) {
      const tok = ts.peek();
      if (tok.kind === 'ident' && tok.text === 'function') functions.push(this.functionDecl(0));
      else if (tok.kind === 'ident' && tok.text === 'match') matches.push(this.matchBlock(1));
      else if (tok.kind === 'ident' && tok.text === 'allow') throw ts.errorAt(tok, "'allow' must be inside a 'match' block");
      else throw ts.errorAt(tok, `expected 'match' or 'function' in service body, found ${describeToken(tok)}`);
    }
    ts.next();
    const trailing = ts.peek();
    if (trailing.kind !== 'eof') throw ts.errorAt(trailing, `unexpected ${describeToken(trailing)} after the service block`);
    return { fileName: ts.fileName, version: this.version, service: { name, functions, matches, pos: serviceTok.pos } };
  }

  /** Accepts `;`, or nothing when a `}` or another statement follows. */
  private endStatement(what: string): void {
    if (this.ts.accept('punct', ';')) return;
    const tok = this.ts.peek();
    if (tok.kind === 'punct' && tok.text === '}') return;
    if (tok.kind === 'ident' && (STATEMENT_STARTS.has(tok.text) || tok.text === 'service')) return;
    throw this.ts.errorAt(tok, `expected ';' after ${what}, found ${describeToken(tok)}`);
  }

  private matchBlock(level: number): MatchBlock {
    const ts = this.ts;
    const matchTok = ts.next();
    if (level > MAX_MATCH_DEPTH) throw ts.errorAt(matchTok, `match blocks nested more than ${MAX_MATCH_DEPTH} levels deep`);
    const pathTok = ts.peek();
    if (pathTok.kind !== 'matchpath') {
      throw ts.errorAt(pathTok, `expected a path starting with '/' after 'match', found ${describeToken(pathTok)}`);
    }
    ts.next();
    const pattern = this.pattern(pathTok);
    ts.expect('punct', '{', "expected '{' after match path");
    const functions: FunctionDecl[] = [];
    const matches: MatchBlock[] = [];
    const allows: AllowStmt[] = [];
    while (!ts.isPunct('}')) {
      const tok = ts.peek();
      if (tok.kind === 'ident' && tok.text === 'allow') allows.push(this.allow());
      else if (tok.kind === 'ident' && tok.text === 'match') matches.push(this.matchBlock(level + 1));
      else if (tok.kind === 'ident' && tok.text === 'function') functions.push(this.functionDecl(level));
      else if (tok.kind === 'eof') throw ts.errorAt(tok, `unterminated match block (opened at line ${matchTok.pos.line})`);
      else throw ts.errorAt(tok, `expected 'allow', 'match' or 'function', found ${describeToken(tok)}`);
    }
    ts.next();
    return { pattern, functions, matches, allows, pos: matchTok.pos, level };
  }

  private pattern(tok: Token): PatternSegment[] {
    const segments: PatternSegment[] = [];
    let recursive: PatternSegment | undefined;
    for (const seg of tok.segments ?? []) {
      const { text, pos } = seg;
      if (!text.startsWith('{')) {
        if (text.includes('}')) throw this.ts.errorAt({ ...tok, pos }, `invalid path segment '${text}'`);
        segments.push({ kind: 'literal', value: text, pos });
        continue;
      }
      const m = /^\{([^=}]*)(?:=(\*\*|\*))?\}$/.exec(text);
      const name = m?.[1]?.trim() ?? '';
      if (!m || !IDENT_RE.test(name)) {
        throw this.ts.errorAt({ ...tok, pos }, `invalid wildcard '${text}' (expected {name} or {name=**})`);
      }
      if (m[2] === '**') {
        if (recursive) {
          throw this.ts.errorAt({ ...tok, pos }, 'only one recursive wildcard {name=**} is allowed per match path');
        }
        recursive = { kind: 'recursive', name, pos };
        segments.push(recursive);
      } else {
        segments.push({ kind: 'wildcard', name, pos });
      }
    }
    if (recursive && this.version === '1' && segments[segments.length - 1] !== recursive) {
      throw this.ts.errorAt({ ...tok, pos: recursive.pos }, "in rules_version '1' a recursive wildcard must be the last path segment");
    }
    return segments;
  }

  private allow(): AllowStmt {
    const ts = this.ts;
    const allowTok = ts.next();
    const methods: AllowMethod[] = [];
    do {
      const m = ts.expect('ident', undefined, 'expected a method (read, write, get, list, create, update, delete)');
      if (!ALLOW_METHODS.has(m.text)) {
        throw ts.errorAt(m, `unknown method '${m.text}' (expected read, write, get, list, create, update or delete)`);
      }
      methods.push(m.text as AllowMethod);
    } while (ts.accept('punct', ','));
    let condition = null;
    if (ts.accept('punct', ':')) {
      ts.expect('ident', 'if', "expected 'if' after ':' in allow statement");
      condition = this.expr.parseTopLevel();
    }
    this.endStatement('allow statement');
    return { methods, condition, pos: allowTok.pos };
  }

  private functionDecl(level: number): FunctionDecl {
    const ts = this.ts;
    const fnTok = ts.next();
    const name = ts.expect('ident', undefined, "expected a function name after 'function'");
    ts.expect('punct', '(', "expected '(' after function name");
    const params: string[] = [];
    while (!ts.isPunct(')')) {
      const p = ts.expect('ident', undefined, 'expected a parameter name');
      if (params.includes(p.text)) throw ts.errorAt(p, `duplicate parameter '${p.text}'`);
      params.push(p.text);
      if (!ts.accept('punct', ',')) break;
    }
    ts.expect('punct', ')', "expected ',' or ')' in parameter list");
    ts.expect('punct', '{', "expected '{' to start the function body");
    const lets: LetBinding[] = [];
    while (ts.isKeyword('let')) {
      const letTok = ts.next();
      const v = ts.expect('ident', undefined, "expected a variable name after 'let'");
      ts.expect('punct', '=', `expected '=' after 'let ${v.text}'`);
      lets.push({ name: v.text, expr: this.expr.parseTopLevel(), pos: letTok.pos });
      this.endStatement('let binding');
    }
    ts.expect('ident', 'return', `expected 'let' or 'return' in function '${name.text}'`);
    const body = this.expr.parseTopLevel();
    this.endStatement('return statement');
    ts.expect('punct', '}', `expected '}' to end function '${name.text}'`);
    return { name: name.text, params, lets, body, pos: fnTok.pos, level };
  }
}

/** Parses a rules file into a syntax tree (names are resolved later by the binder). */
export function parseRules(source: string, fileName: string): RulesFile {
  const ts = new TokenStream(tokenize(source, fileName), fileName);
  return new RulesParser(ts).parseFile();
}
