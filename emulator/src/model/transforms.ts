import { arrayContains, compareValues } from './compare.js';
import { INT64_MAX, INT64_MIN } from './numbers.js';
import type { Value } from './values.js';
import { doubleJson, doubleOf, isNaNValue, isNumberValue } from './values.js';

/**
 * Field transform maths, following the semantics documented on
 * google.firestore.v1.DocumentTransform.FieldTransform. Each returns the new field value,
 * which is also the transform result (array transforms report null as the result).
 */
type NumberValue = { integerValue: string } | { doubleValue: number | string };

const asDouble = (v: NumberValue): number => ('integerValue' in v ? Number(v.integerValue) : doubleOf(v.doubleValue));

export function increment(current: Value | undefined, operand: NumberValue): Value {
  if (!isNumberValue(current)) return operand;
  if ('integerValue' in current && 'integerValue' in operand) {
    const sum = BigInt(current.integerValue) + BigInt(operand.integerValue);
    // Overflow saturates at the largest magnitude integer of the same sign.
    const clamped = sum > INT64_MAX ? INT64_MAX : sum < INT64_MIN ? INT64_MIN : sum;
    return { integerValue: clamped.toString() };
  }
  return { doubleValue: doubleJson(asDouble(current) + asDouble(operand)) };
}

const isZero = (v: NumberValue): boolean => asDouble(v) === 0;

function extreme(current: Value | undefined, operand: NumberValue, wantMax: boolean): Value {
  if (!isNumberValue(current)) return operand;
  // NaN wins over every number.
  if (isNaNValue(current)) return current;
  if (isNaNValue(operand)) return operand;
  // 0, 0.0 and -0.0 are all zero: the stored value stays.
  if (isZero(current) && isZero(operand)) return current;
  const c = compareValues(operand, current);
  if (c === 0) return current;
  return (wantMax ? c > 0 : c < 0) ? operand : current;
}

export const maximum = (current: Value | undefined, operand: NumberValue): Value => extreme(current, operand, true);
export const minimum = (current: Value | undefined, operand: NumberValue): Value => extreme(current, operand, false);

export function arrayUnion(current: Value | undefined, elements: readonly Value[]): Value {
  const values = current && 'arrayValue' in current ? [...(current.arrayValue.values ?? [])] : [];
  for (const e of elements) if (!arrayContains(values, e)) values.push(e);
  return { arrayValue: { values } };
}

export function arrayRemove(current: Value | undefined, elements: readonly Value[]): Value {
  const values = current && 'arrayValue' in current ? current.arrayValue.values ?? [] : [];
  return { arrayValue: { values: values.filter((v) => !arrayContains(elements, v)) } };
}
