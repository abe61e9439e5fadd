import { AdminPage } from './snippets/AdminPage';
import { TranscriptionComponent } from './snippets/TranscriptionComponent';

/** The document's browser snippets on one page: the hook's component and the admin monitor. */
export function Snippets() {
  return (
    <main data-testid="snippets">
      <section data-testid="hook-snippet">
        <TranscriptionComponent />
      </section>
      <section data-testid="admin-snippet">
        <AdminPage />
      </section>
    </main>
  );
}
