import type { SystemClient } from '../../../system/index.js';

/**
 * The Auth emulator's uid for an account: a password sign-in through its REST API (the
 * emulator takes any API key). Specs that enqueue on behalf of a signed-in end user need it.
 */
export async function uidOf(system: SystemClient, account: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${system.info.auth.url}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=e2e`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: account.email, password: account.password, returnSecureToken: true }),
  });
  const body = (await res.json()) as { localId?: string; error?: { message?: string } };
  if (!res.ok || !body.localId) throw new Error(`sign-in of ${account.email} on the Auth emulator failed: ${body.error?.message ?? res.status}`);
  return body.localId;
}
