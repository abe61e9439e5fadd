import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { AuthPort, SessionUser } from './port';

export type SessionState = { status: 'loading' } | { status: 'signed-out' } | { status: 'signed-in'; user: SessionUser };

interface SessionContextValue {
  state: SessionState;
  auth: AuthPort;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ auth, children }: { auth: AuthPort; children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  useEffect(
    () => auth.onChange((user) => setState(user ? { status: 'signed-in', user } : { status: 'signed-out' })),
    [auth],
  );
  return <SessionContext.Provider value={{ state, auth }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession must be used inside <SessionProvider>');
  return ctx;
}

/** The signed-in user; only for components rendered behind a session gate. */
export function useUser(): SessionUser {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useUser needs a signed-in session');
  return state.user;
}
