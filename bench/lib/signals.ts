/**
 * Ctrl-C or SIGTERM ends the run through `process.exit`, so the 'exit' hooks run: the
 * orchestrator kills its children's process groups, and so does `runJsonScript`. Without
 * this Node dies on the signal without running them and leaves workers behind.
 */
export function exitOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping every process this run started\n`);
      process.exit(130);
    });
  }
}
