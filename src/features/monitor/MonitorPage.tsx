import { EnterpriseQueueMonitor } from '@fq/client/react';
import { Header } from '../../app/Header';
import { NotAuthorised } from '../../app/NotAuthorised';
import type { AppServices } from '../../app/services';
import { SignIn } from '../../app/SignIn';
import { consoleRole } from '../../auth/roles';
import { useSession } from '../../auth/session';
import { Loading } from '../../components/ui/States';
import { QueueClientGate } from '../../enduser/QueueClientGate';

/**
 * `/monitor`: the console's read-only fleet summary as the embeddable
 * `<EnterpriseQueueMonitor />` of `@fq/client/react`, rendered exactly as an app's admin page
 * would (inside a provider, no props), over the same `@fq/client` store the end-user page
 * uses, not the console's data layer. Operators and viewers only.
 */
export function MonitorPage({ services }: { services: AppServices }) {
  const { state } = useSession();
  return (
    <div className="min-h-screen">
      <Header title="Firequeue monitor" />
      {state.status === 'loading' ? (
        <Loading label="Checking your session…" />
      ) : state.status === 'signed-out' ? (
        <SignIn heading="Sign in to the monitor" />
      ) : consoleRole(state.user) === 'none' ? (
        <NotAuthorised user={state.user} />
      ) : (
        <main className="p-4">
          <QueueClientGate loadStore={services.loadQueueStore}>
            <EnterpriseQueueMonitor />
          </QueueClientGate>
        </main>
      )}
    </div>
  );
}
