import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLsn, formatLsn } from '../../src/connect/postgres/cdc-lsn.ts';
import { maskFields } from '../../src/connect/postgres/cdc-mask-fields.ts';
import { schemaFromCatalog } from '../../src/connect/postgres/cdc-table-schema.ts';
import {
  columnMapping, decimalBytes, decimalText, epochDays, INFINITY_MILLIS, numericPrecisionScale, timeMicros, timestampMillis, twosComplementBytes,
} from '../../src/connect/postgres/cdc-type-mapping.ts';
import type { ChangeEvent } from '../../src/connect/postgres/cdc-types.ts';
import { parseTableName } from '../../src/connect/postgres/cdc-catalog.ts';

describe('CDC value conversion', () => {
  it('encodes decimals exactly as Avro two\'s complement bytes', () => {
    assert.deepEqual(twosComplementBytes(0n), Buffer.from([0]));
    assert.deepEqual(twosComplementBytes(127n), Buffer.from([0x7f]));
    assert.deepEqual(twosComplementBytes(128n), Buffer.from([0x00, 0x80]));
    assert.deepEqual(twosComplementBytes(-1n), Buffer.from([0xff]));
    assert.deepEqual(twosComplementBytes(-129n), Buffer.from([0xff, 0x7f]));
    for (const text of ['0.00', '12345678.90', '-0.05', '99999999.99', '-99999999.99', '1.10']) {
      assert.equal(decimalText(decimalBytes(text, 2), 2), text);
    }
    assert.equal(decimalText(decimalBytes('7', 0), 0), '7');
    assert.deepEqual(numericPrecisionScale((10 << 16) + 2 + 4), { precision: 10, scale: 2 });
    assert.equal(numericPrecisionScale(-1), undefined);
    assert.deepEqual(columnMapping('numeric', -1, 'n', true).avroType, 'string');
    assert.equal(columnMapping('numeric', (5 << 16) + 2 + 4, 'n', true).convert('NaN'), null);
    assert.throws(() => columnMapping('numeric', (5 << 16) + 2 + 4, 'price', false).convert('NaN'), /price holds NaN/);
  });

  it('reads timestamps (with and without zone), dates and times, including BC and infinity', () => {
    assert.equal(timestampMillis('2026-01-15 12:34:56.789999', false), Date.UTC(2026, 0, 15, 12, 34, 56, 789));
    assert.equal(timestampMillis('2026-01-15 12:34:56+05:30', true), Date.UTC(2026, 0, 15, 7, 4, 56));
    assert.equal(timestampMillis('2026-01-15 12:34:56-08', true), Date.UTC(2026, 0, 15, 20, 34, 56));
    // 1 BC is astronomical year 0: 0000-01-01T00:00:00Z.
    assert.equal(timestampMillis('0001-01-01 00:00:00 BC', false), -62167219200000);
    assert.equal(timestampMillis('infinity', true), INFINITY_MILLIS);
    assert.equal(timestampMillis('-infinity', false), -INFINITY_MILLIS);
    assert.equal(timestampMillis('0099-03-01 00:00:00', false), new Date('0099-03-01T00:00:00Z').getTime());
    assert.equal(epochDays('1970-01-02'), 1);
    assert.equal(epochDays('1969-12-31'), -1);
    assert.equal(timeMicros('24:00:00'), 86_400_000_000);
    assert.equal(columnMapping('int8', -1, 'b', false).convert('9223372036854775807'), 9223372036854775807n);
    assert.equal(columnMapping('int8', -1, 'b', false).convert('-42'), -42);
    assert.ok(Number.isNaN(columnMapping('float8', -1, 'f', false).convert('NaN')));
    assert.equal(columnMapping('float4', -1, 'f', false).convert('-Infinity'), -Infinity);
  });

  it('parses LSNs and table names', () => {
    assert.equal(parseLsn('16/B374D848'), (0x16n << 32n) | 0xb374d848n);
    assert.equal(formatLsn(parseLsn('0/16B3748')), '0/16B3748');
    assert.throws(() => parseLsn('16-B3'), /not a PostgreSQL LSN/);
    assert.deepEqual(parseTableName('Customers'), { schema: 'public', name: 'customers' });
    assert.deepEqual(parseTableName('sales."Order.Items"'), { schema: 'sales', name: 'Order.Items' });
  });
});

describe('maskFields', () => {
  const schema = {
    ...schemaFromCatalog('shiftleft', {
      table: { schema: 'public', name: 'customers' }, oid: 1, kind: 'r', replicaIdentity: 'd', canSelect: true, identityIndex: [],
      primaryKey: ['customerid'],
      columns: [
        { name: 'customerid', typeOid: 23, typeName: 'int4', typeMod: -1, notNull: true, toastable: false },
        { name: 'email', typeOid: 1043, typeName: 'varchar', typeMod: 259, notNull: true, toastable: true },
        { name: 'segment', typeOid: 1043, typeName: 'varchar', typeMod: 54, notNull: false, toastable: true },
      ],
    }),
    version: 1,
  };
  const event: ChangeEvent = {
    table: { schema: 'public', name: 'customers' }, op: 'u', key: { customerid: 1 },
    after: { customerid: 1, email: 'ada@example.com', segment: null }, before: { customerid: 1, email: 'old@example.com', segment: null },
    lsn: '0/1', commitTime: 0, schema,
  };

  it('replaces the listed fields in after and before, leaving the input untouched', () => {
    const masked = maskFields(event, { customers: ['email', 'segment', 'customerid'] });
    assert.deepEqual(masked.after, { customerid: 1, email: '****', segment: null });
    assert.deepEqual(masked.before, { customerid: 1, email: '****', segment: null });
    assert.equal(event.after?.email, 'ada@example.com');
    assert.equal(maskFields(event, { 'public.customers': ['email'] }, 'xxx').after?.email, 'xxx');
    assert.equal(maskFields(event, { orders: ['email'] }), event);
    assert.equal(maskFields({ ...event, op: 'd', after: null, before: undefined }, { customers: ['email'] }).after, null);
  });
});
