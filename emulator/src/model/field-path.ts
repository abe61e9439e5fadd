import { invalidArgument } from './errors.js';
import type { Fields, Value } from './values.js';

/**
 * Field paths as Firestore spells them: dot-separated segments; a segment that is not a
 * simple identifier ([A-Za-z_][A-Za-z_0-9]*) is quoted in backticks with `\`` and `\\`
 * escapes, e.g. `a.`b.c`.d`.
 */
export type FieldPath = readonly string[];

export const DOCUMENT_ID_FIELD = '__name__';

const SIMPLE = /^[A-Za-z_][A-Za-z_0-9]*$/;

export function parseFieldPath(text: string): string[] {
  if (typeof text !== 'string' || text.length === 0) throw invalidArgument('Invalid field path: it is empty.');
  const segments: string[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '`') {
      let seg = '';
      i++;
      let closed = false;
      while (i < text.length) {
        const c = text[i]!;
        if (c === '\\') {
          if (i + 1 >= text.length) throw invalidArgument(`Invalid field path "${text}": trailing escape.`);
          seg += text[i + 1];
          i += 2;
        } else if (c === '`') {
          closed = true;
          i++;
          break;
        } else {
          seg += c;
          i++;
        }
      }
      if (!closed) throw invalidArgument(`Invalid field path "${text}": unterminated backtick.`);
      if (seg.length === 0) throw invalidArgument(`Invalid field path "${text}": empty segment.`);
      segments.push(seg);
      if (i === text.length) break;
      if (text[i] !== '.') throw invalidArgument(`Invalid field path "${text}": expected '.' after a quoted segment.`);
      i++;
    } else {
      const dot = text.indexOf('.', i);
      const end = dot < 0 ? text.length : dot;
      const seg = text.slice(i, end);
      if (seg.length === 0) throw invalidArgument(`Invalid field path "${text}": empty segment.`);
      if (seg.includes('`')) throw invalidArgument(`Invalid field path "${text}": unexpected backtick.`);
      segments.push(seg);
      if (dot < 0) break;
      i = dot + 1;
      if (i === text.length) throw invalidArgument(`Invalid field path "${text}": it ends with '.'.`);
    }
  }
  return segments;
}

export function quoteSegment(segment: string): string {
  if (SIMPLE.test(segment)) return segment;
  return '`' + segment.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`';
}

export function formatFieldPath(path: FieldPath): string {
  return path.map(quoteSegment).join('.');
}

export function isDocumentIdPath(path: FieldPath): boolean {
  return path.length === 1 && path[0] === DOCUMENT_ID_FIELD;
}

/** Canonical string key of a field path (used to compare and de-duplicate paths). */
export const fieldPathKey = (path: FieldPath): string => formatFieldPath(path);

export function isPrefixPath(prefix: FieldPath, path: FieldPath): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== path[i]) return false;
  return true;
}

export function getField(fields: Fields | undefined, path: FieldPath): Value | undefined {
  let current: Fields | undefined = fields;
  for (let i = 0; i < path.length; i++) {
    if (!current) return undefined;
    const v: Value | undefined = current[path[i]!];
    if (v === undefined) return undefined;
    if (i === path.length - 1) return v;
    current = 'mapValue' in v ? (v.mapValue.fields ?? {}) : undefined;
  }
  return undefined;
}

/** Sets a (possibly nested) field, replacing non-map intermediates with maps. Mutates. */
export function setField(fields: Fields, path: FieldPath, value: Value): void {
  let current = fields;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i]!;
    let next = current[seg];
    if (!next || !('mapValue' in next)) {
      next = { mapValue: { fields: {} } };
      current[seg] = next;
    }
    const mv: { fields?: Fields } = next.mapValue;
    mv.fields ??= {};
    current = mv.fields;
  }
  current[path[path.length - 1]!] = value;
}

/** Deletes a (possibly nested) field if present. Mutates. */
export function deleteField(fields: Fields, path: FieldPath): void {
  let current: Fields | undefined = fields;
  for (let i = 0; i < path.length - 1; i++) {
    const next: Value | undefined = current?.[path[i]!];
    if (!next || !('mapValue' in next)) return;
    current = next.mapValue.fields;
  }
  if (current) delete current[path[path.length - 1]!];
}

/** Keeps only the listed field paths (a document mask / projection). */
export function applyFieldMask(fields: Fields, paths: readonly FieldPath[]): Fields {
  const out: Fields = {};
  for (const path of paths) {
    const v = getField(fields, path);
    if (v !== undefined) setField(out, path, structuredClone(v));
  }
  return out;
}
