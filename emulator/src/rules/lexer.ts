/**
 * Tokenizer for the rules language. Paths make it context-sensitive: a `/` where an operand is
 * expected starts a path literal (`/databases/$(database)/documents/x`), elsewhere it divides,
 * and the text after `match` is a path pattern (`/users/{uid}/{rest=**}`). Both decisions only
 * depend on the previous token, so the whole file is tokenized up front.
 */
import { RulesSyntaxError, type SourcePos } from './errors.js';

export type TokenKind =
  | 'ident'
  | 'int'
  | 'float'
  | 'string'
  | 'bytes'
  | 'punct'
  | 'pathseg'
  | 'pathinterp'
  | 'matchpath'
  | 'eof';

export interface MatchPathSegmentToken {
  readonly text: string;
  readonly pos: SourcePos;
}

export interface Token {
  readonly kind: TokenKind;
  /** Source text for idents, punctuation and path segments; decoded text for strings. */
  readonly text: string;
  readonly pos: SourcePos;
  readonly int?: bigint;
  readonly float?: number;
  readonly bytes?: Uint8Array;
  /** For path tokens: continues the path of the previous token. */
  readonly joined?: boolean;
  readonly segments?: readonly MatchPathSegmentToken[];
}

const PUNCT2 = ['&&', '||', '==', '!=', '<=', '>='];
const PUNCT1 = '!<>+-*/%?:()[]{},.;=';

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isIdentStart = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
const isIdentPart = (c: string | undefined): boolean => isIdentStart(c) || isDigit(c);
const isSegChar = (c: string | undefined): boolean =>
  isIdentPart(c) || c === '-' || c === '.' || c === '~' || c === '%' || c === '@';
const isSegStart = (c: string | undefined, c2: string | undefined): boolean =>
  isSegChar(c) || c === '(' || (c === '$' && c2 === '(');

/** Tokens after which a `/` is a division rather than the start of a path. */
function endsOperand(tok: Token | undefined): boolean {
  if (!tok) return false;
  switch (tok.kind) {
    case 'ident':
      return tok.text !== 'if' && tok.text !== 'return' && tok.text !== 'in';
    case 'punct':
      return tok.text === ')' || tok.text === ']' || tok.text === '}';
    case 'pathinterp':
    case 'matchpath':
    case 'eof':
      return false;
    default:
      return true;
  }
}

class Lexer {
  private i = 0;
  private readonly lineStarts: number[] = [0];
  private readonly tokens: Token[] = [];
  /** Open parentheses; 'interp' marks the one opened by `$(` inside a path. */
  private readonly parens: ('paren' | 'interp')[] = [];
  private continuePath = false;

  constructor(
    private readonly src: string,
    private readonly fileName: string,
  ) {
    for (let k = 0; k < src.length; k++) if (src[k] === '\n') this.lineStarts.push(k + 1);
  }

  posAt(index: number): SourcePos {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: index - (this.lineStarts[lo] as number) + 1 };
  }

  private error(index: number, message: string): RulesSyntaxError {
    return new RulesSyntaxError(this.fileName, this.posAt(index), message);
  }

  run(): Token[] {
    for (;;) {
      const continuing = this.continuePath && this.src[this.i] === '/';
      this.continuePath = false;
      if (!continuing) this.skipSpaceAndComments();
      const start = this.i;
      if (this.i >= this.src.length) {
        this.tokens.push({ kind: 'eof', text: '', pos: this.posAt(start) });
        return this.tokens;
      }
      this.tokens.push(this.next(start, continuing));
    }
  }

  private skipSpaceAndComments(): void {
    const s = this.src;
    for (;;) {
      const c = s[this.i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
        this.i++;
      } else if (c === '/' && s[this.i + 1] === '/') {
        while (this.i < s.length && s[this.i] !== '\n') this.i++;
      } else if (c === '/' && s[this.i + 1] === '*') {
        const end = s.indexOf('*/', this.i + 2);
        if (end < 0) throw this.error(this.i, 'unterminated block comment');
        this.i = end + 2;
      } else {
        return;
      }
    }
  }

  private next(start: number, continuing: boolean): Token {
    const s = this.src;
    const c = s[start] as string;
    const prev = this.tokens[this.tokens.length - 1];
    if (prev?.kind === 'ident' && prev.text === 'match' && c === '/') return this.matchPath(start);
    if (c === '/' && (continuing || (!endsOperand(prev) && isSegStart(s[start + 1], s[start + 2])))) {
      return this.pathPart(start, continuing);
    }
    if (isIdentStart(c)) {
      const q = s[start + 1];
      if ((c === 'b' || c === 'B') && (q === "'" || q === '"')) return this.stringLit(start + 1, 'bytes', start);
      if ((c === 'r' || c === 'R') && (q === "'" || q === '"')) return this.stringLit(start + 1, 'raw', start);
      let j = start + 1;
      while (isIdentPart(s[j])) j++;
      this.i = j;
      return { kind: 'ident', text: s.slice(start, j), pos: this.posAt(start) };
    }
    if (isDigit(c)) return this.number(start);
    if (c === "'" || c === '"') return this.stringLit(start, 'string', start);
    return this.punct(start);
  }

  private punct(start: number): Token {
    const s = this.src;
    const two = s.slice(start, start + 2);
    const one = s[start] as string;
    const tok = PUNCT2.includes(two) ? two : PUNCT1.includes(one) ? one : undefined;
    if (tok === undefined) {
      throw this.error(start, `unexpected character '${one}'`);
    }
    this.i = start + tok.length;
    if (tok === '(') this.parens.push('paren');
    if (tok === ')' && this.parens.pop() === 'interp') this.checkPathContinues();
    return { kind: 'punct', text: tok, pos: this.posAt(start) };
  }

  private checkPathContinues(): void {
    this.continuePath = this.src[this.i] === '/' && isSegStart(this.src[this.i + 1], this.src[this.i + 2]);
  }

  private pathPart(start: number, joined: boolean): Token {
    const s = this.src;
    const pos = this.posAt(start);
    let j = start + 1;
    if (s[j] === '$' && s[j + 1] === '(') {
      this.i = j + 2;
      this.parens.push('interp');
      return { kind: 'pathinterp', text: '/$(', pos, joined };
    }
    if (s[j] === '(') {
      const close = s.indexOf(')', j);
      if (close < 0 || /\s/.test(s.slice(j, close))) throw this.error(j, "unterminated '(' in path segment");
      j = close + 1;
    } else {
      while (isSegChar(s[j])) j++;
    }
    if (j === start + 1) throw this.error(start, 'empty path segment');
    this.i = j;
    this.checkPathContinues();
    return { kind: 'pathseg', text: s.slice(start + 1, j), pos, joined };
  }

  private matchPath(start: number): Token {
    const s = this.src;
    const segments: MatchPathSegmentToken[] = [];
    let j = start;
    while (s[j] === '/') {
      j++;
      const segStart = j;
      if (s[j] === '{') {
        const close = s.indexOf('}', j);
        const nl = s.indexOf('\n', j);
        if (close < 0 || (nl >= 0 && nl < close)) throw this.error(j, "unterminated '{' in match path");
        j = close + 1;
      } else {
        while (j < s.length && !/[\s/{}]/.test(s[j] as string)) j++;
      }
      if (j === segStart) throw this.error(segStart, 'empty segment in match path');
      segments.push({ text: s.slice(segStart, j), pos: this.posAt(segStart) });
    }
    this.i = j;
    return { kind: 'matchpath', text: s.slice(start, j), pos: this.posAt(start), segments };
  }

  private number(start: number): Token {
    const s = this.src;
    let j = start;
    while (isDigit(s[j])) j++;
    let isFloat = false;
    if (s[j] === '.' && isDigit(s[j + 1])) {
      isFloat = true;
      j++;
      while (isDigit(s[j])) j++;
    }
    if ((s[j] === 'e' || s[j] === 'E') && (isDigit(s[j + 1]) || ((s[j + 1] === '+' || s[j + 1] === '-') && isDigit(s[j + 2])))) {
      isFloat = true;
      j += 2;
      while (isDigit(s[j])) j++;
    }
    if (isIdentStart(s[j])) throw this.error(j, `invalid character '${s[j] ?? ''}' in number`);
    this.i = j;
    const text = s.slice(start, j);
    const pos = this.posAt(start);
    return isFloat ? { kind: 'float', text, pos, float: Number(text) } : { kind: 'int', text, pos, int: BigInt(text) };
  }

  private stringLit(quoteAt: number, mode: 'string' | 'bytes' | 'raw', start: number): Token {
    const s = this.src;
    const quote = s[quoteAt] as string;
    const out: number[] = []; // code points (string) or bytes (bytes)
    const pushText = (cp: number): void => {
      if (mode !== 'bytes') out.push(cp);
      else out.push(...new TextEncoder().encode(String.fromCodePoint(cp)));
    };
    let j = quoteAt + 1;
    for (;;) {
      if (j >= s.length || s[j] === '\n') throw this.error(start, 'unterminated string literal');
      const ch = s[j] as string;
      if (ch === quote) break;
      if (ch !== '\\' || mode === 'raw') {
        const cp = s.codePointAt(j) as number;
        pushText(cp);
        j += cp > 0xffff ? 2 : 1;
        continue;
      }
      j = this.escape(j, mode === 'bytes', out, pushText);
    }
    this.i = j + 1;
    const pos = this.posAt(start);
    if (mode === 'bytes') {
      const b = Uint8Array.from(out);
      return { kind: 'bytes', text: s.slice(start, j + 1), pos, bytes: b };
    }
    return { kind: 'string', text: String.fromCodePoint(...out), pos };
  }

  /** Decodes the escape at `at` (a backslash); returns the index after it. */
  private escape(at: number, isBytes: boolean, out: number[], pushText: (cp: number) => void): number {
    const s = this.src;
    const e = s[at + 1];
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12, v: 11, a: 7, '\\': 92, "'": 39, '"': 34, '`': 96, '?': 63 };
    if (e !== undefined && e in simple) {
      const v = simple[e] as number;
      if (isBytes) out.push(v);
      else pushText(v);
      return at + 2;
    }
    const hex = (n: number): number => {
      const digits = s.slice(at + 2, at + 2 + n);
      if (digits.length !== n || !/^[0-9a-fA-F]+$/.test(digits)) {
        throw this.error(at, `invalid escape: \\${e ?? ''} needs ${n} hex digits`);
      }
      return parseInt(digits, 16);
    };
    if (e === 'x' || e === 'X') {
      const v = hex(2);
      if (isBytes) out.push(v);
      else pushText(v);
      return at + 4;
    }
    if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const v = hex(n);
      if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw this.error(at, 'invalid Unicode escape');
      pushText(v);
      return at + 2 + n;
    }
    if (e !== undefined && e >= '0' && e <= '7') {
      const digits = s.slice(at + 1, at + 4);
      if (!/^[0-7]{3}$/.test(digits)) throw this.error(at, 'invalid escape: octal escapes need 3 digits');
      const v = parseInt(digits, 8);
      if (v > 255) throw this.error(at, 'invalid escape: octal value out of range');
      if (isBytes) out.push(v);
      else pushText(v);
      return at + 4;
    }
    throw this.error(at, `invalid escape sequence '\\${e ?? ''}'`);
  }
}

/** Tokenizes a whole rules file; throws RulesSyntaxError with the position of the problem. */
export function tokenize(source: string, fileName: string): Token[] {
  return new Lexer(source, fileName).run();
}
