import { ConfigError } from '../firebase/config';

/** Shown when the console cannot start (bad configuration): says which setting to fix. */
export function StartupError({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 px-6 py-4 dark:border-slate-800">
        <h1 className="text-xl font-semibold">Firequeue console</h1>
      </header>
      <main className="p-6">
        <div role="alert" className="max-w-xl rounded-md border border-red-300 bg-red-50 p-4 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
          <p className="font-semibold">The console cannot start.</p>
          <p>{message}</p>
          {error instanceof ConfigError && (
            <p className="mt-2">
              Check <code>{error.field}</code> in the build environment (<code>VITE_*</code>), <code>/config.json</code> or{' '}
              <code>window.__FIREQUEUE_CONFIG__</code>.
            </p>
          )}
        </div>
      </main>
    </div>
  );
}
