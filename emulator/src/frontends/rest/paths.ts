import { invalidArgument } from '../../model/index.js';

/** Custom verbs of google.firestore.v1.Firestore's REST mapping (`.../documents[/...]:verb`). */
export const REST_VERBS = [
  'commit',
  'batchGet',
  'runQuery',
  'runAggregationQuery',
  'beginTransaction',
  'rollback',
  'batchWrite',
  'listCollectionIds',
  'partitionQuery',
  'listen',
  'write',
  'executePipeline',
] as const;

export type RestVerb = (typeof REST_VERBS)[number];

/** A parsed `/v1/projects/{p}/databases/{d}/documents[/seg...][:verb]` URL path. */
export interface RestTarget {
  projectId: string;
  databaseId: string;
  /** Decoded path segments after `documents` (collection and document ids). */
  segments: string[];
  verb?: RestVerb;
}

/** The REST paths this front end owns (checked before parsing). */
export const REST_PATH_PATTERN = /^\/v1\/projects\/[^/]+\/databases\/[^/]+\/documents(?:[/:].*)?$/;

const HEAD = /^\/v1\/projects\/([^/]+)\/databases\/([^/]+)\/documents(.*)$/;

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidArgument(`Invalid percent-encoding in URL path segment "${segment}".`);
  }
}

/**
 * Parses a REST path. The verb is only split off the last segment when it is a known verb,
 * so a document id containing a literal `:` still parses as an id. Returns undefined for
 * paths outside the documents resource.
 */
export function parseRestPath(pathname: string): RestTarget | undefined {
  const m = HEAD.exec(pathname);
  if (!m) return undefined;
  const [, project, database, rest = ''] = m;
  let tail = rest;
  let verb: RestVerb | undefined;
  const colon = tail.lastIndexOf(':');
  if (colon >= 0 && tail.indexOf('/', colon) < 0) {
    const candidate = tail.slice(colon + 1);
    if ((REST_VERBS as readonly string[]).includes(candidate)) {
      verb = candidate as RestVerb;
      tail = tail.slice(0, colon);
    }
  }
  if (tail !== '' && !tail.startsWith('/')) return undefined;
  const segments = tail === '' ? [] : tail.slice(1).split('/').map(decode);
  if (segments.some((s) => s === '')) throw invalidArgument(`Invalid resource path "${pathname}": empty path segment.`);
  return { projectId: decode(project!), databaseId: decode(database!), segments, verb };
}

export function databaseName(t: RestTarget): string {
  return `projects/${t.projectId}/databases/${t.databaseId}`;
}

/** `projects/P/databases/D/documents[/seg...]` for the given segments. */
export function documentsName(t: RestTarget, segments: string[] = t.segments): string {
  const root = `${databaseName(t)}/documents`;
  return segments.length ? `${root}/${segments.join('/')}` : root;
}
