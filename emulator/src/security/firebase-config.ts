/**
 * `firebase.json` discovery, as the Firebase CLI does it: the nearest `firebase.json` in the
 * working directory or its ancestors; its `firestore.rules` path is relative to that file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RulesFileError } from './rules-set.js';

export interface FirebaseRulesConfig {
  /** The firebase.json that was read. */
  configPath: string;
  /** Absolute path of the Firestore rules file it names, if any. */
  rulesFile?: string;
}

/** The nearest firebase.json at or above `fromDir`, or undefined. */
export function findFirebaseConfig(fromDir: string): string | undefined {
  let dir = resolve(fromDir);
  for (;;) {
    const candidate = join(dir, 'firebase.json');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

type FirestoreSection = { rules?: unknown; database?: unknown };

/** The `(default)` database's section: `firestore` is an object, or an array for several databases. */
function defaultDatabaseSection(firestore: unknown): FirestoreSection | undefined {
  if (Array.isArray(firestore)) {
    const sections = firestore.filter((s): s is FirestoreSection => typeof s === 'object' && s !== null);
    return sections.find((s) => s.database === undefined || s.database === '(default)') ?? sections[0];
  }
  return typeof firestore === 'object' && firestore !== null ? (firestore as FirestoreSection) : undefined;
}

/** Reads `configPath` (a firebase.json). Throws RulesFileError when it is unreadable or malformed. */
export function rulesFromFirebaseConfig(configPath: string): FirebaseRulesConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (err) {
    throw new RulesFileError(`Cannot read ${configPath}: ${(err as Error).message}`, { cause: err });
  }
  const section = defaultDatabaseSection((json as { firestore?: unknown } | null)?.firestore);
  const rules = section?.rules;
  if (rules === undefined) return { configPath };
  if (typeof rules !== 'string' || rules === '') {
    throw new RulesFileError(`${configPath}: "firestore.rules" must be the path of a rules file.`);
  }
  return { configPath, rulesFile: resolve(dirname(configPath), rules) };
}
