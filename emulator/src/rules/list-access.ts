/**
 * List (query) authorisation: rules are not filters. The query is allowed only if, for every
 * alternative of its filter (query-constraints.ts), some allow statement is provably true for
 * every document that alternative can return. Whatever cannot be proved denies.
 */
import { describeOutcomes, runAllows, type StatementOutcome } from './allow-runner.js';
import type { BuiltinContext } from './builtins/index.js';
import type { CompiledRules } from './compile.js';
import { RulesRequestError } from './errors.js';
import { findMatches, UNKNOWN_ID, UNKNOWN_RUN, type PathItem } from './matcher.js';
import { parseStructuredQuery, QueryTooComplexError, symbolicResource, type Conjunct, type ParsedQuery, type StructuredQueryJson } from './query-constraints.js';
import { mapOf, path, type Value } from './values.js';
import { rulesPathSegments, type ResourceName } from './wire.js';

export interface ListInput {
  readonly name: ResourceName;
  readonly query: StructuredQueryJson;
  readonly base: Readonly<Record<string, Value>>;
  readonly ctx: BuiltinContext;
}

const sameSegments = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((s, i) => s === b[i]);

/** The document fixed by a `__name__ ==` filter, if it is one the query can actually return. */
function fixedDocument(c: Conjunct, q: ParsedQuery, db: string, parent: readonly string[]): ResourceName | undefined {
  const d = c.documentName;
  if (!d || d.database !== db || d.segments.length % 2 !== 0) return undefined;
  const coll = d.segments.slice(0, -1);
  if (!q.allDescendants) return sameSegments(coll, [...parent, q.collectionId]) ? d : undefined;
  const underParent = sameSegments(coll.slice(0, parent.length), parent);
  return underParent && coll[coll.length - 1] === q.collectionId ? d : undefined;
}

export function evaluateList(
  rules: CompiledRules,
  input: ListInput,
  outcomes: StatementOutcome[],
): { granted?: StatementOutcome; failure?: string } {
  let q: ParsedQuery;
  try {
    q = parseStructuredQuery(input.query);
  } catch (err) {
    if (err instanceof QueryTooComplexError) return { failure: `query too complex to authorise: ${err.message}` };
    throw err;
  }
  const { name } = input;
  let parent = name.segments;
  if (parent.length % 2 === 1) {
    if (parent[parent.length - 1] !== q.collectionId) {
      throw new RulesRequestError(`list path ${parent.join('/')} does not end with the queried collection ${q.collectionId}`);
    }
    parent = parent.slice(0, -1);
  }
  const root = ['databases', name.database, 'documents'];
  const request = mapOf({
    ...input.base,
    path: path([...root, ...parent, q.collectionId]),
    resource: { t: 'null' },
    query: q.requestQuery,
  });
  const unknownItems: PathItem[] = [...root, ...parent];
  if (q.allDescendants) unknownItems.push(UNKNOWN_RUN);
  unknownItems.push(q.collectionId, UNKNOWN_ID);

  let granted: StatementOutcome | undefined;
  for (const [i, conjunct] of q.conjuncts.entries()) {
    const doc = fixedDocument(conjunct, q, name.database, parent);
    const hits = findMatches(rules.ast, doc ? rulesPathSegments(doc) : unknownItems);
    const local: StatementOutcome[] = [];
    const g = runAllows({ hits, method: 'list', request, resource: symbolicResource(conjunct, doc), ctx: input.ctx }, local);
    outcomes.push(...local);
    if (!g) {
      const which = q.conjuncts.length > 1 ? `query alternative ${i + 1} of ${q.conjuncts.length}: ` : '';
      return { failure: which + describeOutcomes(local, 'list') };
    }
    granted ??= g;
  }
  return granted ? { granted } : { failure: describeOutcomes([], 'list') };
}
