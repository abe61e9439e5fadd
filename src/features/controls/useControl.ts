import type { ControlCommandInput, ControlPlan } from '@fq/worker/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCanOperate } from '../../auth/roles';
import { useUser } from '../../auth/session';
import { useData } from '../../data/context';
import { executeControl } from '../../data/controls';
import { describeError } from '../../data/errors';
import { useLiveDoc } from '../../data/hooks';
import { specs } from '../../data/queries';
import { useClock } from '../../lib/clock';

/** Human summary of what a control did, for the success message. */
export function describePlan(plan: ControlPlan): string {
  const skipped = plan.skipped.length;
  const applied = plan.applied.length;
  if (plan.command.type.startsWith('job.') && (skipped > 0 || applied > 1)) {
    const first = plan.skipped[0];
    return `${applied} job${applied === 1 ? '' : 's'} updated${skipped ? `, ${skipped} skipped (${first?.error.message ?? ''})` : ''}.`;
  }
  return 'Done.';
}

/**
 * Runs controls through the engine's one executor (see `executeControl`) as the signed-in
 * admin, with Firestore time from the server-clock estimate and the fleet's retention from
 * the stats document (one shared listener; the config's defaults until it has loaded).
 * Refreshes fetched pages afterwards; live views update through their listeners.
 */
export function useControl() {
  const { port, serverClock, prefix } = useData();
  const user = useUser();
  const canOperate = useCanOperate();
  const clock = useClock();
  const queryClient = useQueryClient();
  const stats = useLiveDoc(specs.queueStats());
  const retention = stats.data?.ok ? stats.data.data.controlRetention : undefined;
  const mutation = useMutation<ControlPlan, Error, ControlCommandInput>({
    mutationFn: (command) =>
      // The rules refuse it too; a viewer's control never leaves the browser.
      canOperate
        ? executeControl(
            port,
            command,
            { kind: 'admin', id: user.uid, email: user.email },
            () => serverClock.serverNow(clock.now()),
            retention,
          )
        : Promise.reject(new Error('A viewer cannot run controls: this account has the viewer role, not admin.')),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['fq', prefix, 'page'] }),
  });
  return {
    run: mutation.mutateAsync,
    reset: mutation.reset,
    isPending: mutation.isPending,
    error: mutation.error ? describeError(mutation.error) : null,
    plan: mutation.data ?? null,
  };
}
