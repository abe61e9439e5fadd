import { randomBytes } from 'node:crypto';
import { FirestoreError } from '../../model/index.js';
import type { SessionClock, SessionEndReason, SessionTiming, StreamKind } from './session.js';
import { WebChannelSession } from './session.js';

export interface SessionLimits extends SessionTiming {
  /** Open sessions at most; a handshake beyond it is RESOURCE_EXHAUSTED. */
  maxSessions: number;
}

export interface SessionStats {
  sessions: number;
  backchannels: number;
  bufferedChars: number;
  opened: number;
  ended: Partial<Record<SessionEndReason, number>>;
}

const newId = (bytes: number): string => randomBytes(bytes).toString('base64url');

/** Every open WebChannel session by SID; `tick()` runs their housekeeping. */
export class SessionRegistry {
  private readonly sessions = new Map<string, WebChannelSession>();
  private opened = 0;
  private readonly ended: Partial<Record<SessionEndReason, number>> = {};

  constructor(
    private readonly limits: SessionLimits,
    private readonly clock: SessionClock,
    private readonly onEnd: (session: WebChannelSession, reason: SessionEndReason) => void = () => undefined,
  ) {}

  create(kind: StreamKind): WebChannelSession {
    if (this.sessions.size >= this.limits.maxSessions) {
      throw new FirestoreError('RESOURCE_EXHAUSTED', `Too many open WebChannel sessions (${this.limits.maxSessions}).`);
    }
    let sid = newId(12);
    while (this.sessions.has(sid)) sid = newId(12);
    const session = new WebChannelSession(sid, newId(18), kind, this.limits, this.clock, (s, reason) => {
      this.sessions.delete(s.sid);
      this.ended[reason] = (this.ended[reason] ?? 0) + 1;
      this.onEnd(s, reason);
    });
    this.sessions.set(sid, session);
    this.opened++;
    return session;
  }

  get(sid: string): WebChannelSession | undefined {
    return this.sessions.get(sid);
  }

  get size(): number {
    return this.sessions.size;
  }

  tick(): void {
    for (const s of [...this.sessions.values()]) s.tick();
  }

  closeAll(reason: SessionEndReason = 'shutdown'): void {
    for (const s of [...this.sessions.values()]) s.end(reason);
  }

  stats(): SessionStats {
    let backchannels = 0;
    let bufferedChars = 0;
    for (const s of this.sessions.values()) {
      if (s.hasBackchannel) backchannels++;
      bufferedChars += s.bufferedChars;
    }
    return { sessions: this.sessions.size, backchannels, bufferedChars, opened: this.opened, ended: { ...this.ended } };
  }
}
