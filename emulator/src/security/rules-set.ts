/**
 * Which security rules apply to which project. Like Google's emulator: rules loaded with
 * `PUT /emulator/v1/projects/P:securityRules` apply to project P (all its databases); rules
 * given at start (`--rules`, firebase.json) apply to every project that has none of its own;
 * a project with neither is open (every request allowed), as an emulator without rules is.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { compileRules, type CompiledRules } from '../rules/index.js';

/** Rules to load at start: the source text itself, or a file to read. */
export type RulesOption = string | { file: string };

export class SecurityRules {
  private fallback: CompiledRules | undefined;
  private readonly byProject = new Map<string, CompiledRules>();

  /** Rules for every project without its own (undefined: such projects are open). */
  setDefault(rules: CompiledRules | undefined): void {
    this.fallback = rules;
  }

  get defaultRules(): CompiledRules | undefined {
    return this.fallback;
  }

  set(projectId: string, rules: CompiledRules): void {
    this.byProject.set(projectId, rules);
  }

  /** Forgets a project's own rules (it falls back to the default rules). */
  delete(projectId: string): void {
    this.byProject.delete(projectId);
  }

  /** The rules deciding requests of `projectId`, or undefined when it is open. */
  for(projectId: string): CompiledRules | undefined {
    return this.byProject.get(projectId) ?? this.fallback;
  }
}

/** A rules file that cannot be read. */
export class RulesFileError extends Error {
  override readonly name = 'RulesFileError';
}

/**
 * Compiles a start-up rules option. Throws `RulesSyntaxError` (message `file:line:col: detail`)
 * for invalid rules and `RulesFileError` when the file cannot be read.
 */
export function compileRulesOption(option: RulesOption): CompiledRules {
  if (typeof option === 'string') return compileRules(option, 'firestore.rules');
  let source: string;
  try {
    source = readFileSync(option.file, 'utf8');
  } catch (err) {
    throw new RulesFileError(`Cannot read the rules file ${option.file}: ${(err as Error).message}`, { cause: err });
  }
  return compileRules(source, basename(option.file));
}
