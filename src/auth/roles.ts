import type { SessionUser } from './port';
import { useUser } from './session';

/**
 * What a signed-in account may do in the console, decided here and nowhere else:
 * - `operator` (the `admin` claim): every page and every control;
 * - `viewer` (the `viewer` claim without `admin`): every page, no control;
 * - `none`: not the console (the end-user app only).
 * The security rules say the same (`isAdmin()` / `isViewer()` in firestore.rules): a control
 * the UI hid is refused there too.
 */
export type ConsoleRole = 'operator' | 'viewer' | 'none';

export function consoleRole(user: Pick<SessionUser, 'isAdmin' | 'isViewer'>): ConsoleRole {
  if (user.isAdmin) return 'operator';
  return user.isViewer ? 'viewer' : 'none';
}

/** Whether the signed-in user may run controls (pause, cancel, force open, drain, ...). */
export function useCanOperate(): boolean {
  return consoleRole(useUser()) === 'operator';
}
