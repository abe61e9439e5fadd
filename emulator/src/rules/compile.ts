/** compileRules: parse + bind once; the result is immutable and reused for every request. */
import type { RulesFile } from './ast.js';
import { bindRules } from './binder.js';
import { RulesSyntaxError } from './errors.js';
import { parseRules } from './parser.js';

/** Firestore rejects rulesets whose source is larger than 256 KiB. */
export const MAX_RULES_SOURCE_BYTES = 256 * 1024;

export interface CompiledRules {
  readonly fileName: string;
  readonly source: string;
  readonly version: '1' | '2';
  /** The bound syntax tree; treat as read-only. */
  readonly ast: RulesFile;
}

/**
 * Compiles a rules file. Throws RulesSyntaxError (with fileName, line, column and a message
 * like `firestore.rules:12:7: expected ';' after allow statement`) when it is not valid.
 */
export function compileRules(source: string, fileName = 'firestore.rules'): CompiledRules {
  const size = new TextEncoder().encode(source).length;
  if (size > MAX_RULES_SOURCE_BYTES) {
    throw new RulesSyntaxError(fileName, { line: 1, column: 1 }, `rules source is ${size} bytes; the maximum is ${MAX_RULES_SOURCE_BYTES}`);
  }
  const ast = parseRules(source, fileName);
  bindRules(ast);
  return Object.freeze({ fileName, source, version: ast.version, ast });
}
