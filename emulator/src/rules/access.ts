/**
 * evaluateAccess: the authorisation hook for one client operation. Pure: documents come in as
 * arguments or through the injected accessor, nothing is read or written elsewhere.
 */
import type { AllowMethod, RequestMethod } from './ast.js';
import { renderValue } from './display.js';
import { AccessSession, BATCH_ACCESS_LIMIT, makeDocumentReader, SINGLE_REQUEST_ACCESS_LIMIT, type DocumentAccessor } from './document-access.js';
import { RulesRequestError } from './errors.js';
import type { CompiledRules } from './compile.js';
import { describeOutcomes, runAllows, type StatementOutcome } from './allow-runner.js';
import { evaluateList } from './list-access.js';
import { findMatches } from './matcher.js';
import { jsonToValue, parseResourceName, resourceValue, rulesPathSegments, wireTimestampToNs, type ResourceName, type WireDocument, type WireTimestamp } from './wire.js';
import type { StructuredQueryJson } from './query-constraints.js';
import { mapOf, NULL, path, str, timestamp, type Value } from './values.js';

export interface AuthContext {
  readonly uid: string;
  /** Decoded ID token claims (email, email_verified, firebase.sign_in_provider, custom claims...). */
  readonly token: Readonly<Record<string, unknown>>;
}

export interface AccessRequest {
  /**
   * get/create/update/delete: the document's resource name, `projects/P/databases/D/documents/c/id`.
   * list: the query's parent (RunQuery `parent`: the documents root or a document) or the
   * collection path itself; the collection comes from `query.from`.
   */
  readonly path: string;
  readonly method: RequestMethod;
  /** null when the client is not signed in. */
  readonly auth: AuthContext | null;
  /** When the request was received (also what server timestamps resolve to): RFC 3339,
   * {seconds, nanos}, or nanoseconds since the epoch as a bigint. */
  readonly time: WireTimestamp | bigint;
  /** The stored document (get/update/delete), or null/omitted when it does not exist. */
  readonly resource?: WireDocument | null;
  /** create/update: the document as it would be after the write. */
  readonly requestResource?: WireDocument | null;
  /** list: the StructuredQuery in proto3 JSON. */
  readonly query?: StructuredQueryJson;
  /** Serves get()/exists()/getAfter()/existsAfter(). */
  readonly accessor?: DocumentAccessor;
}

export interface AccessOptions {
  /**
   * Share one session across all operations of a batch or transaction so the access-call
   * limit and cache span the whole request. Defaults to a fresh session allowing 10 calls.
   */
  readonly session?: AccessSession;
}

export interface AccessError {
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

export interface AccessDecision {
  readonly allowed: boolean;
  /** One line for logs and PERMISSION_DENIED messages. */
  readonly reason: string;
  /** The allow statement that granted access. */
  readonly grantedBy?: { readonly line: number; readonly column: number; readonly methods: readonly AllowMethod[] };
  /** Every allow statement evaluated, in order. */
  readonly statements: readonly StatementOutcome[];
  /** Evaluation errors among those statements (each names the line of the failing expression). */
  readonly errors: readonly AccessError[];
  /** Values passed to debug(), rendered. */
  readonly debug: readonly string[];
  /** Document access calls charged to the session by this evaluation. */
  readonly documentAccesses: number;
}

export function createAccessSession(kind: 'single' | 'batch' = 'single'): AccessSession {
  return new AccessSession(kind === 'batch' ? BATCH_ACCESS_LIMIT : SINGLE_REQUEST_ACCESS_LIMIT);
}

function authValue(auth: AuthContext | null): Value {
  if (!auth) return NULL;
  return mapOf({ uid: str(auth.uid), token: jsonToValue(auth.token ?? {}) });
}

function documentResource(doc: WireDocument | null | undefined, fallback: ResourceName): Value {
  if (!doc) return NULL;
  const name = doc.name ? parseResourceName(doc.name) : fallback;
  return resourceValue(name, doc.fields);
}

const WRITE_METHODS: ReadonlySet<RequestMethod> = new Set(['create', 'update', 'delete']);
const METHODS: ReadonlySet<string> = new Set(['get', 'list', 'create', 'update', 'delete']);

/** Decides one operation. Throws RulesRequestError only for malformed input (a caller bug). */
export function evaluateAccess(rules: CompiledRules, req: AccessRequest, options: AccessOptions = {}): AccessDecision {
  if (!METHODS.has(req.method)) throw new RulesRequestError(`unknown method ${JSON.stringify(req.method)}`);
  const name = parseResourceName(req.path);
  const session = options.session ?? createAccessSession();
  const before = session.count;
  const debug: string[] = [];
  const ctx = {
    readDocument: makeDocumentReader({
      project: name.project,
      database: name.database,
      isWrite: WRITE_METHODS.has(req.method),
      accessor: req.accessor,
      session,
    }),
    debug: (v: Value) => void debug.push(renderValue(v)),
  };
  const time = timestamp(typeof req.time === 'bigint' ? req.time : wireTimestampToNs(req.time, 'request time'));
  const base = { auth: authValue(req.auth), method: str(req.method), time };

  const outcomes: StatementOutcome[] = [];
  let granted: StatementOutcome | undefined;
  let failure: string | undefined;
  if (req.method === 'list') {
    if (!req.query) throw new RulesRequestError('a list request needs a query');
    const result = evaluateList(rules, { name, query: req.query, base, ctx }, outcomes);
    granted = result.granted;
    failure = result.failure;
  } else {
    if (name.segments.length === 0 || name.segments.length % 2 !== 0) {
      throw new RulesRequestError(`${req.method} needs a document name, got ${JSON.stringify(req.path)}`);
    }
    const isWrite = WRITE_METHODS.has(req.method);
    const request = mapOf({
      ...base,
      path: path(rulesPathSegments(name)),
      resource: isWrite && req.method !== 'delete' ? documentResource(req.requestResource, name) : NULL,
    });
    const hits = findMatches(rules.ast, rulesPathSegments(name));
    granted = runAllows({ hits, method: req.method, request, resource: documentResource(req.resource, name), ctx }, outcomes);
  }

  const errors = outcomes.flatMap((o) => (o.error ? [o.error] : []));
  const loc = (o: StatementOutcome): string => `${rules.fileName}:${o.line}:${o.column}`;
  return {
    allowed: granted !== undefined,
    reason: granted
      ? `allowed by 'allow ${granted.methods.join(', ')}' at ${loc(granted)}`
      : (failure ?? describeOutcomes(outcomes, req.method)),
    ...(granted ? { grantedBy: { line: granted.line, column: granted.column, methods: granted.methods } } : {}),
    statements: outcomes,
    errors,
    debug,
    documentAccesses: session.count - before,
  };
}
