import { describe, expect, it } from 'vitest';
import { FaultPlan, faultRequestSchema, projectOfRequest } from './fault-plan.js';

const parse = (body: unknown) => faultRequestSchema.parse(body);

describe('FaultPlan', () => {
  it('keeps delays per project and method, with * as the fallback', () => {
    const plan = new FaultPlan();
    plan.apply('p1', parse({ delays: { Commit: 200, '*': 10 } }));
    expect(plan.delayFor('p1', 'Commit')).toBe(200);
    expect(plan.delayFor('p1', 'RunQuery')).toBe(10);
    expect(plan.delayFor('p2', 'Commit')).toBe(0);
    expect(plan.delayFor(undefined, 'Commit')).toBe(0);
    plan.apply('p1', parse({ delays: { Commit: 0, '*': null } }));
    expect(plan.faults('p1')).toEqual({ delays: {}, failCommits: null });
  });

  it('fails exactly the next N commits of a project and counts them', () => {
    const plan = new FaultPlan();
    plan.apply('p1', parse({ failCommits: { count: 2, status: 'UNAVAILABLE' } }));
    expect(plan.takeCommitFailure('p2')).toBeUndefined();
    expect(plan.takeCommitFailure('p1')).toBe('UNAVAILABLE');
    expect(plan.faults('p1').failCommits).toEqual({ remaining: 1, status: 'UNAVAILABLE' });
    expect(plan.takeCommitFailure('p1')).toBe('UNAVAILABLE');
    expect(plan.takeCommitFailure('p1')).toBeUndefined();
    expect(plan.statsOf('p1').failedCommits).toBe(2);
    plan.apply('p1', parse({ failCommits: { count: 3 } }));
    expect(plan.faults('p1').failCommits).toEqual({ remaining: 3, status: 'ABORTED' });
    plan.apply('p1', parse({ failCommits: { count: 0 } }));
    expect(plan.faults('p1').failCommits).toBeNull();
  });

  it('clears one project or all', () => {
    const plan = new FaultPlan();
    plan.apply('a', parse({ delays: { Listen: 5 } }));
    plan.apply('b', parse({ delays: { Listen: 5 } }));
    plan.clear('a');
    expect(plan.delayFor('a', 'Listen')).toBe(0);
    expect(plan.delayFor('b', 'Listen')).toBe(5);
    plan.clear();
    expect(plan.delayFor('b', 'Listen')).toBe(0);
  });

  it.each([
    [{ delays: { Nope: 5 } }],
    [{ delays: { Commit: -1 } }],
    [{ delays: { Commit: 1.5 } }],
    [{ failCommits: { count: 1, status: 'INTERNAL' } }],
    [{ failCommits: { count: -1 } }],
    [{ dropStreams: 'yes' }],
    [{ surprise: true }],
  ])('rejects the malformed request %j', (body) => {
    expect(faultRequestSchema.safeParse(body).success).toBe(false);
  });

  it('finds the project of any request shape', () => {
    expect(projectOfRequest({ database: 'projects/a/databases/(default)' })).toBe('a');
    expect(projectOfRequest({ parent: 'projects/b/databases/d/documents/c/x' })).toBe('b');
    expect(projectOfRequest({ name: 'projects/c/databases/d/documents/c/x' })).toBe('c');
    expect(projectOfRequest({ document: { name: 'projects/d/databases/d/documents/c/x' } })).toBe('d');
    expect(projectOfRequest({ writes: [] })).toBeUndefined();
  });
});
