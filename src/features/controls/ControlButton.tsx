import type { ControlCommandInput } from '@fq/worker/core';
import { useId, useRef, useState, type ReactNode } from 'react';
import { useCanOperate } from '../../auth/roles';
import { Button, type ButtonProps } from '../../components/ui/Button';
import { Dialog } from '../../components/ui/Dialog';
import { Feedback, type FeedbackState } from '../../components/ui/Feedback';
import { focusRing } from '../../components/ui/Button';
import { claimLatestControl, useIsLatestControl } from './latestControl';
import { describePlan, useControl } from './useControl';

export interface ControlButtonProps {
  /** Button text, also its accessible name ("Force open"). */
  label: string;
  /** Dialog title ("Force the breaker open?"). */
  title: string;
  /** Exactly what will happen, in plain words. */
  description: ReactNode;
  /** The command; a function is evaluated at confirm time (with the typed reason). */
  command: ControlCommandInput | ((reason: string | null) => ControlCommandInput);
  variant?: ButtonProps['variant'];
  size?: ButtonProps['size'];
  disabled?: boolean;
  testId?: string;
  /** Called after the control committed. */
  onDone?: () => void;
}

/**
 * A control behind a confirmation dialog: the dialog says what will happen, takes an
 * optional reason (recorded in the audit entry), and shows pending and error states; the
 * outcome stays visible next to the button until another control runs (see latestControl).
 * A viewer (see `auth/roles`) gets nothing at all: every control of the console is one of
 * these, so hiding them here hides them everywhere.
 */
export function ControlButton(props: ControlButtonProps) {
  return useCanOperate() ? <OperatorControlButton {...props} /> : null;
}

function OperatorControlButton(props: ControlButtonProps) {
  const { label, title, description, command, variant = 'secondary', size = 'sm', disabled, testId, onDone } = props;
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [feedback, setFeedback] = useState<FeedbackState>({ kind: 'idle' });
  const control = useControl();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const reasonId = useId();
  const buttonId = useId();
  const latest = useIsLatestControl(buttonId);

  const close = () => {
    if (control.isPending) return;
    setOpen(false);
    control.reset();
  };

  const confirm = async () => {
    const trimmed = reason.trim() || null;
    const input = typeof command === 'function' ? command(trimmed) : { ...command, reason: trimmed };
    claimLatestControl(buttonId);
    setFeedback({ kind: 'pending', message: `${label}: applying…` });
    try {
      const plan = await control.run(input);
      setFeedback({ kind: 'success', message: `${label}: ${describePlan(plan)}` });
      setOpen(false);
      setReason('');
      control.reset();
      onDone?.();
    } catch {
      // The dialog shows the error (control.error); the page keeps a copy.
      setFeedback({ kind: 'idle' });
    }
  };

  return (
    <span className="inline-flex flex-col items-start gap-1">
      <Button
        variant={variant}
        size={size}
        disabled={disabled}
        data-testid={testId}
        onClick={() => {
          setFeedback({ kind: 'idle' });
          setOpen(true);
        }}
      >
        {label}
      </Button>
      <Feedback state={latest ? feedback : { kind: 'idle' }} testId={testId ? `${testId}-feedback` : undefined} />
      <Dialog open={open} title={title} onClose={close} initialFocus={cancelRef} testId="confirm-dialog">
        <div className="space-y-3 text-sm">
          <div className="text-slate-700 dark:text-slate-300">{description}</div>
          <label htmlFor={reasonId} className="block text-xs font-medium text-slate-600 dark:text-slate-400">
            Reason (optional, recorded in the audit log)
          </label>
          <textarea
            id={reasonId}
            value={reason}
            maxLength={500}
            rows={2}
            onChange={(e) => setReason(e.target.value)}
            className={`w-full rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-800 ${focusRing}`}
          />
          {control.error && (
            <p role="alert" className="text-red-700 dark:text-red-400">
              {control.error}
            </p>
          )}
          <div className="flex justify-end gap-2 pt-2">
            <Button ref={cancelRef} onClick={close} disabled={control.isPending}>
              Cancel
            </Button>
            <Button
              variant={variant === 'danger' ? 'danger' : 'primary'}
              onClick={() => void confirm()}
              disabled={control.isPending}
              aria-busy={control.isPending}
            >
              {control.isPending ? 'Applying…' : 'Confirm'}
            </Button>
          </div>
        </div>
      </Dialog>
    </span>
  );
}
