import type { ReactNode } from 'react';
import type { LiveResult } from '../../live/react';
import { ErrorState, Loading } from './States';

/**
 * Loading / error / data for a live result. Errors keep showing the last data under the
 * alert (a listener that died still has useful numbers).
 */
export function LiveView<T>({ result, what, children }: { result: LiveResult<T>; what: string; children: (data: T) => ReactNode }) {
  if (result.data === undefined) {
    if (result.error) return <ErrorState what={what} error={result.error} onRetry={result.retry} />;
    return <Loading label={`Loading ${what}…`} />;
  }
  return (
    <>
      {result.error && <ErrorState what={what} error={result.error} onRetry={result.retry} />}
      {children(result.data)}
    </>
  );
}
