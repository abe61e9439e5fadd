import type { FieldPath, StoredDocument, Value } from '../model/index.js';
import { ExactSum, getField, invalidArgument, parseFieldPath } from '../model/index.js';

export const MAX_AGGREGATIONS = 5;

export type Aggregation =
  | { alias: string; kind: 'count'; upTo?: bigint }
  | { alias: string; kind: 'sum' | 'avg'; path: FieldPath };

const ALIAS = /^[A-Za-z_][A-Za-z_0-9]*$/;

/** Parses `StructuredAggregationQuery.aggregations`, assigning Firestore's default aliases. */
export function parseAggregations(json: unknown): Aggregation[] {
  const list = json ?? [];
  if (!Array.isArray(list)) throw invalidArgument('Invalid aggregations.');
  if (list.length === 0) throw invalidArgument('An aggregation query needs at least one aggregation.');
  if (list.length > MAX_AGGREGATIONS) {
    throw invalidArgument(`Too many aggregations: the maximum number of aggregations is ${MAX_AGGREGATIONS} per query (got ${list.length}).`);
  }
  const seen = new Set<string>();
  return list.map((raw: unknown, i) => {
    const a = (raw ?? {}) as Record<string, Record<string, unknown> | string | undefined>;
    const alias = typeof a.alias === 'string' && a.alias !== '' ? a.alias : `field_${i + 1}`;
    if (!ALIAS.test(alias) && !(alias.startsWith('`') && alias.endsWith('`'))) throw invalidArgument(`Invalid aggregation alias "${alias}".`);
    if (seen.has(alias)) throw invalidArgument(`Duplicate aggregation alias "${alias}".`);
    seen.add(alias);
    if (a.count !== undefined) {
      const c = (typeof a.count === 'object' ? a.count : {}) as { upTo?: unknown };
      let upTo: bigint | undefined;
      if (c.upTo !== undefined && c.upTo !== null) {
        const n = typeof c.upTo === 'object' ? (c.upTo as { value?: unknown }).value : c.upTo;
        upTo = BigInt(String(n ?? 0));
        if (upTo < 0n) throw invalidArgument('count up_to must be non-negative.');
      }
      return { alias, kind: 'count' as const, upTo };
    }
    for (const kind of ['sum', 'avg'] as const) {
      const spec = a[kind];
      if (spec !== undefined) {
        const field = typeof spec === 'object' ? (spec.field as { fieldPath?: unknown } | undefined) : undefined;
        if (!field || typeof field.fieldPath !== 'string') throw invalidArgument(`The ${kind} aggregation needs a field.`);
        return { alias, kind, path: parseFieldPath(field.fieldPath) };
      }
    }
    throw invalidArgument('Invalid aggregation: it must be count, sum or avg.');
  });
}

/**
 * Computes aggregate fields over the matched documents. Like Firestore, a query with sum or
 * avg aggregations only considers documents that have every aggregated field (of any type):
 * `{count, sum(pages), avg(year)}` leaves a document without `year` out of all three.
 */
export function aggregate(aggs: readonly Aggregation[], matched: readonly StoredDocument[]): Record<string, Value> {
  const paths = aggs.flatMap((a) => (a.kind === 'count' ? [] : [a.path]));
  const docs = paths.length === 0 ? matched : matched.filter((d) => paths.every((p) => getField(d.fields, p) !== undefined));
  const out: Record<string, Value> = {};
  for (const a of aggs) {
    if (a.kind === 'count') {
      let n = BigInt(docs.length);
      if (a.upTo !== undefined && n > a.upTo) n = a.upTo;
      out[a.alias] = { integerValue: n.toString() };
      continue;
    }
    const acc = new ExactSum();
    for (const doc of docs) {
      const v = getField(doc.fields, a.path);
      if (v) acc.add(v);
    }
    out[a.alias] = a.kind === 'sum' ? acc.sum() : acc.average();
  }
  return out;
}
