import type { StreamHandle } from '../../service/index.js';
import type { ForwardMap } from './framing.js';
import { NOOP_PAYLOAD, arrayText, arraysChunk } from './framing.js';

/** The HTTP response a backchannel GET keeps open (CI=0) or answers once (CI=1). */
export interface Backchannel {
  /** CI=1 (long polling): the response ends after each flush. */
  readonly longPoll: boolean;
  write(chunk: string): void;
  end(): void;
}

export interface SessionTiming {
  /** A streaming backchannel with nothing written for this long gets a `["noop"]`. */
  keepAliveMs: number;
  /** A long poll with nothing to say is answered with a `["noop"]` after this long. */
  longPollHoldMs: number;
  /** A session with no backchannel and no request for this long is closed and freed. */
  sessionTimeoutMs: number;
  /** Unsent plus retained characters above this close the session (the client is not reading). */
  maxBufferedChars: number;
  /** Sent arrays kept for a resend after a lost backchannel, at most this many characters. */
  maxRetainedChars: number;
  /**
   * A streaming backchannel is ended (the client opens the next one at once) after this many
   * characters or this long, so the browser's ever-growing XHR response text stays bounded.
   */
  rotateAfterChars: number;
  rotateAfterMs: number;
}

export interface SessionClock {
  now(): number;
  /** Runs `fn` soon (after the current burst of messages), to batch them into one chunk. */
  schedule(fn: () => void): void;
}

export type SessionEndReason = 'terminated' | 'expired' | 'overflow' | 'failed' | 'lost' | 'shutdown' | 'replaced';

export type StreamKind = 'Listen' | 'Write';

interface Entry {
  id: number;
  text: string;
}

interface Attached {
  bc: Backchannel;
  attachedAt: number;
  lastWriteAt: number;
  holdMs: number;
  written: number;
}

/**
 * The server side of one WebChannel session: outgoing arrays (numbered from 1; array 0 is
 * the handshake), the attached backchannel, forward-map de-duplication, keep-alives and
 * expiry. Transport-free: the HTTP adapter hands it `Backchannel`s, time comes from the
 * injected clock, so every rule is unit-testable with a fake clock.
 */
export class WebChannelSession {
  /** The Firestore stream behind the channel (set by the adapter right after creation). */
  stream: StreamHandle | undefined;
  closed = false;
  endReason: SessionEndReason | undefined;
  lastSentId = 0;

  private nextArrayId = 1;
  private queue: Entry[] = [];
  private retained: Entry[] = [];
  private queuedChars = 0;
  private retainedChars = 0;
  /** Arrays up to this id were dropped from `retained` unacknowledged: no resend possible. */
  private resendFloor = 0;
  private nextMapId = 0;
  private attached: Attached | undefined;
  private lastSeen: number;
  /** A stream error is queued: the session ends once the client has been sent it. */
  private closing = false;
  private flushScheduled = false;

  constructor(
    readonly sid: string,
    readonly httpSessionId: string,
    readonly kind: StreamKind,
    private readonly timing: SessionTiming,
    private readonly clock: SessionClock,
    private readonly onEnd: (session: WebChannelSession, reason: SessionEndReason) => void,
  ) {
    this.lastSeen = clock.now();
  }

  get hasBackchannel(): boolean {
    return this.attached !== undefined;
  }

  /** Characters queued but not yet written to a backchannel. */
  get outstandingChars(): number {
    return this.queuedChars;
  }

  get bufferedChars(): number {
    return this.queuedChars + this.retainedChars;
  }

  /** Queues one payload (`[message]`, `["noop"]`, an error) for the client. */
  push(payload: unknown): void {
    if (this.closed || this.closing) return;
    const id = this.nextArrayId++;
    const text = arrayText(id, payload);
    this.queue.push({ id, text });
    this.queuedChars += text.length;
    if (this.bufferedChars > this.timing.maxBufferedChars) {
      this.end('overflow');
      return;
    }
    this.scheduleFlush();
  }

  /** Queues a final error payload; the session ends right after it has been sent. */
  fail(payload: unknown): void {
    if (this.closed || this.closing) return;
    this.push(payload);
    this.closing = true;
  }

  /** Keeps only maps not seen before (a retried forward POST resends maps) and notes activity. */
  acceptMaps(maps: readonly ForwardMap[]): ForwardMap[] {
    this.lastSeen = this.clock.now();
    const fresh: ForwardMap[] = [];
    for (const m of maps) {
      if (m.id < this.nextMapId) continue;
      fresh.push(m);
      this.nextMapId = m.id + 1;
    }
    return fresh;
  }

  /** The client has received every array up to `aid` (the AID parameter). */
  ack(aid: number): void {
    this.lastSeen = this.clock.now();
    while (this.retained.length && this.retained[0]!.id <= aid) this.retainedChars -= this.retained.shift()!.text.length;
  }

  /**
   * Attaches a backchannel request. Arrays sent on a previous backchannel that the client
   * did not get (id > AID) are sent again. Returns false when they can no longer be resent
   * (the session is then ended and the client must start over).
   */
  attach(bc: Backchannel, aid: number, holdMs = this.timing.longPollHoldMs): boolean {
    if (this.closed) return false;
    this.ack(aid);
    if (aid < this.resendFloor) {
      this.end('lost');
      return false;
    }
    if (this.retained.length) {
      this.queue = [...this.retained, ...this.queue];
      this.queuedChars += this.retainedChars;
      this.retained = [];
      this.retainedChars = 0;
    }
    const previous = this.attached;
    const now = this.clock.now();
    this.attached = { bc, attachedAt: now, lastWriteAt: now, holdMs, written: 0 };
    previous?.bc.end();
    // A streaming client that sees no bytes soon assumes a buffering proxy and falls back
    // to long polling: answer at once, with a noop when there is nothing else.
    if (!bc.longPoll && this.queue.length === 0 && !this.closing) this.push(NOOP_PAYLOAD);
    this.flush();
    return true;
  }

  /** The backchannel's HTTP response closed (client gone or response ended). */
  detach(bc: Backchannel): void {
    if (this.attached?.bc !== bc) return;
    this.attached = undefined;
    this.lastSeen = this.clock.now();
  }

  /** Writes every queued array to the attached backchannel as one chunk. */
  flush(): void {
    this.flushScheduled = false;
    const a = this.attached;
    if (this.closed || !a || this.queue.length === 0) return;
    const now = this.clock.now();
    const sent = this.queue;
    const chunk = arraysChunk(sent.map((e) => e.text));
    a.bc.write(chunk);
    a.written += chunk.length;
    a.lastWriteAt = now;
    this.lastSentId = sent[sent.length - 1]!.id;
    this.queue = [];
    this.retained.push(...sent);
    this.retainedChars += this.queuedChars;
    this.queuedChars = 0;
    while (this.retainedChars > this.timing.maxRetainedChars && this.retained.length) {
      const dropped = this.retained.shift()!;
      this.retainedChars -= dropped.text.length;
      this.resendFloor = dropped.id;
    }
    if (this.closing) {
      this.end('failed');
      return;
    }
    const rotate = a.written >= this.timing.rotateAfterChars || now - a.attachedAt >= this.timing.rotateAfterMs;
    if (a.bc.longPoll || rotate) {
      this.attached = undefined;
      this.lastSeen = now;
      a.bc.end();
    }
  }

  /** Housekeeping, called periodically: keep-alives, long-poll answers, expiry. */
  tick(): void {
    if (this.closed) return;
    const now = this.clock.now();
    const a = this.attached;
    if (a) {
      const idleFor = a.bc.longPoll ? now - a.attachedAt : now - a.lastWriteAt;
      const limit = a.bc.longPoll ? a.holdMs : this.timing.keepAliveMs;
      const rotateDue = !a.bc.longPoll && now - a.attachedAt >= this.timing.rotateAfterMs;
      if (idleFor >= limit || rotateDue) {
        // An empty long-poll answer counts as a failure on the client: end it with a noop.
        if (this.queue.length === 0) this.push(NOOP_PAYLOAD);
        this.flush();
      }
      return;
    }
    if (now - this.lastSeen >= this.timing.sessionTimeoutMs) this.end('expired');
  }

  /** Ends the session: the backchannel response ends, buffers are freed, the stream closes. */
  end(reason: SessionEndReason): void {
    if (this.closed) return;
    this.closed = true;
    this.endReason = reason;
    const a = this.attached;
    this.attached = undefined;
    this.queue = [];
    this.retained = [];
    this.queuedChars = 0;
    this.retainedChars = 0;
    a?.bc.end();
    const stream = this.stream;
    this.stream = undefined;
    stream?.close();
    this.onEnd(this, reason);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || !this.attached) return;
    this.flushScheduled = true;
    this.clock.schedule(() => this.flush());
  }
}
