import { Link } from 'react-router';
import { Header } from '../app/Header';
import type { AppServices } from '../app/services';
import { SignIn } from '../app/SignIn';
import { useSession } from '../auth/session';
import { Loading } from '../components/ui/States';
import { QueueClientGate } from './QueueClientGate';
import { TranscribePage } from './TranscribePage';

/** The end-user app at /app: any signed-in user, no admin claim needed. */
export function EndUserApp({ services }: { services: AppServices }) {
  const { state } = useSession();
  return (
    <div className="min-h-screen">
      <Header title="Firequeue transcription">
        {state.status === 'signed-in' && state.user.isAdmin && (
          <Link to="/" className="text-sm text-indigo-700 underline dark:text-indigo-300">
            Console
          </Link>
        )}
      </Header>
      {state.status === 'loading' ? (
        <Loading label="Checking your session…" />
      ) : state.status === 'signed-out' ? (
        <SignIn heading="Sign in to transcribe" allowSignUp />
      ) : (
        <QueueClientGate loadStore={services.loadQueueStore}>
          <TranscribePage />
        </QueueClientGate>
      )}
    </div>
  );
}
