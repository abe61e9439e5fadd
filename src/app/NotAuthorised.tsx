import { useState } from 'react';
import { Link } from 'react-router';
import type { SessionUser } from '../auth/port';
import { useSession } from '../auth/session';
import { Button } from '../components/ui/Button';

/** Signed in, but with neither the `admin` nor the `viewer` custom claim. */
export function NotAuthorised({ user }: { user: SessionUser }) {
  const { auth } = useSession();
  const [checking, setChecking] = useState(false);
  return (
    <div role="alert" data-testid="not-authorised" className="mx-auto mt-16 max-w-lg space-y-3 rounded-lg border border-amber-300 bg-amber-50 p-6 dark:border-amber-800 dark:bg-amber-950">
      <h2 className="text-lg font-semibold">Not authorised</h2>
      <p className="text-sm">
        You are signed in as <strong>{user.email ?? user.uid}</strong>, but this account has neither the{' '}
        <code>admin</code> nor the <code>viewer</code> claim, so it cannot see the operations console.
      </p>
      <p className="text-sm">
        Ask an administrator to grant it. If it was just granted, refresh your access. To transcribe audio, use the{' '}
        <Link to="/app" className="text-indigo-700 underline dark:text-indigo-300">
          transcription app
        </Link>
        .
      </p>
      <div className="flex gap-2">
        <Button
          disabled={checking}
          onClick={() => {
            setChecking(true);
            void auth.refreshClaims().finally(() => setChecking(false));
          }}
        >
          {checking ? 'Checking…' : 'Refresh access'}
        </Button>
        <Button onClick={() => void auth.signOut()}>Sign out</Button>
      </div>
    </div>
  );
}
