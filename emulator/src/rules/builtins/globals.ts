/** Functions callable without a receiver: conversions, path(), debug() and document access. */
import { fail } from '../errors.js';
import { bool, path, type Value } from '../values.js';
import { toBool, toFloatValue, toInt, toStringValue } from './numbers.js';
import { argAt, asPath, asString, fixed, type GlobalFn } from './types.js';

function parsePath(text: string): Value {
  const trimmed = text.startsWith('/') ? text.slice(1) : text;
  const segs = trimmed === '' ? [] : trimmed.split('/');
  if (segs.some((s) => s === '')) throw fail(`path(): ${JSON.stringify(text)} has an empty segment`);
  return path(segs);
}

export const GLOBAL_FUNCTIONS: Readonly<Record<string, GlobalFn>> = {
  int: fixed(1, (_, args) => toInt(argAt(args, 0))),
  float: fixed(1, (_, args) => toFloatValue(argAt(args, 0))),
  string: fixed(1, (_, args) => toStringValue(argAt(args, 0))),
  bool: fixed(1, (_, args) => toBool(argAt(args, 0))),
  path: fixed(1, (_, args) => parsePath(asString(argAt(args, 0), 'path()').v)),
  debug: fixed(1, (_, args, ctx) => {
    const v = argAt(args, 0);
    ctx.debug(v);
    return v;
  }),
  get: fixed(1, (_, args, ctx) => ctx.readDocument('get', asPath(argAt(args, 0), 'get()'))),
  exists: fixed(1, (_, args, ctx) => bool(ctx.readDocument('get', asPath(argAt(args, 0), 'exists()')).t !== 'null')),
  getAfter: fixed(1, (_, args, ctx) => ctx.readDocument('getAfter', asPath(argAt(args, 0), 'getAfter()'))),
  existsAfter: fixed(1, (_, args, ctx) =>
    bool(ctx.readDocument('getAfter', asPath(argAt(args, 0), 'existsAfter()')).t !== 'null'),
  ),
};
