import type { Auth, UserRecord } from 'firebase-admin/auth';
import { collectionPrefixSchema, TENANT_CLAIM, tenantOfClaims } from '@fq/worker/schema';

export interface AccountSpec {
  email: string;
  /** Set (or reset) the password; omit to leave an existing account's password alone. */
  password?: string;
  /** true grants the `admin` custom claim, false removes it, undefined leaves claims alone. */
  admin?: boolean;
  /** Likewise the `viewer` claim: every console page, no control (see src/auth/roles.ts). */
  viewer?: boolean;
  /** Create the account when it does not exist (otherwise that is an error). */
  create?: boolean;
  /**
   * The tenant (collection prefix) the account belongs to: sets the `tenant` claim ("" removes
   * it: the default tenant); undefined leaves it alone. The rules let an account touch only
   * its tenant's collections, admins included.
   */
  tenant?: string;
}

export interface AccountResult {
  email: string;
  uid: string;
  created: boolean;
  admin: boolean;
  viewer: boolean;
  /** The account's tenant after the change ("" = the default tenant). */
  tenant: string;
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'auth/user-not-found';
}

/**
 * Makes an account look like `spec`, idempotently: create or update the password, then set
 * or clear the `admin` claim while keeping any other custom claims. The dashboard reads the
 * claim from the ID token, so a signed-in user sees a change after a token refresh
 * ("Refresh access") or the next sign-in.
 */
export async function ensureAccount(auth: Auth, spec: AccountSpec): Promise<AccountResult> {
  let user: UserRecord | null = null;
  try {
    user = await auth.getUserByEmail(spec.email);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  let created = false;
  if (!user) {
    if (!spec.create) throw new Error(`no account with email ${spec.email} (pass --create to make one)`);
    if (!spec.password) throw new Error(`a new account needs a password (${spec.email})`);
    user = await auth.createUser({ email: spec.email, password: spec.password, emailVerified: true });
    created = true;
  } else if (spec.password) {
    user = await auth.updateUser(user.uid, { password: spec.password });
  }
  const claims: Record<string, unknown> = { ...(user.customClaims ?? {}) };
  if (spec.admin !== undefined) {
    if (spec.admin) claims.admin = true;
    else delete claims.admin;
  }
  if (spec.viewer !== undefined) {
    if (spec.viewer) claims.viewer = true;
    else delete claims.viewer;
  }
  if (spec.tenant !== undefined) {
    if (spec.tenant) claims[TENANT_CLAIM] = collectionPrefixSchema.parse(spec.tenant);
    else delete claims[TENANT_CLAIM];
  }
  if (spec.admin !== undefined || spec.viewer !== undefined || spec.tenant !== undefined) {
    await auth.setCustomUserClaims(user.uid, Object.keys(claims).length > 0 ? claims : null);
  }
  return { email: spec.email, uid: user.uid, created, admin: claims.admin === true, viewer: claims.viewer === true, tenant: tenantOfClaims(claims) };
}
