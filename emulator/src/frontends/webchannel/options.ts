import type { SessionLimits } from './sessions.js';

export interface WebChannelOptions extends SessionLimits {
  /** Announced in the handshake; the client's backchannel watchdog is 1.5 times this. */
  backchannelTimeoutMs: number;
  /** How often session housekeeping (keep-alives, long-poll answers, expiry) runs. */
  sweepIntervalMs: number;
}

/**
 * Defaults chosen against the client's timers: keep-alives well inside its 45 s backchannel
 * watchdog, long polls answered before it, abandoned sessions freed after a minute without
 * a backchannel (longer than the client's backchannel retry back-off).
 */
export const DEFAULT_WEBCHANNEL_OPTIONS: WebChannelOptions = {
  backchannelTimeoutMs: 30_000,
  keepAliveMs: 20_000,
  longPollHoldMs: 20_000,
  sessionTimeoutMs: 60_000,
  maxBufferedChars: 16 * 1024 * 1024,
  maxRetainedChars: 256 * 1024,
  rotateAfterChars: 1024 * 1024,
  rotateAfterMs: 5 * 60_000,
  maxSessions: 10_000,
  sweepIntervalMs: 1_000,
};
