import { PRIORITY_TIER, TENANT_CLAIM, TIER_CLAIM } from '@fq/worker';
import { validClientDocs, type ClientCase } from './client-cases.js';
import { int, pick, type Random } from './values.js';

/**
 * Tenant and priority-tier cases for the browser path: a valid submission written by a user
 * whose claims do or do not allow it. The rules bind an account to the prefix its `tenant`
 * claim names and take writes only into a prefix `firequeue_config/tenants` lists as
 * served; `high` and `urgent` need the `tier: 'priority'` claim. A case that must be refused
 * says so (`expect: 'denied'`); one that must pass is a control (admitted and succeeded).
 */
export interface AccessPrefixes {
  /** The run's prefix: served, the worker processes it. */
  served: string;
  /** Another served prefix (a second tenant of the same project). */
  otherServed: string;
  /** A prefix nobody serves. */
  unserved: string;
}

export interface AccessCase extends ClientCase {
  /** The user's custom claims (they replace the default `{ tenant: served }`). */
  claims: Record<string, unknown>;
  /** Written into this prefix's collections (the run's unless said otherwise). */
  prefix: string;
}

interface AccessKind {
  category: string;
  mustPass: boolean;
  build(p: AccessPrefixes, r: Random): { claims: Record<string, unknown>; prefix?: string; priority?: string; note: string };
}

const KINDS: readonly AccessKind[] = [
  {
    category: 'tenant: claim names another served prefix',
    mustPass: false,
    build: (p) => ({ claims: { [TENANT_CLAIM]: p.otherServed }, note: `tenant ${JSON.stringify(p.otherServed)} writing into ${JSON.stringify(p.served)}` }),
  },
  {
    category: 'tenant: no tenant claim (the default tenant)',
    mustPass: false,
    build: () => ({ claims: {}, note: 'no tenant claim' }),
  },
  {
    category: 'tenant: claim is a prefix of the collection prefix',
    mustPass: false,
    build: (p) => ({ claims: { [TENANT_CLAIM]: p.served.slice(0, Math.max(1, p.served.length - 3)) }, note: 'tenant claim cut short' }),
  },
  {
    category: 'tenant: its own prefix, not served',
    mustPass: false,
    build: (p) => ({ claims: { [TENANT_CLAIM]: p.unserved }, prefix: p.unserved, note: `tenant ${JSON.stringify(p.unserved)}, not in servedPrefixes` }),
  },
  {
    category: 'tenant: its own served prefix (control)',
    mustPass: true,
    build: (p) => ({ claims: { [TENANT_CLAIM]: p.served }, note: 'the run tenant' }),
  },
  {
    category: 'tier: high or urgent without the tier claim',
    mustPass: false,
    build: (p, r) => ({ claims: { [TENANT_CLAIM]: p.served }, priority: pick(r, ['high', 'urgent']), note: 'no tier claim' }),
  },
  {
    category: 'tier: high or urgent with a wrong tier claim',
    mustPass: false,
    build: (p, r) => {
      const tier = pick(r, ['Priority', 'PRIORITY', 'gold', 'priority ', true, 1, ['priority']]);
      return { claims: { [TENANT_CLAIM]: p.served, [TIER_CLAIM]: tier }, priority: pick(r, ['high', 'urgent']), note: `tier claim ${JSON.stringify(tier)}` };
    },
  },
  {
    category: 'tier: high or urgent with the priority tier (control)',
    mustPass: true,
    build: (p, r) => ({ claims: { [TENANT_CLAIM]: p.served, [TIER_CLAIM]: PRIORITY_TIER }, priority: pick(r, ['high', 'urgent']), note: 'priority tier' }),
  },
  {
    category: 'tier: normal or low with the priority tier (control)',
    mustPass: true,
    build: (p, r) => ({ claims: { [TENANT_CLAIM]: p.served, [TIER_CLAIM]: PRIORITY_TIER }, priority: pick(r, ['normal', 'low']), note: 'priority tier, plain priority' }),
  },
];

export const ACCESS_CATEGORIES = KINDS.map((k) => k.category);

/** One access case; each has its own user, so claims never mix within a web client. */
export async function accessCase(n: number, random: Random, prefixes: AccessPrefixes): Promise<AccessCase> {
  const kind = KINDS[n % KINDS.length]!;
  const built = kind.build(prefixes, random);
  const uid = `fz-acc-${n}-${int(random, 0, 9_999)}`;
  const docs = await validClientDocs(n, uid);
  if (built.priority) docs.job.priority = built.priority;
  return {
    n,
    via: 'web',
    uid,
    categories: [kind.category, ...(kind.mustPass ? ['valid (control)'] : [])],
    notes: [built.note, ...(built.priority ? [`priority ${built.priority}`] : [])],
    docs,
    ...(kind.mustPass ? {} : { expect: 'denied' as const }),
    trueDurationSec: null,
    claims: built.claims,
    prefix: built.prefix ?? prefixes.served,
  };
}
