/** Cursor over the token list with the helpers both parsers share. */
import { RulesSyntaxError } from './errors.js';
import type { Token, TokenKind } from './lexer.js';

export function describeToken(tok: Token): string {
  switch (tok.kind) {
    case 'eof':
      return 'end of file';
    case 'string':
      return `string ${JSON.stringify(tok.text)}`;
    case 'pathseg':
    case 'pathinterp':
    case 'matchpath':
      return `path '${tok.kind === 'pathseg' ? '/' : ''}${tok.text}'`;
    default:
      return `'${tok.text}'`;
  }
}

export class TokenStream {
  private index = 0;

  constructor(
    private readonly tokens: readonly Token[],
    readonly fileName: string,
  ) {}

  peek(offset = 0): Token {
    const i = Math.min(this.index + offset, this.tokens.length - 1);
    return this.tokens[i] as Token;
  }

  next(): Token {
    const tok = this.peek();
    if (tok.kind !== 'eof') this.index++;
    return tok;
  }

  is(kind: TokenKind, text?: string): boolean {
    const tok = this.peek();
    return tok.kind === kind && (text === undefined || tok.text === text);
  }

  isPunct(text: string): boolean {
    return this.is('punct', text);
  }

  isKeyword(text: string): boolean {
    return this.is('ident', text);
  }

  /** Consumes the token if it matches. */
  accept(kind: TokenKind, text?: string): Token | undefined {
    return this.is(kind, text) ? this.next() : undefined;
  }

  expect(kind: TokenKind, text: string | undefined, message: string): Token {
    if (this.is(kind, text)) return this.next();
    throw this.errorAt(this.peek(), `${message}, found ${describeToken(this.peek())}`);
  }

  errorAt(tok: Token, message: string): RulesSyntaxError {
    return new RulesSyntaxError(this.fileName, tok.pos, message);
  }
}
