import { z } from 'zod';
import { PRIORITIES, type Priority } from './job.js';
import { collectionPrefixSchema } from './names.js';
import { timestampMs } from './time.js';

/**
 * Who may touch what, as the security rules (`firestore.rules`) decide it: the custom claims
 * they read, the project-wide list of served prefixes, and the priorities a tier may submit
 * (`control-audit.ts`: the audit entry every operator control commits with it). The rules restate these values
 * (they cannot import them); the rules tests hold them to these definitions.
 */

// ---------- tenants ----------

/**
 * Custom claim naming the collection prefix (tenant) an account belongs to. An account
 * without it belongs to the default tenant, prefix `""`. Users and admins read and write
 * only their own tenant's collections: `admin: true` makes an operator of that tenant only.
 */
export const TENANT_CLAIM = 'tenant';

/** The prefix an account's claims bind it to. */
export function tenantOfClaims(claims: Readonly<Record<string, unknown>> | null | undefined): string {
  const t = claims?.[TENANT_CLAIM];
  return typeof t === 'string' ? t : '';
}

/**
 * `firequeue_config/tenants`: the prefixes some deployment serves (workers run there). Written
 * with the Admin SDK only (`system/tenants.ts`, or the orchestrator for its own prefix); the
 * rules refuse every client write into a prefix missing here, so nothing lands where no worker
 * would ever process or delete it.
 */
export const SERVED_PREFIXES_DOC = { collection: 'firequeue_config', id: 'tenants' } as const;

export const servedPrefixesDocSchema = z.object({
  servedPrefixes: z.array(collectionPrefixSchema).max(1_000),
  updatedAt: timestampMs,
});
export type ServedPrefixesDoc = z.infer<typeof servedPrefixesDocSchema>;

// ---------- priority tiers ----------

/** Custom claim carrying an end user's tier; `PRIORITY_TIER` may submit every priority. */
export const TIER_CLAIM = 'tier';
export const PRIORITY_TIER = 'priority';
/** What every signed-in user may submit. */
export const STANDARD_PRIORITIES: readonly Priority[] = ['normal', 'low'];

/** The priorities an account with these claims may submit from a browser. */
export function allowedPriorities(claims: Readonly<Record<string, unknown>> | null | undefined): readonly Priority[] {
  return claims?.[TIER_CLAIM] === PRIORITY_TIER ? PRIORITIES : STANDARD_PRIORITIES;
}
