/** rules.String methods. Sizes and indexes count Unicode code points, not UTF-16 units. */
import { fullMatch, regexReplaceAll, regexSplit } from '../regex.js';
import { bool, bytes, int, list, str, type StringV } from '../values.js';
import { argAt, asString, fixed, type Method } from './types.js';

const encoder = new TextEncoder();

export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i++;
    n++;
  }
  return n;
}

export const STRING_METHODS: Readonly<Record<string, Method<StringV>>> = {
  lower: fixed(0, (s) => str(s.v.toLowerCase())),
  upper: fixed(0, (s) => str(s.v.toUpperCase())),
  trim: fixed(0, (s) => str(s.v.trim())),
  size: fixed(0, (s) => int(codePointLength(s.v))),
  toUtf8: fixed(0, (s) => bytes(encoder.encode(s.v))),
  matches: fixed(1, (s, args) => bool(fullMatch(asString(argAt(args, 0), 'matches()').v, s.v))),
  split: fixed(1, (s, args) => list(regexSplit(asString(argAt(args, 0), 'split()').v, s.v).map(str))),
  replace: fixed(2, (s, args) =>
    str(regexReplaceAll(asString(argAt(args, 0), 'replace()').v, s.v, asString(argAt(args, 1), 'replace()').v)),
  ),
};
