import type { Supervisor } from '../process/supervisor.js';
import { describeExit } from '../process/child.js';
import { paths, tsxArgs } from '../paths.js';
import type { Account } from '../types.js';

/** Creates (or resets) the admin and user accounts in the Auth emulator, with firebase-admin in a child process. */
export async function seedAccounts(
  supervisor: Supervisor,
  options: { authHostAndPort: string; projectId: string; prefix: string; admin: Account; users: readonly Account[]; timeoutMs: number },
): Promise<void> {
  // Every account belongs to the system's tenant (its collection prefix): the rules let an
  // account touch only the collections its `tenant` claim names.
  const tenant = options.prefix;
  const accounts = [{ ...options.admin, admin: true, tenant }, ...options.users.map((u) => ({ ...u, admin: false, tenant }))];
  const env = { ...supervisor.childEnv(), FIREBASE_AUTH_EMULATOR_HOST: options.authHostAndPort, GCLOUD_PROJECT: options.projectId };
  const child = supervisor.spawn({
    name: 'account seeding',
    logName: 'seed-accounts',
    essential: false,
    args: tsxArgs(paths.seedAccounts, []),
    env,
    stdin: JSON.stringify(accounts),
  });
  child.expectEnd();
  const timer = setTimeout(() => child.signal('SIGKILL'), options.timeoutMs);
  const exit = await child.exited;
  clearTimeout(timer);
  if (exit.code !== 0) {
    throw new Error(`seeding accounts failed (${describeExit(exit)}):\n${child.lastOutput()}`);
  }
}
