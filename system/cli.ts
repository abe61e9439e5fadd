#!/usr/bin/env node
/**
 * `npm start`: the whole system until Ctrl-C (see `npm start -- --help`). Exit codes: 0 after
 * a clean stop, 1 when start-up failed or an essential component crashed, 2 on bad usage,
 * 130 when a second Ctrl-C forced an immediate exit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { banner, describeEvent } from './cli/banner.js';
import { HELP, StartUsageError, parseStartArgs } from './cli/options.js';
import { StopSignals } from './cli/signals.js';
import { SystemOptionsError } from './options.js';
import { paths } from './paths.js';
import { startSystem } from './start-system.js';
import type { SystemHandle } from './types.js';

const say = (line: string) => process.stdout.write(`[firequeue] ${line.replace(/\n/g, '\n            ')}\n`);

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseStartArgs(process.argv.slice(2), process.env, existsSync(paths.firebaseJson) ? readFileSync(paths.firebaseJson, 'utf8') : null);
  } catch (error) {
    if (error instanceof StartUsageError) {
      process.stderr.write(`${error.message}\nRun \`npm start -- --help\` for usage.\n`);
      return 2;
    }
    throw error;
  }
  if (parsed === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }

  // Ctrl-C during start-up aborts it; after start-up it stops the system. A second one exits
  // now; npm's forwarded copy of a terminal's Ctrl-C is no second one (see StopSignals).
  const stops = new StopSignals();
  let system: SystemHandle | null = null;
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const signalled = new Promise<NodeJS.Signals>((resolve) => (onSignal = resolve));
  const handler = (signal: NodeJS.Signals) => {
    const verdict = stops.receive(signal, Date.now());
    if (verdict === 'echo') return;
    if (verdict === 'exit-now') {
      say(`second ${signal}: exiting now (child processes get SIGKILL)`);
      process.exit(130);
    }
    onSignal(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
  // Whoever started us may die without passing a signal on (npm or a wrapper shell killed
  // with SIGKILL, a shell between npm and us when run without `exec`). Noticing the
  // re-parenting is the only way to learn that it is gone, and then we stop like on SIGHUP.
  const parent = process.ppid;
  const parentWatch = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(parentWatch);
      say('the process that started us is gone: stopping');
      handler('SIGHUP');
    }
  }, 500);
  parentWatch.unref();

  const abort = new AbortController();
  void signalled.then((signal) => {
    if (!system) {
      say(`${signal} during start-up: stopping what already runs…`);
      abort.abort();
    }
  });
  try {
    system = await startSystem({
      ...parsed.system,
      signal: abort.signal,
      onEvent: (event) => {
        const line = describeEvent(event);
        if (line) say(line);
      },
    });
  } catch (error) {
    if (abort.signal.aborted) return 130;
    if (error instanceof SystemOptionsError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    process.stderr.write(`\nStart-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }

  const workers = (await system.workers()).map((w) => w.serverId);
  say(banner(system.info, workers));
  if (parsed.json) process.stdout.write(`${JSON.stringify(system.info)}\n`);

  const outcome = await Promise.race([signalled.then((signal) => ({ signal })), system.essentialFailure.then((failure) => ({ failure }))]);
  if ('failure' in outcome) say(`${outcome.failure.component} is down, so the system cannot work: stopping everything.`);
  await system.stop();
  return 'failure' in outcome ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
