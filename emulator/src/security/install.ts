/**
 * Plugs security rules into a FirestoreService and finds them again for the emulator
 * endpoint that loads rules (which only knows the service).
 */
import type { Logger } from 'pino';
import { allowAll, type FirestoreService } from '../service/index.js';
import { RulesAuthorizer } from './rules-authorizer.js';
import { SecurityRules } from './rules-set.js';

const installed = new WeakMap<FirestoreService, RulesAuthorizer>();

/** The service already has another access policy; rules would never be consulted. */
export class CustomAuthorizerError extends Error {
  override readonly name = 'CustomAuthorizerError';
}

/**
 * Makes `service` enforce security rules (initially none: every project open) and returns
 * the rule set to load rules into. Idempotent. Throws CustomAuthorizerError when the service
 * was given a custom authorizer.
 */
export function installSecurityRules(service: FirestoreService, logger?: Logger): SecurityRules {
  const existing = installed.get(service);
  if (existing && service.authorizer === existing) return existing.rules;
  if (service.authorizer !== allowAll) {
    throw new CustomAuthorizerError('This emulator was started with a custom authorizer; security rules cannot be loaded into it.');
  }
  const authorizer = new RulesAuthorizer(new SecurityRules(), logger);
  service.setAuthorizer(authorizer);
  installed.set(service, authorizer);
  return authorizer.rules;
}

/** The rule set `service` enforces, if installSecurityRules was called and is still in effect. */
export function securityRulesOf(service: FirestoreService): SecurityRules | undefined {
  const authorizer = installed.get(service);
  return authorizer && service.authorizer === authorizer ? authorizer.rules : undefined;
}
