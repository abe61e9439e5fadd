import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from './logger.js';
import type { CliOptions } from './cli-args.js';
import { compileRulesOption, findFirebaseConfig, RulesFileError, rulesFromFirebaseConfig, type SecurityRules } from './security/index.js';

/** Where the CLI's start-up rules come from. */
export interface StartupRules {
  /** The rules file to load, if any. */
  file?: string;
  /** Human description for the log: `--rules`, a firebase.json path, or why there are none. */
  origin: string;
}

/**
 * `--rules` wins; `--no-rules` loads none; otherwise the rules file named by `--config` or by
 * the nearest firebase.json (Firebase CLI behaviour). Throws RulesFileError for a firebase.json
 * that is named but missing or malformed.
 */
export function resolveStartupRules(options: Pick<CliOptions, 'rules' | 'config' | 'noRules'>, cwd: string): StartupRules {
  if (options.noRules) return { origin: '--no-rules' };
  if (options.rules) return { file: options.rules, origin: '--rules' };
  const config = options.config ?? findFirebaseConfig(cwd);
  if (!config) return { origin: 'no firebase.json found' };
  const { rulesFile } = rulesFromFirebaseConfig(config);
  return rulesFile ? { file: rulesFile, origin: config } : { origin: `${config} names no firestore.rules` };
}

/**
 * Reloads the default rules when the file changes, as Google's emulator does. A change that
 * does not compile is logged and the rules in force stay. Editors often replace the file
 * instead of writing it, so the directory is watched, not the file.
 */
export function watchRulesFile(file: string, rules: SecurityRules, logger: Logger): FSWatcher {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reload = (): void => {
    timer = undefined;
    try {
      rules.setDefault(compileRulesOption({ file }));
      logger.info({ rules: file }, 'security rules reloaded');
    } catch (err) {
      const message = err instanceof RulesFileError ? err.message : `Invalid security rules: ${(err as Error).message}`;
      logger.error(`${message} (the previous rules stay in force)`);
    }
  };
  const watcher = watch(dirname(file), (_event, name) => {
    if (name !== null && name !== basename(file)) return;
    // Debounced: one save is often several events.
    if (timer) clearTimeout(timer);
    timer = setTimeout(reload, 100);
  });
  watcher.unref();
  return watcher;
}
