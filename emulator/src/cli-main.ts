import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FirebaseConfigError, resolveListenAddress } from './cli-address.js';
import { parseCli, USAGE } from './cli-args.js';
import { resolveStartupRules, watchRulesFile, type StartupRules } from './cli-rules.js';
import type { RunningEmulator } from './emulator.js';
import { startEmulator } from './emulator.js';
import { createLogger } from './logger.js';
import { ExportFormatError, FIREBASE_CLI_MANIFEST, MANIFEST_FILE } from './persistence/export-format.js';
import { RulesSyntaxError } from './rules/index.js';
import { findFirebaseConfig, RulesFileError } from './security/index.js';

/** Errors whose message is the whole story: printed without a stack. */
const PLAIN_ERRORS = [RulesFileError, FirebaseConfigError, ExportFormatError];

/**
 * The CLI: parses `argv`, starts the emulator and installs the SIGINT/SIGTERM handlers
 * (which export first with --export-on-exit). Resolves with the running emulator once it
 * listens, or undefined when it did not start (process.exitCode says why).
 */
export async function runCli(argv: string[]): Promise<RunningEmulator | undefined> {
  let parsed;
  try {
    parsed = parseCli(argv);
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 2;
    return undefined;
  }
  if (parsed.help) {
    console.log(USAGE);
    return undefined;
  }
  const options = parsed.options;
  const logger = createLogger(options.logLevel);
  let emulator: RunningEmulator;
  let rules: StartupRules | undefined;
  let importDirectory = options.importDir;
  try {
    rules = resolveStartupRules(options, process.cwd());
    const configPath = options.config ?? findFirebaseConfig(process.cwd());
    const address = resolveListenAddress(options, configPath);
    if (configPath !== undefined && address.origin === configPath) logger.info({ from: configPath }, 'address from firebase.json');
    if (importDirectory !== undefined && !existsSync(join(importDirectory, MANIFEST_FILE))) {
      // The first run of `--import d --export-on-exit d` has nothing to import yet.
      const exportsThere = options.exportOnExit !== undefined && resolve(options.exportOnExit) === resolve(importDirectory);
      if (exportsThere && !existsSync(join(importDirectory, FIREBASE_CLI_MANIFEST))) {
        logger.info({ import: importDirectory }, 'nothing to import yet: starting empty, the data will be exported there on exit');
        importDirectory = undefined;
      } else if (!existsSync(importDirectory)) throw new ExportFormatError(`Import directory ${importDirectory} does not exist.`);
    }
    emulator = await startEmulator({
      host: address.host,
      port: address.port,
      projectId: options.project,
      logger,
      rules: rules.file ? { file: rules.file } : undefined,
      importDirectory,
      exportDirectory: options.exportOnExit,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e instanceof RulesSyntaxError) console.error(`Invalid security rules in ${rules?.file ?? 'the rules file'}: ${e.message}`);
    else if (PLAIN_ERRORS.some((type) => e instanceof type)) console.error(e.message);
    else if (e.code === 'EADDRINUSE') console.error(e.message);
    else logger.fatal({ err: e }, 'could not start the emulator');
    process.exitCode = 1;
    return undefined;
  }
  if (emulator.imported) logger.info({ import: emulator.imported.directory, documents: emulator.imported.documents, exportTime: emulator.imported.exportTime }, 'data imported');
  if (rules.file && emulator.securityRules) {
    logger.info({ rules: rules.file, from: rules.origin }, 'security rules loaded');
    watchRulesFile(rules.file, emulator.securityRules, logger);
  } else logger.warn(`no security rules (${rules.origin}): every request is allowed until rules are loaded`);
  logger.info(`FIRESTORE_EMULATOR_HOST=${emulator.hostAndPort} (project ${options.project})`);
  installShutdown(emulator, options.exportOnExit, logger);
  return emulator;
}

/** First SIGINT/SIGTERM: export (with --export-on-exit), stop, exit. A second one quits at once. */
function installShutdown(emulator: RunningEmulator, exportOnExit: string | undefined, logger: ReturnType<typeof createLogger>): void {
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn(`${signal} again: quitting without waiting`);
      process.exit(130);
    }
    stopping = true;
    logger.info(`${signal}: stopping`);
    void (async () => {
      let code = 0;
      if (exportOnExit !== undefined) {
        try {
          const summary = await emulator.exportData(exportOnExit);
          logger.info({ exportDirectory: summary.directory, documents: summary.documents }, 'data exported');
        } catch (err) {
          logger.error({ err }, `export to ${exportOnExit} failed`);
          code = 1;
        }
      }
      await emulator.stop();
      process.exit(code);
    })();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
