/**
 * What a stop signal to `npm start` means, given the ones before it: the first starts a clean
 * stop; a second one exits at once. `npm start` runs the orchestrator with `exec`, so npm's
 * child is the orchestrator and the SIGINT or SIGTERM that npm forwards reaches it (a script's
 * `kill -INT` to npm used to stop at the shell in between, which waits for its child on
 * SIGINT). A Ctrl-C in a terminal therefore arrives twice, from the terminal (the whole
 * foreground process group gets it) and forwarded by npm: the same signal again within
 * `echoMs` is that echo, not a second Ctrl-C.
 */
export type SignalVerdict = 'stop' | 'echo' | 'exit-now';

export const SIGNAL_ECHO_MS = 1_000;

export class StopSignals {
  private first: { signal: NodeJS.Signals; at: number } | null = null;

  constructor(private readonly echoMs = SIGNAL_ECHO_MS) {}

  receive(signal: NodeJS.Signals, now: number): SignalVerdict {
    if (!this.first) {
      this.first = { signal, at: now };
      return 'stop';
    }
    return signal === this.first.signal && now - this.first.at < this.echoMs ? 'echo' : 'exit-now';
  }
}
