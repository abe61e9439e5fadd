import type protobuf from 'protobufjs';
import { invalidArgument } from '../../model/index.js';

type Json = Record<string, unknown>;

/** Standard Google API system parameters that every REST method accepts and we ignore. */
const SYSTEM_PARAMETERS = new Set(['key', 'alt', '$alt', 'prettyPrint', '$prettyPrint', 'fields', '$fields', 'quotaUser', 'access_token', 'callback', 'upload_protocol', 'uploadType', '$.xgafv']);

const camel = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function coerce(field: protobuf.Field, raw: string, name: string): unknown {
  switch (field.type) {
    case 'bool':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw invalidArgument(`Invalid value at '${name}' (TYPE_BOOL), "${raw}"`);
    case 'double':
    case 'float':
      return Number(raw);
    default:
      // Integers stay strings (proto3 JSON accepts them), messages like Timestamp take strings.
      return raw;
  }
}

/**
 * Binds URL query parameters to request fields the way Google's REST mapping does: a
 * dotted name walks into message fields (`mask.fieldPaths`, `currentDocument.exists`),
 * repeated fields take repeated parameters. Unknown names are INVALID_ARGUMENT.
 */
export function bindQueryParameters(type: protobuf.Type, params: URLSearchParams): Json {
  const out: Json = {};
  for (const name of new Set(params.keys())) {
    if (SYSTEM_PARAMETERS.has(name)) continue;
    const parts = name.split('.');
    let t: protobuf.Type = type;
    let target = out;
    for (let i = 0; i < parts.length; i++) {
      const key = t.fields[parts[i]!] ? parts[i]! : camel(parts[i]!);
      const field = t.fields[key];
      if (!field) throw invalidArgument(`Invalid JSON payload received. Unknown name "${name}": Cannot bind query parameter.`);
      field.resolve();
      const last = i === parts.length - 1;
      if (!last) {
        if (!field.resolvedType || !('fields' in field.resolvedType) || field.repeated) {
          throw invalidArgument(`Invalid JSON payload received. Unknown name "${name}": Cannot bind query parameter.`);
        }
        const next = (target[key] ??= {}) as Json;
        target = next;
        t = field.resolvedType as protobuf.Type;
        continue;
      }
      const values = params.getAll(name).map((v) => coerce(field, v, name));
      if (field.repeated) target[key] = values;
      else {
        if (values.length > 1) throw invalidArgument(`Invalid JSON payload received. "${name}" cannot be repeated.`);
        target[key] = values[0];
      }
    }
  }
  return out;
}
