/**
 * When a -D came from a tombstone: the time of the deletion itself.
 *
 * An upsert source turns a tombstone into a -D of the row it deletes (Flink's
 * ChangelogNormalize), and that row carries its own rowtime, the time of the version it ends.
 * Joins and aggregates must see exactly that row, or they could not retract it. A temporal join
 * needs one more fact: when the key stopped existing, the tombstone's own time. The source
 * attaches it to the -D row object here, beside the row rather than in it, and row-rewriting
 * operators (Calc) carry it over to the rows they derive.
 */
import type { Row } from '../../types/row.ts';

const tombstoneTimes = new WeakMap<Row, number>();

/** Marks `row` (a -D) as deleted at `time` by a tombstone; returns the row. */
export function markTombstone(row: Row, time: number): Row {
  tombstoneTimes.set(row, time);
  return row;
}

/** The tombstone time of a -D row, or undefined when it is an ordinary retraction. */
export function tombstoneTime(row: Row): number | undefined {
  return tombstoneTimes.get(row);
}
