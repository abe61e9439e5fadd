/** A 1-based position in a rules source file. */
export interface SourcePos {
  readonly line: number;
  readonly column: number;
}

/**
 * A rules file that cannot be compiled. The message has the compiler-style form
 * `firestore.rules:12:7: expected ';' after allow statement`, so it can be shown as is.
 */
export class RulesSyntaxError extends Error {
  override readonly name = 'RulesSyntaxError';
  readonly fileName: string;
  readonly line: number;
  readonly column: number;
  /** The message without the `file:line:col: ` prefix. */
  readonly detail: string;

  constructor(fileName: string, pos: SourcePos, detail: string) {
    super(`${fileName}:${pos.line}:${pos.column}: ${detail}`);
    this.fileName = fileName;
    this.line = pos.line;
    this.column = pos.column;
    this.detail = detail;
  }
}

/**
 * An error raised while evaluating a rule expression. Inside the evaluator it is an ordinary
 * exception; `&&`, `||` and the allow-statement loop absorb it the way Firestore does. Builtins
 * throw it without a position; the evaluator stamps the position of the expression that failed.
 */
export class RulesEvaluationError extends Error {
  override readonly name = 'RulesEvaluationError';
  pos: SourcePos | undefined;

  constructor(message: string, pos?: SourcePos) {
    // Evaluation errors are ordinary control flow in rules (a missing field, a null auth) and
    // are thrown on hot paths; a JS stack trace is useless here and costs more than the rest
    // of a decision, so none is captured.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.pos = pos;
  }
}

/** Shorthand used by builtins: `throw fail('...')`. */
export function fail(message: string): RulesEvaluationError {
  return new RulesEvaluationError(message);
}

/**
 * The caller (the emulator service) passed a request the engine cannot interpret: a malformed
 * resource name, wire value or query. This is a bug in the caller, not a rules denial.
 */
export class RulesRequestError extends Error {
  override readonly name = 'RulesRequestError';
}
