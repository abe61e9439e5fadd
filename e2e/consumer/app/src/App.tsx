import { createQueueClient, describeError, firestoreQueueStore } from '@fq/client';
import { TranscriptionQueueProvider, TranscriptionQueueStatus, useTranscriptionQueue } from '@fq/client/react';
import { onAuthStateChanged, signInAnonymously, signInWithCustomToken, type User } from 'firebase/auth';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { auth, customToken, db, prefix, view } from './firebase';
import { Snippets } from './Snippets';

/**
 * Signs in (anonymously on the Auth emulator, or with the custom token in `?token=`) and gives
 * the page a queue client for that user; `?view=snippets` shows the design document's
 * browser snippets instead of the form.
 */
export function App() {
  const [user, setUser] = useState<User | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  // With a token, only the user it signs in: the browser may still hold an earlier (anonymous)
  // session, which onAuthStateChanged would report first.
  useEffect(() => (customToken ? undefined : onAuthStateChanged(auth, setUser)), []);
  useEffect(() => {
    const signIn = customToken ? signInWithCustomToken(auth, customToken).then((credential) => setUser(credential.user)) : signInAnonymously(auth);
    signIn.catch((error: unknown) => setProblem(String(error)));
  }, []);
  const client = useMemo(() => (user ? createQueueClient({ store: firestoreQueueStore(db, { prefix }), userId: user.uid }) : null), [user]);

  if (problem) return <p role="alert">Sign-in failed: {problem}</p>;
  if (!client) return <p>Signing in…</p>;
  return (
    <TranscriptionQueueProvider client={client}>
      {view === 'snippets' ? <Snippets /> : <Transcribe />}
    </TranscriptionQueueProvider>
  );
}

/** One form and the user's requests: the hook submits and lists, the status component shows each. */
function Transcribe() {
  const { queueTranscription, requests, error } = useTranscriptionQueue();
  const [file, setFile] = useState<File | null>(null);
  const [submitted, setSubmitted] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    setProblem(null);
    try {
      setSubmitted(await queueTranscription(file, { priority: 'normal' }));
    } catch (e) {
      setProblem(describeError(e));
    }
  }

  return (
    <main data-testid="ready">
      <form onSubmit={(event) => void submit(event)}>
        <label>
          Audio file <input type="file" accept="audio/*" onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
        </label>
        <button type="submit" disabled={!file}>
          Transcribe
        </button>
      </form>
      {problem && <p role="alert">{problem}</p>}
      {error && <p role="alert">{error.message}</p>}
      {submitted && (
        <section data-testid="submitted">
          <TranscriptionQueueStatus requestId={submitted} />
        </section>
      )}
      <ul data-testid="requests">
        {requests.map((request) => (
          <li key={request.requestId}>
            <TranscriptionQueueStatus request={request} />
          </li>
        ))}
      </ul>
    </main>
  );
}
