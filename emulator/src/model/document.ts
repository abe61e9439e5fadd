import { applyFieldMask, type FieldPath } from './field-path.js';
import { formatNanos } from './timestamp.js';
import type { Fields } from './values.js';

/** A stored document version. Times are commit-clock nanoseconds. */
export interface StoredDocument {
  /** Relative path, e.g. `users/alice`. */
  readonly path: string;
  readonly fields: Fields;
  readonly createTime: bigint;
  readonly updateTime: bigint;
}

/** The `google.firestore.v1.Document` JSON shape. */
export interface DocumentJson {
  name: string;
  fields?: Fields;
  createTime?: string;
  updateTime?: string;
}

export function toDocumentJson(root: string, doc: StoredDocument, mask?: readonly FieldPath[]): DocumentJson {
  return {
    name: `${root}/${doc.path}`,
    fields: mask ? applyFieldMask(doc.fields, mask) : doc.fields,
    createTime: formatNanos(doc.createTime),
    updateTime: formatNanos(doc.updateTime),
  };
}
