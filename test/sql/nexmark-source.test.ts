/**
 * The Nexmark source on its own: ROW columns matched by field name (any order, any subset),
 * the watermark from the table's expression, bounded by 'events.num', and clear errors for
 * columns or options it cannot serve.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NexmarkSource } from '../../src/engine/runtime/nexmark-source.ts';
import type { ColumnDescriptor, TableDescriptor } from '../../src/sql/catalog/table-descriptor.ts';
import { T } from '../../src/types/sql-type.ts';
import type { Row } from '../../src/types/row.ts';

function table(columns: ColumnDescriptor[], options: Record<string, string>): TableDescriptor {
  return {
    catalog: 'shiftleft',
    database: 'main',
    name: 'nx',
    columns,
    primaryKey: undefined,
    distributedBy: undefined,
    watermark: undefined,
    changelogMode: 'append',
    keyFormat: 'none',
    valueFormat: 'none',
    connector: 'nexmark',
    options: { connector: 'nexmark', ...options },
    comment: undefined,
  } as TableDescriptor;
}

const physical = (name: string, type: ColumnDescriptor['type']): ColumnDescriptor => ({ name, type, kind: 'physical' });

describe('NexmarkSource', () => {
  it('fills event_type, the ROW of the event (fields by name) and dateTime, and stops at events.num', () => {
    const bid = T.row([
      { name: 'price', type: T.bigint() },
      { name: 'auction', type: T.bigint() },
    ]);
    const t = table([physical('event_type', T.int()), physical('bid', bid), physical('dateTime', T.timestamp(3))], { 'events.num': '100', 'first-event.rate': '1000' });
    const source = new NexmarkSource({ table: t, columns: [0, 1, 2], rowtimeField: 2, watermark: (row: Row) => (row[2] as number) - 4000 });
    const rows: Row[] = [];
    let watermark: number | undefined;
    while (!source.finished) {
      const polled = source.pollSync(30);
      rows.push(...polled.batch.rows);
      watermark = polled.watermark ?? watermark;
    }
    assert.equal(rows.length, 100);
    const bids = rows.filter((r) => r[0] === 2);
    assert.equal(bids.length, 92);
    for (const r of bids) {
      const [price, auction] = r[1] as number[];
      assert.ok(price! >= 100 && auction! >= 1000, 'price then auction, as declared');
    }
    for (const r of rows.filter((r) => r[0] !== 2)) assert.equal(r[1], null);
    assert.equal(watermark, (rows[99]![2] as number) - 4000);
    assert.equal((rows[99]![2] as number) - (rows[0]![2] as number), 99, 'one event per ms at 1000/s');
  });

  it('refuses a column it cannot fill and an unknown option', () => {
    assert.throws(() => new NexmarkSource({ table: table([physical('price', T.bigint())], {}), columns: [0], rowtimeField: undefined, watermark: undefined }), /cannot fill/);
    assert.throws(() => new NexmarkSource({ table: table([physical('event_type', T.int())], { 'events.nums': '5' }), columns: [0], rowtimeField: undefined, watermark: undefined }), /unknown nexmark option 'events.nums'/);
  });
});
