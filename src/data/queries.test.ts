import { JOB_STATUSES, QUERIES, registeredQueryName, requiredIndex, UnregisteredQueryError } from '@fq/worker/schema';
import { describe, expect, it } from 'vitest';
import { FakeData } from '../test/fakeData';
import { jobSearchSpec, specs, type JobFilter } from './queries';
import { querySpec, where } from './specs';

describe('every query of the console is a registered shape', () => {
  it('the live and paged specs', () => {
    const all = [
      specs.servers(),
      specs.breakers(),
      specs.budgets(),
      specs.locks(),
      specs.rollups('minute', 60),
      specs.topConsumers(10),
      specs.audit(25),
      specs.audit(25, 1_000),
      specs.auditForJob('j1', 50),
    ];
    for (const spec of all) expect(registeredQueryName(spec), JSON.stringify(spec)).not.toBeNull();
  });

  it('every combination of job-table filters (each needs its own index)', () => {
    const filters: JobFilter[] = [];
    for (const userId of [undefined, 'u']) {
      for (const status of [undefined, JOB_STATUSES[1]]) {
        for (const fromMs of [undefined, 1]) for (const toMs of [undefined, 2]) filters.push({ userId, status, fromMs, toMs });
      }
    }
    const indexes = new Set<string>();
    for (const f of filters) {
      const spec = jobSearchSpec(f, 50);
      expect(registeredQueryName(spec), JSON.stringify(f)).not.toBeNull();
      const req = requiredIndex(spec);
      if (req) indexes.add(JSON.stringify(req));
    }
    // (userId, createdAt desc), (status, createdAt desc), (userId, status, createdAt desc).
    expect(indexes.size).toBe(3);
    expect(QUERIES.jobSearch.usedBy).toContain('dashboard');
  });

  it('the test data refuses a query that needs a composite index and is not registered', async () => {
    const data = new FakeData();
    const adHoc = querySpec('jobs', { where: [where('status', '==', 'queued')], orderBy: [{ field: 'updatedAt', direction: 'desc' }], limit: 5 });
    await expect(data.getPage(adHoc, null)).rejects.toBeInstanceOf(UnregisteredQueryError);
    await expect(data.getPage(jobSearchSpec({ status: 'queued' }, 5), null)).resolves.toMatchObject({ rows: [] });
  });
});
