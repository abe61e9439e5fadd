import { useId, useState, type FormEvent } from 'react';
import { AuthFailure } from '../auth/port';
import { useSession } from '../auth/session';
import { Button, focusRing } from '../components/ui/Button';

const inputClass = `w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-600 dark:bg-slate-800 ${focusRing}`;

/** Email/password sign-in (works against the Auth emulator); optional account creation. */
export function SignIn({ heading, allowSignUp = false }: { heading: string; allowSignUp?: boolean }) {
  const { auth } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [mode, setMode] = useState<'sign-in' | 'sign-up'>('sign-in');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const emailId = useId();
  const passwordId = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setPending(true);
    setError(null);
    try {
      if (mode === 'sign-in') await auth.signIn(email, password);
      else await auth.signUp(email, password);
    } catch (err) {
      setError(err instanceof AuthFailure ? err.message : 'Sign-in failed. Try again.');
      setPending(false);
    }
  };

  return (
    <div className="mx-auto mt-16 max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <h2 className="mb-4 text-lg font-semibold">{mode === 'sign-in' ? heading : 'Create an account'}</h2>
      <form onSubmit={(e) => void submit(e)} className="space-y-4" aria-label={mode === 'sign-in' ? 'Sign in' : 'Create account'}>
        <div className="space-y-1">
          <label htmlFor={emailId} className="block text-sm font-medium">
            Email
          </label>
          <input id={emailId} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} className={inputClass} />
        </div>
        <div className="space-y-1">
          <label htmlFor={passwordId} className="block text-sm font-medium">
            Password
          </label>
          <input
            id={passwordId}
            type="password"
            autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            className={inputClass}
          />
        </div>
        {error && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
        <Button type="submit" variant="primary" className="w-full" disabled={pending}>
          {pending ? 'Signing in…' : mode === 'sign-in' ? 'Sign in' : 'Create account'}
        </Button>
      </form>
      {allowSignUp && (
        <p className="mt-4 text-center text-sm">
          <button
            type="button"
            className={`text-indigo-600 underline dark:text-indigo-400 ${focusRing}`}
            onClick={() => {
              setMode(mode === 'sign-in' ? 'sign-up' : 'sign-in');
              setError(null);
            }}
          >
            {mode === 'sign-in' ? 'No account? Create one' : 'Have an account? Sign in'}
          </button>
        </p>
      )}
    </div>
  );
}
