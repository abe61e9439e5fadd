/**
 * Firestore values in proto3-JSON shape (what the emulator stores and its commit journal
 * hands out) to plain JavaScript: timestamps become epoch milliseconds, integers numbers,
 * bytes a byte count. Enough for auditing; not a general converter.
 */
export type ProtoValue = Record<string, unknown>;
export type ProtoFields = Record<string, ProtoValue>;

/** RFC 3339 with up to 9 fractional digits -> epoch ms (sub-millisecond digits dropped). */
export function timestampMs(text: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return Number.NaN;
  const millis = (m[2] ?? '').slice(0, 3).padEnd(3, '0');
  return Date.parse(`${m[1]}.${millis}${m[3]}`);
}

export function fromProtoValue(value: ProtoValue | undefined): unknown {
  if (!value) return undefined;
  if ('nullValue' in value) return null;
  if ('booleanValue' in value) return value.booleanValue;
  if ('integerValue' in value) return Number(value.integerValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('stringValue' in value) return value.stringValue;
  if ('timestampValue' in value) return timestampMs(String(value.timestampValue));
  if ('bytesValue' in value) return { bytes: Buffer.from(String(value.bytesValue), 'base64').length };
  if ('referenceValue' in value) return value.referenceValue;
  if ('geoPointValue' in value) return value.geoPointValue;
  if ('arrayValue' in value) {
    const values = ((value.arrayValue as { values?: ProtoValue[] }).values ?? []);
    return values.map((v) => fromProtoValue(v));
  }
  if ('mapValue' in value) return fromProtoFields((value.mapValue as { fields?: ProtoFields }).fields ?? {});
  return undefined;
}

export function fromProtoFields(fields: ProtoFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(fields)) out[key] = fromProtoValue(v);
  return out;
}
