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

interface PatternWalk {
  readonly pattern: readonly PatternSegment[];
  readonly items: readonly PathItem[];
  readonly minRecursive: number;
  readonly out: PartialMatch[];
}

// A plain recursive function rather than a closure: this runs for every request.
function walkPattern(w: PatternWalk, pi: number, si: number, vars: Map<string, Value>): void {
  if (w.out.length >= MAX_HITS) return;
  if (pi === w.pattern.length) {
    w.out.push({ end: si, vars });
    return;
  }
  const seg = w.pattern[pi] as PatternSegment;
  const item = w.items[si];
  if (seg.kind === 'literal') {
    if (item === seg.value) walkPattern(w, pi + 1, si + 1, vars);
    return;
  }
  if (seg.kind === 'wildcard') {
    if (typeof item === 'string') walkPattern(w, pi + 1, si + 1, new Map(vars).set(seg.name, str(item)));
    else if (item === UNKNOWN_ID) walkPattern(w, pi + 1, si + 1, new Map(vars).set(seg.name, UNKNOWN));
    return;
  }
  for (let k = w.minRecursive; si + k <= w.items.length; k++) {
    const taken = w.items.slice(si, si + k);
    const value = taken.every((t): t is string => typeof t === 'string') ? path(taken) : UNKNOWN;
    walkPattern(w, pi + 1, si + k, new Map(vars).set(seg.name, value));
  }
}

function matchPattern(
  pattern: readonly PatternSegment[],
  items: readonly PathItem[],
  start: number,
  minRecursive: number,
): PartialMatch[] {
  const w: PatternWalk = { pattern, items, minRecursive, out: [] };
  walkPattern(w, 0, start, new Map());
  return w.out;
}

interface MatchSearch {
  readonly items: readonly PathItem[];
  readonly minRecursive: number;
  readonly hits: MatchHit[];
}

function visitBlocks(s: MatchSearch, blocks: readonly MatchBlock[], start: number, outer: readonly ReadonlyMap<string, Value>[]): void {
  for (const block of blocks) {
    for (const m of matchPattern(block.pattern, s.items, start, s.minRecursive)) {
      if (s.hits.length >= MAX_HITS) return;
      const bindings = [...outer, m.vars];
      if (m.end === s.items.length) s.hits.push({ block, bindings });
      visitBlocks(s, block.matches, m.end, bindings);
    }
  }
}

/** All (block, bindings) pairs whose full pattern covers `items` (rules path segments). */
export function findMatches(file: RulesFile, items: readonly PathItem[]): MatchHit[] {
  const search: MatchSearch = { items, minRecursive: file.version === '2' ? 0 : 1, hits: [] };
  visitBlocks(search, file.service.matches, 0, []);
  return search.hits;
}
