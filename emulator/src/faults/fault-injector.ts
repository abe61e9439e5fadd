import { FirestoreError, invalidArgument } from '../model/index.js';
import type {
  CallContext,
  CallInterceptor,
  FirestoreService,
  StreamHandle,
  StreamMethodName,
  StreamSink,
  UnaryMethodName,
} from '../service/index.js';
import type { CommitFailureStatus, DelayableMethod, FaultRequest, FaultSnapshot } from './fault-plan.js';
import { FaultPlan, faultRequestSchema, projectOfName, projectOfRequest } from './fault-plan.js';
import * as z from '../zod.js';
import type { OpenStream } from './stream-registry.js';
import { StreamRegistry } from './stream-registry.js';

type Json = Record<string, unknown>;

export type Sleep = (ms: number) => Promise<void>;

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Fault injection for reliability tests and the chaos harness, installed as the facade's
 * call interceptor so gRPC, REST and WebChannel clients all see the same faults:
 * - drop every open Listen/Write stream of a project now (clients get UNAVAILABLE and reconnect);
 * - delay responses per method (the call runs, then its response waits; stream messages
 *   from the server wait in order);
 * - fail the next N commits of a project (the Commit RPC and writes on the Write stream)
 *   with ABORTED or UNAVAILABLE. A failed transactional commit also ends its transaction,
 *   like a real abort, so its locks do not linger.
 */
export class FaultInjector implements CallInterceptor {
  readonly plan = new FaultPlan();
  readonly streams = new StreamRegistry();
  private service: FirestoreService | undefined;

  constructor(private readonly sleep: Sleep = realSleep) {}

  /** Installs this injector on a service (one injector per service). */
  attach(service: FirestoreService): this {
    this.service = service;
    service.setInterceptor(this);
    return this;
  }

  /** Validates and applies a fault request (the HTTP endpoint's body). */
  configure(projectId: string, request: FaultRequest | unknown): FaultSnapshot & { dropped: number } {
    const parsed = z.safeParse(faultRequestSchema, request ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length ? ` at "${issue.path.join('.')}"` : '';
      throw invalidArgument(`Invalid fault request${where}: ${issue?.message ?? 'malformed'}.`);
    }
    this.plan.apply(projectId, parsed.data);
    const dropped = parsed.data.dropStreams ? this.dropStreams(projectId) : 0;
    return { ...this.snapshot(projectId), dropped };
  }

  /** Drops open Listen/Write streams of a project (all projects when omitted); returns how many. */
  dropStreams(projectId?: string): number {
    return this.streams.dropAll(new FirestoreError('UNAVAILABLE', 'The stream was closed by the emulator (injected fault: dropStreams). Reconnect.'), projectId);
  }

  /** Delays responses of `method` (or `*` = every method) in the project by `ms` (0 removes). */
  delay(projectId: string, method: DelayableMethod, ms: number): void {
    this.configure(projectId, { delays: { [method]: ms } });
  }

  /** Makes the project's next `count` commits fail with `status`. */
  failNextCommits(projectId: string, count: number, status: CommitFailureStatus = 'ABORTED'): void {
    this.configure(projectId, { failCommits: { count, status } });
  }

  /** Removes delays and pending commit failures (of one project, or all). */
  clear(projectId?: string): void {
    this.plan.clear(projectId);
  }

  snapshot(projectId: string): FaultSnapshot {
    return { projectId, ...this.plan.faults(projectId), openStreams: this.streams.count(projectId), stats: { ...this.plan.statsOf(projectId) } };
  }

  async unary<R>(method: UnaryMethodName, request: Json, ctx: CallContext, next: () => Promise<R>): Promise<R> {
    const projectId = projectOfRequest(request) ?? projectOfName(ctx.resourcePrefix);
    if (method === 'Commit') {
      const status = this.plan.takeCommitFailure(projectId);
      if (status) {
        await this.endTransaction(request, ctx);
        await this.wait(projectId, method);
        throw commitFailure(status);
      }
    }
    let result: R;
    try {
      result = await next();
    } catch (err) {
      await this.wait(projectId, method);
      throw err;
    }
    await this.wait(projectId, method);
    return result;
  }

  stream(method: StreamMethodName, ctx: CallContext, sink: StreamSink, open: (sink: StreamSink) => StreamHandle): StreamHandle {
    let ended = false;
    let pending = 0;
    let chain: Promise<void> = Promise.resolve();
    const entry: OpenStream = { method, projectId: projectOfName(ctx.resourcePrefix), drop: () => undefined };
    // Server messages keep their order: once one waits, every later one queues behind it.
    const deliver = (fn: () => void): void => {
      const ms = this.plan.delayFor(entry.projectId, method);
      if (ms <= 0 && pending === 0) return fn();
      if (ms > 0 && entry.projectId) this.plan.statsOf(entry.projectId).delayedCalls += 1;
      pending++;
      chain = chain
        .then(() => (ms > 0 ? this.sleep(ms) : undefined))
        .then(fn)
        .finally(() => {
          pending--;
        });
    };
    const end = (): boolean => {
      if (ended) return false;
      ended = true;
      this.streams.remove(entry);
      return true;
    };
    const handle = open({
      send: (m) => deliver(() => (ended ? undefined : sink.send(m))),
      fail: (e) => deliver(() => (end() ? sink.fail(e) : undefined)),
    });
    entry.drop = (error) => {
      if (!end()) return;
      if (entry.projectId) this.plan.statsOf(entry.projectId).droppedStreams += 1;
      handle.close();
      sink.fail(error);
    };
    this.streams.add(entry);
    let first = true;
    return {
      request: async (message) => {
        if (ended) return;
        entry.projectId ??= projectOfRequest(message);
        const handshake = first;
        first = false;
        if (method === 'Write' && !handshake && Array.isArray(message.writes) && message.writes.length > 0) {
          const status = this.plan.takeCommitFailure(entry.projectId);
          if (status) {
            if (end()) {
              handle.close();
              sink.fail(commitFailure(status));
            }
            return;
          }
        }
        await handle.request(message);
      },
      close: () => {
        end();
        handle.close();
      },
    };
  }

  private async wait(projectId: string | undefined, method: DelayableMethod): Promise<void> {
    const ms = this.plan.delayFor(projectId, method);
    if (ms <= 0 || !projectId) return;
    this.plan.statsOf(projectId).delayedCalls += 1;
    await this.sleep(ms);
  }

  /** An aborted transactional commit ends its transaction (and frees its locks). */
  private async endTransaction(request: Json, ctx: CallContext): Promise<void> {
    if (!this.service || request.transaction === undefined || request.transaction === null || request.transaction === '') return;
    try {
      await this.service.rollback({ database: request.database, transaction: request.transaction }, ctx);
    } catch {
      // Unknown or already finished transaction: nothing to free.
    }
  }
}

function commitFailure(status: CommitFailureStatus): FirestoreError {
  return status === 'ABORTED'
    ? new FirestoreError('ABORTED', 'Transaction aborted: the commit failed (injected fault: failCommits). Retry the transaction.')
    : new FirestoreError('UNAVAILABLE', 'The service is currently unavailable (injected fault: failCommits). Retry.');
}
