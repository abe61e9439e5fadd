/**
 * Adapts the rules engine (`rules/`) to the service's Authorizer hook. The service speaks in
 * relative document paths, `StoredDocument`s, validated `Query`s and commit-clock
 * nanoseconds; the engine wants full resource names, `{fields}` wire documents and the
 * proto3-JSON StructuredQuery. Owner (admin SDK) calls never get here: the service skips
 * the authorizer for them.
 */
import type { Logger } from 'pino';
import { documentsRoot, type StoredDocument } from '../model/index.js';
import {
  createAccessSession,
  evaluateAccess,
  RulesRequestError,
  SINGLE_REQUEST_ACCESS_LIMIT,
  type AccessSession,
  type AuthContext as RulesAuth,
  type CompiledRules,
  type StructuredQueryJson,
  type WireDocument,
} from '../rules/index.js';
import type { AccessDecision, AccessRequest, Authorizer, CommitBatch } from '../service/index.js';
import { collectionListingJson, queryToJson } from './query-json.js';
import type { SecurityRules } from './rules-set.js';

const segmentsOf = (path: string): string[] => (path === '' ? [] : path.split('/'));

function wireDocument(root: string, doc: StoredDocument | null | undefined): WireDocument | null {
  return doc ? { name: `${root}/${doc.path}`, fields: doc.fields } : null;
}

function rulesAuth(auth: AccessRequest['auth']): RulesAuth | null {
  return auth.kind === 'user' ? { uid: auth.uid, token: auth.token } : null;
}

export class RulesAuthorizer implements Authorizer {
  /** One document-access budget (20 calls) per commit, shared by all of its writes. */
  private readonly sessions = new WeakMap<CommitBatch, AccessSession>();

  constructor(
    readonly rules: SecurityRules,
    private readonly logger?: Logger,
  ) {}

  authorize(req: AccessRequest): AccessDecision {
    const rules = this.rules.for(req.database.projectId);
    if (!rules) return true;
    try {
      return this.decide(rules, req);
    } catch (err) {
      if (!(err instanceof RulesRequestError)) throw err;
      // A request the engine cannot interpret is our bug, never a reason to let it through.
      this.logger?.error({ err, method: req.method, path: req.path }, 'security rules could not evaluate a request');
      return { allow: false, reason: `security rules could not evaluate this request: ${err.message}` };
    }
  }

  private decide(rules: CompiledRules, req: AccessRequest): AccessDecision {
    const root = documentsRoot(req.database);
    let query: StructuredQueryJson | undefined;
    if (req.method === 'list') {
      const segments = segmentsOf(req.path);
      if (req.query) query = queryToJson(req.query);
      else if (segments.length % 2 === 1) query = collectionListingJson(segments[segments.length - 1]!);
      // ListCollectionIds names no collection rules could match: only the owner may list ids.
      else return { allow: false, reason: 'listing collection ids needs owner (admin SDK) credentials' };
    }
    const relative = (name: string): string => {
      if (!name.startsWith(`${root}/`)) throw new RulesRequestError(`document ${name} is outside the request's database ${root}`);
      return name.slice(root.length + 1);
    };
    const lookupAfter = req.lookupAfter ?? req.lookup;
    const session = req.batch ? this.batchSession(req.batch) : createAccessSession('single');
    const decision = evaluateAccess(
      rules,
      {
        path: req.path === '' ? root : `${root}/${req.path}`,
        method: req.method,
        auth: rulesAuth(req.auth),
        time: req.time,
        resource: wireDocument(root, req.resource),
        requestResource: wireDocument(root, req.newResource),
        query,
        accessor: {
          get: (name) => wireDocument(root, req.lookup(relative(name))),
          getAfter: (name) => wireDocument(root, lookupAfter(relative(name))),
        },
      },
      { session },
    );
    if (decision.debug.length > 0) this.logger?.info({ method: req.method, path: req.path, debug: decision.debug }, 'rules debug()');
    let { allowed, reason } = decision;
    // Firestore: 20 document reads per batch, and still 10 for each of its operations.
    if (allowed && req.batch && decision.documentAccesses > SINGLE_REQUEST_ACCESS_LIMIT) {
      allowed = false;
      reason = `Exceeded maximum number of document access calls (${SINGLE_REQUEST_ACCESS_LIMIT}) for one operation of this request (${req.method} ${req.path}).`;
    }
    if (!allowed) this.logger?.debug({ project: req.database.projectId, method: req.method, path: req.path, reason }, 'rules denied');
    return { allow: allowed, reason };
  }

  private batchSession(batch: CommitBatch): AccessSession {
    let session = this.sessions.get(batch);
    if (!session) {
      session = createAccessSession('batch');
      this.sessions.set(batch, session);
    }
    return session;
  }
}
