/**
 * Field masking as a single-message transform (Kafka Connect's MaskField): a pure function that
 * returns a new event with the listed columns replaced, in `after` and `before`, so PII never
 * leaves the source. Tables are named `table` (any schema) or `schema.table`.
 *
 * Replacement by Avro type: strings get the replacement text ("****" by default), numbers 0,
 * booleans false, bytes an empty buffer; a null stays null (nothing to hide). Key columns are
 * not masked: masking a key would merge distinct rows into one.
 */
import { avroName } from './cdc-avro-schema.ts';
import type { ChangeEvent } from './cdc-types.ts';

export type MaskRules = Readonly<Record<string, readonly string[]>>;

export function maskFields(event: ChangeEvent, rules: MaskRules, replacement = '****'): ChangeEvent {
  const columns = rules[`${event.table.schema}.${event.table.name}`] ?? rules[event.table.name];
  if (!columns || columns.length === 0) return event;
  const keyFields = new Set(event.schema.keyColumns.map(avroName));
  const masked = new Set(columns.map(avroName).filter((field) => !keyFields.has(field)));
  const fieldTypes = new Map(event.schema.valueSchema.fields.map((field) => [field.name, field.type]));
  const mask = (row: Record<string, unknown> | null | undefined): Record<string, unknown> | null | undefined => {
    if (!row) return row;
    const copy = { ...row };
    for (const field of masked) {
      if (copy[field] === undefined || copy[field] === null) continue;
      copy[field] = maskedValue(fieldTypes.get(field), replacement);
    }
    return copy;
  };
  const result: ChangeEvent = { ...event, after: mask(event.after) ?? null };
  if (event.before) result.before = mask(event.before) as Record<string, unknown>;
  return result;
}

function maskedValue(type: unknown, replacement: string): unknown {
  const branch = Array.isArray(type) ? type.find((t) => t !== 'null') : type;
  const primitive = typeof branch === 'object' && branch !== null ? (branch as { type: string }).type : branch;
  switch (primitive) {
    case 'int':
    case 'long':
    case 'float':
    case 'double':
      return 0;
    case 'boolean':
      return false;
    case 'bytes':
      return Buffer.alloc(0);
    default:
      return replacement;
  }
}
