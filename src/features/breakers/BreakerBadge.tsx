import type { BreakerDoc } from '@fq/worker/schema';
import { Badge, type Tone } from '../../components/ui/Card';

const TONE: Record<BreakerDoc['state'], Tone> = { closed: 'good', half_open: 'warn', open: 'bad' };
const LABEL: Record<BreakerDoc['state'], string> = { closed: 'closed', half_open: 'half-open', open: 'open' };

export function BreakerBadge({ breaker, testId }: { breaker: Pick<BreakerDoc, 'state' | 'override'>; testId?: string }) {
  return (
    <span className="inline-flex gap-1" data-testid={testId} data-state={breaker.state}>
      <Badge tone={TONE[breaker.state]}>{LABEL[breaker.state]}</Badge>
      {breaker.override && <Badge tone="info">{breaker.override === 'force_open' ? 'forced open' : 'forced closed'}</Badge>}
    </span>
  );
}
