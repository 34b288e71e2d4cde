/**
 * The records of the `_schemas` topic: what a key says, and how keys and values become bytes.
 *
 * Like Confluent's Kafka store, every piece of state has its own key, and a change is a new
 * record under that key; a hard delete is a tombstone (null value). Log compaction then keeps
 * exactly the latest state. Keys must serialize to the same bytes every time for compaction
 * to see them as equal, so each key is built field by field in a fixed order, never by
 * stringifying an object whose property order could vary.
 */
import { ShiftleftError } from '../../common/errors.ts';

export type StoreKey =
  | { keytype: 'SCHEMA'; subject: string; version: number }
  | { keytype: 'CONFIG'; subject: string | null }
  | { keytype: 'MODE'; subject: string | null }
  | { keytype: 'ASSOCIATION'; resourceId: string; associationType: string }
  | { keytype: 'KEK'; name: string }
  | { keytype: 'DEK'; kekName: string; subject: string; algorithm: string; version: number }
  /** The highest schema id ever assigned, so hard deletes plus compaction never free an id for reuse. */
  | { keytype: 'SCHEMA_ID_MARK' };

export type StoreKeyType = StoreKey['keytype'];

/** A change to the registry: a key and its new value, or null for a hard delete. */
export interface StoreRecord {
  key: StoreKey;
  value: unknown;
}

const KEY_FIELDS: Record<StoreKeyType, readonly string[]> = {
  SCHEMA: ['subject', 'version'],
  CONFIG: ['subject'],
  MODE: ['subject'],
  ASSOCIATION: ['resourceId', 'associationType'],
  KEK: ['name'],
  DEK: ['kekName', 'subject', 'algorithm', 'version'],
  SCHEMA_ID_MARK: [],
};

export function encodeKey(key: StoreKey): Buffer {
  const fields = key as unknown as Record<string, unknown>;
  const ordered: Record<string, unknown> = { keytype: key.keytype };
  for (const field of KEY_FIELDS[key.keytype]) ordered[field] = fields[field];
  return Buffer.from(JSON.stringify(ordered), 'utf8');
}

/** A stable string identifying a key, for maps keyed by store keys. */
export function keyId(key: StoreKey): string {
  return encodeKey(key).toString('utf8');
}

/**
 * Decodes a key; undefined for keys this registry does not know (e.g. Confluent's NOOP
 * records when a Confluent registry shares the topic), which replay skips.
 */
export function decodeKey(bytes: Buffer | null, offset: number): StoreKey | undefined {
  if (bytes === null) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ShiftleftError('CORRUPT_RECORD', `_schemas record at offset ${offset} has a key that is not JSON`, { cause: error, details: { offset } });
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const keytype = (parsed as { keytype?: unknown }).keytype;
  if (typeof keytype !== 'string' || !Object.prototype.hasOwnProperty.call(KEY_FIELDS, keytype)) return undefined;
  return parsed as StoreKey;
}

export function encodeValue(value: unknown): Buffer | null {
  return value === null || value === undefined ? null : Buffer.from(JSON.stringify(value), 'utf8');
}

export function decodeValue(bytes: Buffer | null, offset: number): unknown {
  if (bytes === null) return null;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ShiftleftError('CORRUPT_RECORD', `_schemas record at offset ${offset} has a value that is not JSON`, { cause: error, details: { offset } });
  }
}
