/**
 * Security rules in the emulator: the rules engine (`rules/`) plugged into the service's
 * Authorizer hook, one rule set per project, loaded at start or through the emulator endpoint.
 */
export { RulesAuthorizer } from './rules-authorizer.js';
export { compileRulesOption, RulesFileError, SecurityRules, type RulesOption } from './rules-set.js';
export { CustomAuthorizerError, installSecurityRules, securityRulesOf } from './install.js';
export { findFirebaseConfig, rulesFromFirebaseConfig, type FirebaseRulesConfig } from './firebase-config.js';
export { collectionListingJson, filterToJson, queryToJson } from './query-json.js';
