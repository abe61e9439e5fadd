import type { DatabaseId, StoredDocument } from '../model/index.js';
import type { Query } from '../query/index.js';
import type { AuthContext } from './context.js';

export type AccessMethod = 'get' | 'list' | 'create' | 'update' | 'delete';

/**
 * One access decision the service asks for. The security-rules engine implements
 * `Authorizer`; owner calls never reach it.
 */
export interface AccessRequest {
  method: AccessMethod;
  database: DatabaseId;
  auth: Exclude<AuthContext, { kind: 'owner' }>;
  /** Document path for get/create/update/delete; for list the queried collection path (a
   * collection group query gives `parent/{wildcard}` as `parentPath` + `collectionId`). */
  path: string;
  /** The stored document before the operation (null when it does not exist). */
  resource: StoredDocument | null;
  /** For create/update: the document as it would be after the write. */
  newResource?: StoredDocument | null;
  /** For list: the validated query. */
  query?: Query;
  /** Request time (commit-clock nanoseconds). */
  time: bigint;
  /** Reads another document as of the request (rules `get()`/`exists()`). */
  lookup(path: string): StoredDocument | null;
  /** Reads a document as it would be after the whole write batch (rules `getAfter()`). */
  lookupAfter?(path: string): StoredDocument | null;
  /**
   * Set on the writes of one commit (batch or transaction): the same object for every write
   * of that commit, so an authorizer can share per-request state across them (security
   * rules count document accesses per commit, not per write).
   */
  batch?: CommitBatch;
}

/** Identifies one commit among authorization requests (compared by identity). */
export interface CommitBatch {
  /** Number of documents the commit writes (each is authorized separately). */
  readonly documents: number;
}

export type AccessDecision = boolean | { allow: boolean; reason?: string };

export interface Authorizer {
  authorize(request: AccessRequest): AccessDecision | Promise<AccessDecision>;
}

/** The default: no rules loaded, everything allowed (like an emulator without rules). */
export const allowAll: Authorizer = { authorize: () => true };
