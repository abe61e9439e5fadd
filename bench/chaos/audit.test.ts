import { describe, expect, it } from 'vitest';
import type { CallRecord } from './call-log-proxy.js';
import type { JobChange, JobState } from './commit-journal.js';
import { auditChaos, type AuditInput, type FinalJob } from './audit.js';

const state = (status: string, extra: Partial<JobState> = {}): JobState => ({
  status,
  fence: extra.leaseToken ?? 0,
  leaseToken: null,
  leaseOwner: null,
  leaseExpiresAt: null,
  availableAt: null,
  completedAt: null,
  transcript: null,
  attempts: 0,
  ...extra,
});
const running = (token: number, owner: string, expiresAt: number) => state('running', { leaseToken: token, leaseOwner: owner, leaseExpiresAt: expiresAt });
const done = (id: string, at: number) => state('succeeded', { completedAt: at, transcript: `job:${id}` });
const change = (jobId: string, at: number, before: JobState | null, after: JobState | null): JobChange => ({ jobId, at, before, after });
const call = (jobId: string, start: number, status = 200, outcome: CallRecord['outcome'] = 'ok'): CallRecord => ({ jobId, start, end: start + 5, status, outcome });
const finalJob = (id: string, status: string | null, extra: Partial<FinalJob> = {}): FinalJob => ({
  id,
  status,
  decodeError: null,
  transcript: status === 'succeeded' ? `job:${id}` : null,
  chunkCount: 1,
  hasInlineAudio: false,
  leaseExpiresAt: null,
  availableAt: null,
  ...extra,
});

/** A job claimed by `owner`, called, completed: the happy path. */
function happy(id: string, t: number, owner = 'w0'): { journal: JobChange[]; calls: CallRecord[] } {
  return {
    journal: [
      change(id, t, null, state('queued')),
      change(id, t + 10, state('queued'), running(1, owner, t + 3_010)),
      change(id, t + 600, running(1, owner, t + 3_010), running(1, owner, t + 3_600)),
      change(id, t + 900, running(1, owner, t + 3_600), done(id, t + 900)),
    ],
    calls: [call(id, t + 20)],
  };
}

function input(parts: Partial<AuditInput>): AuditInput {
  return { submitted: [], final: [], chunks: [], journal: [], calls: [], kills: [], endAt: 100_000, stuckAfterMs: 15_000, ...parts };
}

describe('auditChaos', () => {
  it('passes a clean run', () => {
    const a = happy('a', 1_000);
    const audit = auditChaos(
      input({ submitted: [{ id: 'a', path: 'server', acknowledged: true, error: null }], final: [finalJob('a', 'succeeded')], ...a }),
    );
    expect(audit.lost.count).toBe(0);
    expect(audit.completedTwice.count).toBe(0);
    expect(audit.wrongTranscript.count).toBe(0);
    expect(audit.duplicateUpstream).toMatchObject({ jobs: 0, extraSuccessfulCalls: 0 });
    expect(audit.stuck.count).toBe(0);
    expect(audit.payloads).toEqual({ orphanChunks: [], jobsMissingChunks: [], inlineAudioLeft: [] });
    expect(audit.jobs.byStatus).toEqual({ succeeded: 1 });
  });

  it('finds missing and unfinished jobs, including ones written although the caller saw an error', () => {
    const audit = auditChaos(
      input({
        submitted: [
          { id: 'gone', path: 'server', acknowledged: true, error: null },
          { id: 'ambiguous', path: 'client', acknowledged: false, error: 'UNAVAILABLE' },
          { id: 'refused', path: 'server', acknowledged: false, error: 'RATE_LIMITED' },
        ],
        final: [finalJob('ambiguous', 'running', { leaseExpiresAt: 50_000 }), finalJob('broken', null, { decodeError: 'status: invalid' })],
        chunks: [{ chunkId: 'ambiguous_0000', jobId: 'ambiguous' }],
      }),
    );
    expect(audit.lost.missing).toEqual(['gone']);
    expect(audit.lost.notTerminal).toEqual([
      { id: 'ambiguous', status: 'running', detail: 'lease expired at the audit' },
      { id: 'broken', status: null, detail: 'undecodable: status: invalid' },
    ]);
    expect(audit.lost.count).toBe(3);
    expect(audit.jobs).toMatchObject({ acknowledged: 1, notAcknowledged: 2, writtenDespiteError: 1 });
  });

  it('flags a job completed twice, by two tokens', () => {
    const a = happy('a', 1_000, 'w0');
    const second = [
      change('a', 2_000, done('a', 1_900), running(2, 'w1', 5_000)),
      change('a', 2_500, running(2, 'w1', 5_000), done('a', 2_500)),
    ];
    const audit = auditChaos(input({ final: [finalJob('a', 'succeeded')], journal: [...a.journal, ...second], calls: a.calls }));
    expect(audit.completedTwice.jobs).toEqual([{ id: 'a', successWrites: 2, tokens: [1, 2], overwritten: true }]);
  });

  it('flags a success overwritten in place and a transcript that belongs to another job', () => {
    const a = happy('a', 1_000);
    const overwrite = change('a', 3_000, done('a', 1_900), state('succeeded', { completedAt: 3_000, transcript: 'job:b' }));
    const audit = auditChaos(input({ final: [finalJob('a', 'succeeded', { transcript: 'job:b' })], journal: [...a.journal, overwrite] }));
    expect(audit.completedTwice.jobs).toEqual([{ id: 'a', successWrites: 1, tokens: [1], overwritten: true }]);
    expect(audit.wrongTranscript.jobs).toEqual([{ id: 'a', transcript: 'job:b' }]);
  });

  it('explains a second upstream call by the kill of the first holder, and measures the reclaim delay', () => {
    const journal = [
      change('k', 0, null, state('queued')),
      change('k', 100, state('queued'), running(1, 'w1', 3_100)),
      change('k', 3_600, running(1, 'w1', 3_100), state('queued')),
      change('k', 3_700, state('queued'), running(2, 'w2', 6_700)),
      change('k', 4_000, running(2, 'w2', 6_700), done('k', 4_000)),
    ];
    const calls = [call('k', 110, 200, 'client-gone'), call('k', 3_710)];
    const audit = auditChaos(input({ final: [finalJob('k', 'succeeded')], journal, calls, kills: [{ serverId: 'w1', at: 150 }] }));
    expect(audit.completedTwice.count).toBe(0);
    expect(audit.duplicateUpstream).toMatchObject({ jobs: 1, extraSuccessfulCalls: 1, byCause: { 'holder killed': 1 } });
    expect(audit.stuck.reclaimDelayMs).toMatchObject({ count: 1, p50: 500 });
    expect(audit.upstream).toMatchObject({ calls: 2, successfulCalls: 2, byOutcome: { 'client-gone': 1, ok: 1 } });
  });

  it('tells a lease lost by a live holder from an unexplained duplicate', () => {
    const journal = [
      change('l', 100, state('queued'), running(1, 'w1', 3_100)),
      change('l', 3_200, running(1, 'w1', 3_100), state('queued')),
      change('l', 3_300, state('queued'), running(2, 'w2', 6_300)),
      change('l', 3_500, running(2, 'w2', 6_300), done('l', 3_500)),
      change('u', 100, state('queued'), running(1, 'w1', 3_100)),
      change('u', 200, running(1, 'w1', 3_100), done('u', 200)),
    ];
    const calls = [call('l', 150), call('l', 3_310), call('u', 150), call('u', 160)];
    const audit = auditChaos(input({ final: [finalJob('l', 'succeeded'), finalJob('u', 'succeeded')], journal, calls }));
    expect(audit.duplicateUpstream.byCause).toEqual({ 'lease expired, holder alive': 1, unexplained: 1 });
  });

  it('reports stuck episodes beyond the threshold and payload chunks left behind', () => {
    const journal = [
      change('s', 0, state('queued'), running(1, 'w1', 1_000)),
      change('s', 30_000, running(1, 'w1', 1_000), state('queued')),
      change('w', 0, state('running'), state('waiting', { availableAt: 2_000 })),
      change('w', 40_000, state('waiting', { availableAt: 2_000 }), state('queued')),
    ];
    const audit = auditChaos(
      input({
        final: [finalJob('s', 'queued'), finalJob('w', 'dead_lettered'), finalJob('d', 'succeeded')],
        journal,
        chunks: [
          { chunkId: 's_0000', jobId: 's' },
          { chunkId: 'd_0000', jobId: 'd' },
          { chunkId: 'x_0000', jobId: 'x' },
        ],
      }),
    );
    expect(audit.stuck.byKind).toEqual({ 'expired lease not reclaimed': 1, 'waiting past its retry time': 1 });
    expect(audit.stuck.longestMs).toBe(38_000);
    expect(audit.payloads.orphanChunks).toEqual(['d_0000', 'x_0000']);
    expect(audit.payloads.jobsMissingChunks).toEqual(['w']);
  });

  it('judges inline audio (chunkCount 0) by the job document: kept until a finish releases it, gone after', () => {
    const inline = (id: string, status: string, hasInlineAudio: boolean) => finalJob(id, status, { chunkCount: 0, hasInlineAudio });
    const audit = auditChaos(
      input({
        final: [
          inline('dead-kept', 'dead_lettered', true),
          inline('queued-lost', 'queued', false),
          inline('done-clean', 'succeeded', false),
          inline('done-left', 'succeeded', true),
          inline('cancelled-left', 'cancelled', true),
        ],
      }),
    );
    expect(audit.payloads).toEqual({ orphanChunks: [], jobsMissingChunks: ['queued-lost'], inlineAudioLeft: ['done-left', 'cancelled-left'] });
  });
});
