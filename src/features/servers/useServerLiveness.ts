import type { ServerLiveness } from '@fq/worker/schema';
import { useLiveDoc } from '../../data/hooks';
import { specs } from '../../data/queries';
import { publishedLiveness } from './health';

/**
 * The fleet's liveness settings from the stats document (one shared listener, which the
 * Overview page holds anyway), the config's defaults until the leader has published them.
 */
export function useServerLiveness(): ServerLiveness {
  const stats = useLiveDoc(specs.queueStats());
  return publishedLiveness(stats.data?.ok ? stats.data.data : null);
}
