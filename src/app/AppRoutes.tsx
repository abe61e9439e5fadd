import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { consoleRole } from '../auth/roles';
import { useSession } from '../auth/session';
import { Loading } from '../components/ui/States';
import { ConsoleLayout } from './ConsoleLayout';
import { DataGate } from './DataGate';
import { Header } from './Header';
import { NotAuthorised } from './NotAuthorised';
import type { AppServices } from './services';
import { SignIn } from './SignIn';

const EndUserApp = lazy(() => import('../enduser/EndUserApp').then((m) => ({ default: m.EndUserApp })));
const MonitorPage = lazy(() => import('../features/monitor/MonitorPage').then((m) => ({ default: m.MonitorPage })));

function ConsoleRoot({ services }: { services: AppServices }) {
  const { state } = useSession();
  return (
    <div className="min-h-screen">
      <Header title="Firequeue console" />
      {state.status === 'loading' ? (
        <Loading label="Checking your session…" />
      ) : state.status === 'signed-out' ? (
        <SignIn heading="Sign in to the console" />
      ) : consoleRole(state.user) === 'none' ? (
        <NotAuthorised user={state.user} />
      ) : (
        <DataGate services={services}>
          <ConsoleLayout backendLabel={services.backendLabel} />
        </DataGate>
      )}
    </div>
  );
}

/** `/app/*` is the end-user page (any signed-in user), `/monitor` the embeddable monitor; everything else is the admin console. */
export function AppRoutes({ services }: { services: AppServices }) {
  return (
    <Routes>
      <Route
        path="/app/*"
        element={
          <Suspense fallback={<Loading />}>
            <EndUserApp services={services} />
          </Suspense>
        }
      />
      <Route
        path="/monitor"
        element={
          <Suspense fallback={<Loading />}>
            <MonitorPage services={services} />
          </Suspense>
        }
      />
      <Route path="/*" element={<ConsoleRoot services={services} />} />
    </Routes>
  );
}
