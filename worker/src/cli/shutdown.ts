/**
 * The worker process's shutdown with a hard deadline. The first SIGTERM/SIGINT runs the
 * graceful steps (drain, release, deregister, close) in order; whatever they await (store
 * writes hang while Firestore is unreachable), the process exits at the latest
 * `graceMs + finalWritesMs` after that signal, logging the step it abandoned and exiting 1.
 * A second signal exits at once (1).
 */
export interface ShutdownStep {
  /** What the step does, as the abandonment log names it. */
  name: string;
  run(): Promise<void>;
}

export interface ShutdownLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
  flush?(): void;
}

export interface ShutdownOptions {
  graceMs: number;
  finalWritesMs: number;
  steps: readonly ShutdownStep[];
  log: ShutdownLog;
  /** State worth logging when the deadline or a second signal abandons the shutdown. */
  describe?: () => object;
  /** Ends the process (tests pass a fake). */
  exit?: (code: number) => void;
  setTimer?: (fn: () => void, ms: number) => { cancel(): void };
}

export interface Shutdown {
  /** Call on every SIGTERM/SIGINT. */
  onSignal(signal: string): void;
  /** Settles when the graceful steps all finished (never when the deadline ended the process). */
  readonly done: Promise<void>;
  /** Whether a signal has started the shutdown. */
  readonly started: boolean;
}

export function createShutdown(options: ShutdownOptions): Shutdown {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const setTimer =
    options.setTimer ??
    ((fn: () => void, ms: number) => {
      const t = setTimeout(fn, ms);
      return { cancel: () => clearTimeout(t) };
    });
  let started = false;
  let finished = false;
  let current: string | null = null;
  let startedAt = 0;
  const completed: string[] = [];
  let resolveDone: () => void = () => undefined;
  let rejectDone: (error: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const abandon = (why: string) => {
    if (finished) return;
    finished = true;
    options.log.error(
      {
        why,
        elapsedMs: Date.now() - startedAt,
        abandoned: current,
        notStarted: options.steps.map((s) => s.name).filter((n) => n !== current && !completed.includes(n)),
        completed,
        ...(options.describe?.() ?? {}),
      },
      `shutdown abandoned (${why}): exiting without finishing "${current ?? 'nothing'}"`,
    );
    options.log.flush?.();
    exit(1);
  };
  return {
    get started() {
      return started;
    },
    done,
    onSignal(signal: string) {
      if (started) {
        abandon(`second signal ${signal}`);
        return;
      }
      started = true;
      startedAt = Date.now();
      const deadlineMs = options.graceMs + options.finalWritesMs;
      options.log.info({ signal, graceMs: options.graceMs, deadlineMs }, 'shutting down');
      const deadline = setTimer(() => abandon(`deadline of ${deadlineMs} ms after ${signal} passed`), deadlineMs);
      void (async () => {
        for (const step of options.steps) {
          if (finished) return;
          current = step.name;
          await step.run();
          completed.push(step.name);
        }
        current = null;
      })().then(
        () => {
          if (finished) return;
          finished = true;
          deadline.cancel();
          resolveDone();
        },
        (error: unknown) => {
          if (finished) return;
          finished = true;
          deadline.cancel();
          rejectDone(error);
        },
      );
    },
  };
}
