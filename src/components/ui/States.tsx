import type { ReactNode } from 'react';
import { Button } from './Button';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div role="status" aria-live="polite" className="animate-pulse py-6 text-sm text-slate-500 dark:text-slate-400">
      {label}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <div className="rounded-md border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
      {children}
    </div>
  );
}

export function ErrorState({ error, onRetry, what }: { error: Error | string; onRetry?: () => void; what?: string }) {
  const message = typeof error === 'string' ? error : error.message;
  return (
    <div
      role="alert"
      className="flex flex-wrap items-center gap-3 rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
    >
      <span>
        {what ? `Could not load ${what}: ` : ''}
        {message}
      </span>
      {onRetry && (
        <Button size="sm" onClick={onRetry}>
          Retry
        </Button>
      )}
    </div>
  );
}

/** A document that failed schema validation, shown in place instead of crashing the page. */
export function InvalidRow({ id, error, colSpan }: { id: string; error: string; colSpan?: number }) {
  const body = (
    <span className="text-red-700 dark:text-red-400">
      <strong className="font-mono">{id}</strong>: {error}
    </span>
  );
  return colSpan ? (
    <tr data-testid="invalid-row">
      <td colSpan={colSpan} className="px-3 py-2 text-sm">
        {body}
      </td>
    </tr>
  ) : (
    <div data-testid="invalid-row" role="note" className="rounded-md border border-red-300 px-3 py-2 text-sm dark:border-red-800">
      {body}
    </div>
  );
}
