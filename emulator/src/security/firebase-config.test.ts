import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveStartupRules } from '../cli-rules.js';
import { RulesSyntaxError } from '../rules/index.js';
import { findFirebaseConfig, rulesFromFirebaseConfig } from './firebase-config.js';
import { compileRulesOption, RulesFileError } from './rules-set.js';

const dir = mkdtempSync(join(tmpdir(), 'fq-rules-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, text: string): string {
  const full = join(dir, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, text);
  return full;
}

describe('firebase.json discovery', () => {
  it('finds the nearest firebase.json upwards and resolves its rules path next to it', () => {
    const config = write('project/firebase.json', JSON.stringify({ firestore: { rules: 'config/firestore.rules' } }));
    mkdirSync(join(dir, 'project/emulator/src'), { recursive: true });
    expect(findFirebaseConfig(join(dir, 'project/emulator/src'))).toBe(config);
    expect(rulesFromFirebaseConfig(config)).toEqual({ configPath: config, rulesFile: join(dir, 'project/config/firestore.rules') });
  });

  it('reads the (default) database of a multi-database firestore section', () => {
    const config = write('multi/firebase.json', JSON.stringify({ firestore: [{ database: 'other', rules: 'other.rules' }, { database: '(default)', rules: 'main.rules' }] }));
    expect(rulesFromFirebaseConfig(config).rulesFile).toBe(join(dir, 'multi/main.rules'));
  });

  it('a firebase.json without firestore rules names none; a malformed one is an error', () => {
    expect(rulesFromFirebaseConfig(write('none/firebase.json', JSON.stringify({ hosting: {} }))).rulesFile).toBeUndefined();
    expect(() => rulesFromFirebaseConfig(write('bad/firebase.json', '{ not json'))).toThrow(RulesFileError);
    expect(() => rulesFromFirebaseConfig(write('bad2/firebase.json', JSON.stringify({ firestore: { rules: 42 } })))).toThrow(/must be the path/);
  });
});

describe('start-up rules of the CLI', () => {
  const config = join(dir, 'project/firebase.json');
  it('--rules wins, --no-rules loads none, otherwise --config or the nearest firebase.json', () => {
    expect(resolveStartupRules({ rules: 'x.rules', noRules: false }, dir)).toEqual({ file: 'x.rules', origin: '--rules' });
    expect(resolveStartupRules({ noRules: true }, join(dir, 'project'))).toEqual({ origin: '--no-rules' });
    expect(resolveStartupRules({ noRules: false }, join(dir, 'project/emulator'))).toEqual({ file: join(dir, 'project/config/firestore.rules'), origin: config });
    expect(resolveStartupRules({ config, noRules: false }, tmpdir()).file).toBe(join(dir, 'project/config/firestore.rules'));
    expect(() => resolveStartupRules({ config: join(dir, 'missing.json'), noRules: false }, dir)).toThrow(RulesFileError);
  });
});

describe('compileRulesOption', () => {
  it('compiles text or a file, naming the file in syntax errors', () => {
    expect(compileRulesOption("rules_version = '2'; service cloud.firestore {}").fileName).toBe('firestore.rules');
    const bad = write('bad.rules', "rules_version = '2';\nservice cloud.firestore {\n  match /x { allow read: if }\n}\n");
    let error: unknown;
    try {
      compileRulesOption({ file: bad });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RulesSyntaxError);
    expect((error as RulesSyntaxError).message).toMatch(/^bad\.rules:3:\d+: /);
    expect(() => compileRulesOption({ file: join(dir, 'nope.rules') })).toThrow(/Cannot read the rules file/);
  });
});
