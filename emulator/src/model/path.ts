import { invalidArgument } from './errors.js';
import { compareUtf8, isValidUtf8String, utf8Length } from './utf8.js';

/**
 * Resource names and paths. A document path is relative to the database's documents root
 * (`users/alice/posts/p1`); a full name is `projects/P/databases/D/documents/<path>`.
 */
export interface DatabaseId {
  projectId: string;
  databaseId: string;
}

export const DEFAULT_DATABASE = '(default)';

const NUMERIC_ID = /^__id(-?\d+)__$/;
const RESERVED_ID = /^__.*__$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function databaseName(db: DatabaseId): string {
  return `projects/${db.projectId}/databases/${db.databaseId}`;
}

export function documentsRoot(db: DatabaseId): string {
  return `${databaseName(db)}/documents`;
}

export function documentName(db: DatabaseId, path: string): string {
  return `${documentsRoot(db)}/${path}`;
}

/** `__id<int64>__` ids (numeric ids created by Datastore) sort before every other id. */
export function numericId(segment: string): bigint | undefined {
  if (!segment.startsWith('__id') || !segment.endsWith('__')) return undefined;
  const m = NUMERIC_ID.exec(segment);
  if (!m) return undefined;
  const n = BigInt(m[1]!);
  return n >= INT64_MIN && n <= INT64_MAX ? n : undefined;
}

/** Order of two path segments (document ids / collection ids). */
export function compareSegments(a: string, b: string): number {
  if (a === b) return 0;
  const na = a.startsWith('__id') ? numericId(a) : undefined;
  const nb = b.startsWith('__id') ? numericId(b) : undefined;
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
  if (na !== undefined) return -1;
  if (nb !== undefined) return 1;
  return compareUtf8(a, b);
}

export function comparePaths(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareSegments(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

/** Compares slash-joined relative paths segment by segment. */
export function comparePathStrings(a: string, b: string): number {
  if (a === b) return 0;
  return comparePaths(a.split('/'), b.split('/'));
}

/** Throws INVALID_ARGUMENT when a segment is not a valid Firestore resource id. */
export function validateSegment(segment: string): void {
  if (segment.length === 0) throw invalidArgument('Resource name contains an empty path segment.');
  if (segment === '.' || segment === '..') {
    throw invalidArgument(`Resource id "${segment}" is invalid because it is reserved.`);
  }
  if (RESERVED_ID.test(segment) && numericId(segment) === undefined) {
    throw invalidArgument(`Resource id "${segment}" is invalid because it is reserved.`);
  }
  if (!isValidUtf8String(segment)) throw invalidArgument('Resource id is invalid because it is not valid UTF-8.');
  if (utf8Length(segment) > 1500) {
    throw invalidArgument(`Resource id "${segment.slice(0, 40)}..." is longer than 1500 bytes.`);
  }
}

export function parseDatabaseName(name: string): DatabaseId {
  const m = /^projects\/([^/]+)\/databases\/([^/]+)$/.exec(name);
  if (!m) throw invalidArgument(`Invalid database name: "${name}".`);
  return { projectId: m[1]!, databaseId: m[2]! };
}

export interface ParsedName extends DatabaseId {
  /** Path segments below `documents` (possibly empty for the root). */
  segments: string[];
}

/** Parses `projects/P/databases/D/documents[/...]`. */
export function parseResourceName(name: string): ParsedName {
  if (typeof name !== 'string') throw invalidArgument('Missing resource name.');
  const parts = name.split('/');
  if (parts.length < 5 || parts[0] !== 'projects' || parts[2] !== 'databases' || parts[4] !== 'documents') {
    throw invalidArgument(`Invalid resource name: "${name}". Expected projects/P/databases/D/documents/...`);
  }
  const segments = parts.slice(5);
  if (segments.length === 1 && segments[0] === '') segments.pop();
  for (const s of segments) validateSegment(s);
  return { projectId: parts[1]!, databaseId: parts[3]!, segments };
}

export interface ParsedDocumentName extends DatabaseId {
  /** Relative path, e.g. `users/alice`. */
  path: string;
  segments: string[];
}

export function parseDocumentName(name: string): ParsedDocumentName {
  const parsed = parseResourceName(name);
  if (parsed.segments.length === 0 || parsed.segments.length % 2 !== 0) {
    throw invalidArgument(`Document name "${name}" has ${parsed.segments.length} path segments; a document path needs an even, non-zero number.`);
  }
  return { ...parsed, path: parsed.segments.join('/') };
}

/** The parent of a query/list: the documents root or a document. */
export function parseParentName(name: string): ParsedName & { path: string } {
  const parsed = parseResourceName(name);
  if (parsed.segments.length % 2 !== 0) {
    throw invalidArgument(`Invalid parent "${name}": it must be the documents root or a document.`);
  }
  return { ...parsed, path: parsed.segments.join('/') };
}

export function collectionOf(docPath: string): string {
  return docPath.slice(0, docPath.lastIndexOf('/'));
}

export function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Parent document path of a collection path ('' for a root collection). */
export function parentOfCollection(collectionPath: string): string {
  const i = collectionPath.lastIndexOf('/');
  return i < 0 ? '' : collectionPath.slice(0, i);
}

export function sameDatabase(a: DatabaseId, b: DatabaseId): boolean {
  return a.projectId === b.projectId && a.databaseId === b.databaseId;
}
