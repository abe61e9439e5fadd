export function App() {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 px-6 py-4 dark:border-slate-800">
        <h1 className="text-xl font-semibold">Firequeue console</h1>
      </header>
      <main className="p-6">
        <p>Transcription queue operations.</p>
      </main>
    </div>
  );
}
