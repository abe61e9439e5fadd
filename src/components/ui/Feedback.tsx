/** Inline result of an action; `role=status`/`alert` so screen readers announce it. */
export type FeedbackState =
  | { kind: 'idle' }
  | { kind: 'pending'; message: string }
  | { kind: 'success'; message: string }
  | { kind: 'error'; message: string };

export function Feedback({ state, testId }: { state: FeedbackState; testId?: string }) {
  if (state.kind === 'idle') return null;
  const styles = {
    pending: 'text-slate-600 dark:text-slate-300',
    success: 'text-emerald-700 dark:text-emerald-400',
    error: 'text-red-700 dark:text-red-400',
  }[state.kind];
  return (
    <p
      role={state.kind === 'error' ? 'alert' : 'status'}
      data-testid={testId}
      data-state={state.kind}
      className={`text-sm ${styles}`}
    >
      {state.message}
    </p>
  );
}
