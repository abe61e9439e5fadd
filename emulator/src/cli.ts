import { parseCli, USAGE } from './cli-args.js';
import { resolveStartupRules, watchRulesFile, type StartupRules } from './cli-rules.js';
import { startEmulator } from './emulator.js';
import { createLogger } from './logger.js';
import { RulesSyntaxError } from './rules/index.js';
import { RulesFileError } from './security/index.js';

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
  let rules: StartupRules | undefined;
  try {
    rules = resolveStartupRules(parsed.options, process.cwd());
    emulator = await startEmulator({ host, port, projectId: project, logger, rules: rules.file ? { file: rules.file } : undefined });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e instanceof RulesSyntaxError) console.error(`Invalid security rules in ${rules?.file ?? 'the rules file'}: ${e.message}`);
    else if (e instanceof RulesFileError) console.error(e.message);
    else if (e.code === 'EADDRINUSE') console.error(e.message);
    else logger.fatal({ err: e }, 'could not start the emulator');
    process.exitCode = 1;
    return;
  }
  if (rules.file && emulator.securityRules) {
    logger.info({ rules: rules.file, from: rules.origin }, 'security rules loaded');
    watchRulesFile(rules.file, emulator.securityRules, logger);
  } else logger.warn(`no security rules (${rules.origin}): every request is allowed until rules are loaded`);
  logger.info(`FIRESTORE_EMULATOR_HOST=${emulator.hostAndPort} (project ${project})`);
  const shutdown = (): void => {
    logger.info('stopping');
    void emulator.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

void main();
