/**
 * Firestore security rules engine: compile a rules file once, then decide each client
 * operation with evaluateAccess. Pure (no I/O): stored documents come in with the request or
 * through the injected DocumentAccessor. Admin (`Bearer owner`) requests bypass rules before
 * they reach this module.
 */
export { compileRules, MAX_RULES_SOURCE_BYTES, type CompiledRules } from './compile.js';
export {
  createAccessSession,
  evaluateAccess,
  type AccessDecision,
  type AccessError,
  type AccessOptions,
  type AccessRequest,
  type AuthContext,
} from './access.js';
export type { StatementOutcome } from './allow-runner.js';
export type { AllowMethod, RequestMethod } from './ast.js';
export {
  AccessSession,
  BATCH_ACCESS_LIMIT,
  SINGLE_REQUEST_ACCESS_LIMIT,
  type DocumentAccessor,
} from './document-access.js';
export { RulesRequestError, RulesSyntaxError } from './errors.js';
export { MAX_CALL_DEPTH, MAX_EXPRESSIONS } from './evaluator.js';
export { MAX_DISJUNCTS, type FilterJson, type StructuredQueryJson } from './query-constraints.js';
export type { WireDocument, WireTimestamp, WireValue } from './wire.js';
