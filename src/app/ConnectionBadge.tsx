import { Badge, type Tone } from '../components/ui/Card';
import type { ConnectionState } from '../live/connection';
import { useConnection } from '../live/react';

const VIEW: Record<ConnectionState, { tone: Tone; label: string }> = {
  live: { tone: 'good', label: 'Live' },
  reconnecting: { tone: 'warn', label: 'Reconnecting' },
  offline: { tone: 'bad', label: 'Offline' },
  connecting: { tone: 'info', label: 'Connecting' },
  idle: { tone: 'neutral', label: 'Idle' },
};

export function ConnectionBadge() {
  const c = useConnection();
  const view = VIEW[c.state];
  return (
    <span role="status" aria-live="polite" data-testid="connection-state" data-state={c.state} className="inline-flex items-center gap-2">
      <Badge tone={view.tone}>
        <span aria-hidden="true" className="mr-1">
          ●
        </span>
        {view.label}
      </Badge>
      {c.errors > 0 && (
        <Badge tone="bad">
          {c.errors} listener{c.errors === 1 ? '' : 's'} failed
        </Badge>
      )}
    </span>
  );
}
