/**
 * Which `match` blocks cover a request path, and what their wildcards bind. A block's allow
 * statements apply when its pattern, appended to the patterns of the blocks around it,
 * consumes the whole path. A wildcard `{x}` takes one segment (a string); a recursive wildcard
 * `{x=**}` takes zero or more segments in rules_version '2' (one or more in '1') and binds a path.
 *
 * For list queries the path is partly unknown: the queried document's id (UNKNOWN_ID) and, for
 * collection group queries, the run of segments before the collection (UNKNOWN_RUN). Only a
 * wildcard can take an unknown id and only a recursive wildcard an unknown run, so a block
 * matches only when it matches for every document the query could return.
 */
import type { MatchBlock, PatternSegment, RulesFile } from './ast.js';
import { path, str, UNKNOWN, type Value } from './values.js';

export const UNKNOWN_ID: unique symbol = Symbol('unknown document id');
export const UNKNOWN_RUN: unique symbol = Symbol('unknown run of path segments');
export type PathItem = string | typeof UNKNOWN_ID | typeof UNKNOWN_RUN;

export interface MatchHit {
  readonly block: MatchBlock;
  /** The variables bound by each block from the outermost down to `block`. */
  readonly bindings: readonly ReadonlyMap<string, Value>[];
}

/** Safety valve against patterns like nested recursive wildcards over long paths. */
const MAX_HITS = 512;

interface PartialMatch {
  end: number;
  vars: Map<string, Value>;
}

function matchPattern(
  pattern: readonly PatternSegment[],
  items: readonly PathItem[],
  start: number,
  minRecursive: number,
): PartialMatch[] {
  const out: PartialMatch[] = [];
  const walk = (pi: number, si: number, vars: Map<string, Value>): void => {
    if (out.length >= MAX_HITS) return;
    if (pi === pattern.length) {
      out.push({ end: si, vars });
      return;
    }
    const seg = pattern[pi] as PatternSegment;
    const item = items[si];
    if (seg.kind === 'literal') {
      if (item === seg.value) walk(pi + 1, si + 1, vars);
      return;
    }
    if (seg.kind === 'wildcard') {
      if (typeof item === 'string') walk(pi + 1, si + 1, new Map(vars).set(seg.name, str(item)));
      else if (item === UNKNOWN_ID) walk(pi + 1, si + 1, new Map(vars).set(seg.name, UNKNOWN));
      return;
    }
    for (let k = minRecursive; si + k <= items.length; k++) {
      const taken = items.slice(si, si + k);
      const value = taken.every((t): t is string => typeof t === 'string') ? path(taken) : UNKNOWN;
      walk(pi + 1, si + k, new Map(vars).set(seg.name, value));
    }
  };
  walk(0, start, new Map());
  return out;
}

/** All (block, bindings) pairs whose full pattern covers `items` (rules path segments). */
export function findMatches(file: RulesFile, items: readonly PathItem[]): MatchHit[] {
  const hits: MatchHit[] = [];
  const minRecursive = file.version === '2' ? 0 : 1;
  const visit = (blocks: readonly MatchBlock[], start: number, outer: readonly ReadonlyMap<string, Value>[]): void => {
    for (const block of blocks) {
      for (const m of matchPattern(block.pattern, items, start, minRecursive)) {
        if (hits.length >= MAX_HITS) return;
        const bindings = [...outer, m.vars];
        if (m.end === items.length) hits.push({ block, bindings });
        visit(block.matches, m.end, bindings);
      }
    }
  };
  visit(file.service.matches, 0, []);
  return hits;
}
