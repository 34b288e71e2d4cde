/**
 * Checks of request bodies for the catalog API: Confluent's bodies are JSON arrays of objects
 * (a single object is accepted too); names follow Confluent's rule for type names.
 */
import { ShiftleftError } from '../common/errors.ts';
import type { AttributeDef } from './catalog-types.ts';

const TYPE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export function objectList(body: unknown, what: string): Record<string, unknown>[] {
  const items = Array.isArray(body) ? body : body === undefined ? [] : [body];
  if (items.length === 0) throw new ShiftleftError('MALFORMED_REQUEST', `the request body must be a JSON array of ${what}`);
  return items.map((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new ShiftleftError('MALFORMED_REQUEST', `item ${i} of the request body must be a JSON object (${what})`);
    }
    return item as Record<string, unknown>;
  });
}

export function typeName(value: unknown, field = 'name'): string {
  if (typeof value !== 'string' || !TYPE_NAME.test(value)) {
    throw new ShiftleftError('INVALID_ARGUMENT', `${field} ${JSON.stringify(value)} is not a valid type name`, {
      hint: 'start with a letter or underscore, then letters, digits or underscores (e.g. PII, DataProduct)',
    });
  }
  return value;
}

export function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ShiftleftError('INVALID_ARGUMENT', `${field} must be a string`);
  return value;
}

export function stringArray(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new ShiftleftError('INVALID_ARGUMENT', `${field} must be an array of strings`);
  return value as string[];
}

/** Attribute values are strings (Confluent stores them as such); numbers and booleans are turned into text. */
export function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ShiftleftError('INVALID_ARGUMENT', `${field} must be an object of attribute values`);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string') out[key] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[key] = String(v);
    else throw new ShiftleftError('INVALID_ARGUMENT', `${field}.${key} must be a string`);
  }
  return out;
}

export function attributeDefs(value: unknown, field: string): AttributeDef[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ShiftleftError('INVALID_ARGUMENT', `${field} must be an array`);
  const names = new Set<string>();
  return value.map((item, i) => {
    if (typeof item !== 'object' || item === null) throw new ShiftleftError('INVALID_ARGUMENT', `${field}[${i}] must be an object`);
    const raw = item as Record<string, unknown>;
    const name = typeName(raw.name, `${field}[${i}].name`);
    if (names.has(name)) throw new ShiftleftError('INVALID_ARGUMENT', `attribute '${name}' is defined twice`);
    names.add(name);
    const options = raw.options === undefined ? undefined : stringMap(raw.options, `${field}[${i}].options`);
    return {
      name,
      typeName: optionalString(raw.typeName, `${field}[${i}].typeName`) ?? 'string',
      isOptional: raw.isOptional === undefined ? true : raw.isOptional === true,
      cardinality: 'SINGLE',
      ...(options && { options }),
    };
  });
}
