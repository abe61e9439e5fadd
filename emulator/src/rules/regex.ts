/**
 * Regular expressions for `matches`, `split` and `replace`. Rules use Google RE2 syntax;
 * re2js is a faithful port of RE2, so patterns behave as in Firestore (no backreferences or
 * lookarounds) and matching time stays linear in the input even for hostile patterns.
 * Compiled patterns are cached: rules reuse a handful of literal patterns on every request.
 */
import { RE2JS } from 're2js';
import { fail } from './errors.js';

const MAX_CACHED = 512;
const cache = new Map<string, RE2JS>();

export function compileRegex(pattern: string): RE2JS {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    throw fail(`invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, re);
  return re;
}

/** True when the WHOLE input matches (rules' `matches` is anchored at both ends). */
export function fullMatch(pattern: string, input: string): boolean {
  return compileRegex(pattern).matches(input);
}

/** [start, end, ...groups] of each non-overlapping match, skipping an empty match that
 * directly follows a previous match (RE2/Go semantics). */
function allMatches(pattern: string, input: string): { start: number; end: number; groups: (string | null)[] }[] {
  const re = compileRegex(pattern);
  const m = re.matcher(input);
  const out: { start: number; end: number; groups: (string | null)[] }[] = [];
  let prevEnd = -1;
  for (let guard = 0; guard <= input.length + 1 && m.find(); guard++) {
    const start = m.start();
    const end = m.end();
    if (start === end && start === prevEnd) continue;
    const groups: (string | null)[] = [];
    for (let g = 0; g <= m.groupCount(); g++) groups.push(m.group(g));
    out.push({ start, end, groups });
    prevEnd = end;
  }
  return out;
}

/** Replaces every match; in `sub`, `\0`..`\9` insert a group and `\\` a backslash (RE2 rewrite syntax). */
export function regexReplaceAll(pattern: string, input: string, sub: string): string {
  let out = '';
  let last = 0;
  for (const { start, end, groups } of allMatches(pattern, input)) {
    out += input.slice(last, start);
    for (let i = 0; i < sub.length; i++) {
      const c = sub[i];
      const d = sub[i + 1];
      if (c === '\\' && d !== undefined && d >= '0' && d <= '9') {
        const g = Number(d);
        if (g >= groups.length) throw fail(`replace: rewrite string refers to group \\${d} which the pattern does not have`);
        out += groups[g] ?? '';
        i++;
      } else if (c === '\\' && d === '\\') {
        out += '\\';
        i++;
      } else {
        out += c;
      }
    }
    last = end;
  }
  return out + input.slice(last);
}

/** Splits around matches, keeping empty pieces between adjacent separators (RE2/Go semantics). */
export function regexSplit(pattern: string, input: string): string[] {
  compileRegex(pattern); // report a bad pattern even for empty input
  if (input === '') return [''];
  const parts: string[] = [];
  let beg = 0;
  let end = 0;
  for (const match of allMatches(pattern, input)) {
    end = match.start;
    if (match.end !== 0) parts.push(input.slice(beg, end));
    beg = match.end;
  }
  if (end !== input.length) parts.push(input.slice(beg));
  return parts;
}
