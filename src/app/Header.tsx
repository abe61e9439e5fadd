import type { ReactNode } from 'react';
import { consoleRole } from '../auth/roles';
import { useSession } from '../auth/session';
import { Button } from '../components/ui/Button';
import { ThemeToggle } from './ThemeToggle';

/** Top bar shared by the console and the end-user app: title, identity, theme, sign-out. */
export function Header({ title, children }: { title: string; children?: ReactNode }) {
  const { state, auth } = useSession();
  return (
    <header className="flex flex-wrap items-center gap-3 border-b border-slate-200 bg-white px-6 py-3 dark:border-slate-800 dark:bg-slate-900">
      <h1 className="text-xl font-semibold">{title}</h1>
      <div className="flex-1">{children}</div>
      <ThemeToggle />
      {state.status === 'signed-in' && (
        <div className="flex items-center gap-3 text-sm">
          <span data-testid="signed-in-user" className="text-slate-600 dark:text-slate-300">
            {state.user.email ?? state.user.uid}
            {state.user.isAdmin && <span className="ml-1 text-xs text-indigo-600 dark:text-indigo-400">(admin)</span>}
            {consoleRole(state.user) === 'viewer' && (
              <span className="ml-1 text-xs text-slate-500 dark:text-slate-400" title="Sees every page, runs no control">
                (viewer)
              </span>
            )}
          </span>
          <Button size="sm" onClick={() => void auth.signOut()}>
            Sign out
          </Button>
        </div>
      )}
    </header>
  );
}
