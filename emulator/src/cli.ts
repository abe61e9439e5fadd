import { parseCli, USAGE } from './cli-args.js';
import { startEmulator } from './emulator.js';
import { createLogger } from './logger.js';

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseCli(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    console.log(USAGE);
    return;
  }
  const { host, port, project, logLevel } = parsed.options;
  const logger = createLogger(logLevel);
  let emulator;
  try {
    emulator = await startEmulator({ host, port, projectId: project, logger });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') console.error(e.message);
    else logger.fatal({ err: e }, 'could not start the emulator');
    process.exitCode = 1;
    return;
  }
  logger.info(`FIRESTORE_EMULATOR_HOST=${emulator.hostAndPort} (project ${project})`);
  const shutdown = (): void => {
    logger.info('stopping');
    void emulator.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

void main();
