/**
 * pgoutput row messages → change events.
 *
 * - INSERT → 'c'; UPDATE → 'u'; DELETE → 'd' (after = null).
 * - An UPDATE that changes the key is a delete of the old key followed by an insert of the new
 *   one (two events), so a keyed log (and compaction) never keeps the old key alive.
 * - `before` is the old row when PostgreSQL sends it: the whole row under REPLICA IDENTITY FULL,
 *   the key columns for a delete otherwise.
 * - Unchanged TOASTed values (absent from the tuple) stay absent and are listed in
 *   `unchangedColumns`; they never become null.
 */
import type { Pgoutput } from 'pg-logical-replication';
import type { RowConverter } from './cdc-table-schema.ts';
import type { ChangeEvent } from './cdc-types.ts';

type RowMessage = Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete;

export function changeEventsOf(message: RowMessage, converter: RowConverter, lsn: string, commitTime: number): ChangeEvent[] {
  const { schema } = converter;
  const base = { table: schema.table, lsn, commitTime, schema };
  const withUnchanged = (event: ChangeEvent, unchanged: string[]): ChangeEvent => (unchanged.length > 0 ? { ...event, unchangedColumns: unchanged } : event);

  if (message.tag === 'insert') {
    const { row, unchanged } = converter.convert(message.new);
    return [withUnchanged({ ...base, op: 'c', key: converter.keyOf(row), after: row }, unchanged)];
  }
  if (message.tag === 'delete') {
    const full = message.old !== null;
    const { row } = converter.convert(message.old ?? message.key ?? {});
    return [{ ...base, op: 'd', key: converter.keyOf(row), after: null, before: full ? row : keyColumnsOnly(row, converter) }];
  }
  const { row, unchanged } = converter.convert(message.new);
  const key = converter.keyOf(row);
  const oldTuple = message.old ?? message.key;
  const old = oldTuple ? converter.convert(oldTuple).row : undefined;
  const before = message.old && old ? old : undefined;
  const oldKey = old ? converter.keyOf(old) : null;
  if (key && oldKey && !sameValues(key, oldKey)) {
    return [
      { ...base, op: 'd', key: oldKey, after: null, before: before ?? oldKey },
      withUnchanged({ ...base, op: 'c', key, after: row }, unchanged),
    ];
  }
  return [withUnchanged({ ...base, op: 'u', key, after: row, ...(before ? { before } : {}) }, unchanged)];
}

function keyColumnsOnly(row: Record<string, unknown>, converter: RowConverter): Record<string, unknown> {
  return converter.keyOf(row) ?? row;
}

function sameValues(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => sameValue(a[k], b[k]));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}
