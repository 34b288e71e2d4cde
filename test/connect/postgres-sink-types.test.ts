/** Column types and parameters of the PostgreSQL/Redshift sink (pure functions, no server). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { postgresParameter, postgresType } from '../../src/connect/postgres-sink/postgres-types.ts';
import { T } from '../../src/types/sql-type.ts';

describe('postgres-sink types', () => {
  it('spells types as format_type() does, with Redshift substitutes for text and bytea', () => {
    assert.equal(postgresType(T.decimal(12, 3)), 'numeric(12,3)');
    assert.equal(postgresType(T.timestampLtz(3)), 'timestamp with time zone');
    assert.equal(postgresType(T.timestamp(3)), 'timestamp without time zone');
    assert.equal(postgresType(T.string()), 'text');
    assert.equal(postgresType(T.string(), 'redshift'), 'character varying(65535)');
    assert.equal(postgresType(T.bytes(), 'redshift'), 'varbyte(1024000)');
    assert.equal(postgresType(T.decimal(12, 3), 'redshift'), 'numeric(12,3)');
  });

  it('formats exact parameters: decimals from unscaled values, instants in UTC with microseconds', () => {
    assert.equal(postgresParameter(-5n, T.decimal(10, 2)), '-0.05');
    assert.equal(postgresParameter(123456789012345678901234567n, T.decimal(38, 4)), '12345678901234567890123.4567');
    assert.equal(postgresParameter(1_700_000_000_123, T.timestampLtz(3)), '2023-11-14 22:13:20.123000+00');
    assert.equal(postgresParameter(1_700_000_000_123_456, T.timestampLtz(6)), '2023-11-14 22:13:20.123456+00');
    assert.equal(postgresParameter(-1, T.timestampLtz(6)), '1969-12-31 23:59:59.999999+00');
    assert.equal(postgresParameter(19_700, T.date()), '2023-12-09');
    assert.equal(postgresParameter(3_723_004, T.time(3)), '01:02:03.004');
    assert.equal(postgresParameter(null, T.int()), null);
  });
});
