import type { DocSpec, QuerySpec } from '../data/specs';
import { QUERIES } from '@fq/worker/schema';
import { jobSearchSpec, specs } from '../data/queries';
import { specOf } from '../data/specs';
import { RANGE_SPECS, rollupLimit } from '../features/analytics/series';
import { shellSpecs } from '../features/incidents/sources';
import { overviewSpecs } from '../features/overview/sources';
import { SERVER_LOAD_POLL_MS } from '../features/servers/health';

/**
 * What each console page reads while it is open, for the read-cost bench
 * (`dashboardReads.ts`): its listeners (the console shell's incident strip included, which
 * every page shows) and the pages it fetches, with how often it fetches them again. The
 * bench opens exactly these; `consolePages.test.tsx` renders each page with a recording data
 * port and checks that it opens these and nothing else, so the two cannot drift apart.
 */
export const CONSOLE_PAGES = ['overview', 'queues', 'jobs', 'breakers', 'limits', 'servers', 'locks', 'analytics', 'audit', 'alerts', 'job'] as const;
export type ConsolePage = (typeof CONSOLE_PAGES)[number];

export interface Fetched {
  spec: QuerySpec;
  /** Fetched again this often while the page is open; null: once, when it opens. */
  everyMs: number | null;
}

export interface PageReads {
  /** The route the page is at (`:jobId` filled in). */
  path: string;
  live: Record<string, DocSpec | QuerySpec>;
  fetched: Record<string, Fetched>;
}

/** Page sizes and intervals the pages use by default (kept in step by the page test). */
export const JOB_TABLE_PAGE = 25;
export const TOP_CONSUMERS = { limit: 10, everyMs: 30_000 };
export const AUDIT_PAGE = 25;
export const ALERT_FEED = 20;

/** `jobId`: the job the job detail page shows. */
export function consolePageReads(jobId: string): Record<ConsolePage, PageReads> {
  const shell = shellSpecs();
  const page = (path: string, live: PageReads['live'], fetched: PageReads['fetched'] = {}): PageReads => ({ path, live: { ...shell, ...live }, fetched });
  // Queue controls (pause switches) above the job table, and the latest bulk controls' progress
  // ("Apply to all matching", its RECENT), on the Queues & jobs page.
  const queueControls = { controls: specs.controls(), stats: specs.queueStats(), bulk: specOf(QUERIES.recentBulkControls, {}, 3) };
  return {
    overview: page('/', overviewSpecs()),
    queues: page('/queues', queueControls, { jobTable: { spec: jobSearchSpec({}, JOB_TABLE_PAGE), everyMs: null } }),
    // The job list as the red dead-letter count opens it.
    jobs: page('/queues?status=dead_lettered', queueControls, { jobTable: { spec: jobSearchSpec({ status: 'dead_lettered' }, JOB_TABLE_PAGE), everyMs: null } }),
    breakers: page('/breakers', { breakers: specs.breakers(), stats: specs.queueStats() }),
    limits: page('/limits', { budgets: specs.budgets() }, { topConsumers: { spec: specs.topConsumers(TOP_CONSUMERS.limit), everyMs: TOP_CONSUMERS.everyMs } }),
    // The fleet from the stats document's summary; each server's load read every 30 s (and at
    // once when the summary or the leader changes, and one server's document when its heartbeat
    // deadline passes with no leader judging: events, not modelled here).
    servers: page(
      '/servers',
      { leader: specs.leader(), stats: specs.queueStats(), controls: specs.controls() },
      { serverLoad: { spec: specs.servers(), everyMs: SERVER_LOAD_POLL_MS } },
    ),
    locks: page('/locks', { locks: specs.locks() }),
    analytics: page('/analytics', { rollups: specs.rollups('minute', rollupLimit(RANGE_SPECS['15m'])) }),
    audit: page('/audit', { latest: specs.audit(AUDIT_PAGE) }),
    alerts: page('/alerts', { feed: specs.alerts(ALERT_FEED) }),
    job: page(`/jobs/${jobId}`, { job: specs.job(jobId) }),
  };
}
