import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { isShiftleftError } from '../../../src/common/errors.ts';
import { expressionClock } from '../../../src/engine/functions/scalar-time.ts';
import { bigint, call, col, evaluate, fn, int, lit, nullOf, str, T, typeOf, ts } from './expr-test-support.ts';

const stamp = (text: string) => lit(ts(text), T.timestamp(3, false));
const unit = (u: string) => str(u);

describe('clock functions', () => {
  const original = expressionClock.now;
  after(() => {
    expressionClock.now = original;
  });

  it('read the expression clock with Flink types', () => {
    expressionClock.now = () => ts('2024-03-05 06:07:08.900');
    assert.equal(call('CURRENT_TIMESTAMP'), ts('2024-03-05 06:07:08.900'));
    assert.equal(typeOf(fn('CURRENT_TIMESTAMP')), 'TIMESTAMP_LTZ(3) NOT NULL');
    assert.equal(typeOf(fn('PROCTIME')), 'TIMESTAMP_LTZ(3) NOT NULL');
    assert.equal(typeOf(fn('LOCALTIMESTAMP')), 'TIMESTAMP(3) NOT NULL');
    assert.equal(call('NOW'), ts('2024-03-05 06:07:08.900'));
    assert.equal(call('CURRENT_DATE'), 19787);
    assert.equal(call('CURRENT_TIME'), (6 * 3600 + 7 * 60 + 8) * 1000);
    assert.equal(call('UNIX_TIMESTAMP'), Math.floor(ts('2024-03-05 06:07:08.900') / 1000));
  });
});

describe('EXTRACT and its shorthands', () => {
  const t = stamp('2024-03-05 14:07:08.900'); // a Tuesday
  it('extracts fields as BIGINT', () => {
    const hour = fn('EXTRACT', unit('HOUR'), t);
    assert.equal(typeOf(hour), 'BIGINT NOT NULL');
    assert.equal(evaluate(hour), 14);
    assert.equal(call('EXTRACT', unit('YEAR'), t), 2024);
    assert.equal(call('EXTRACT', unit('MONTH'), t), 3);
    assert.equal(call('EXTRACT', unit('DAY'), t), 5);
    assert.equal(call('EXTRACT', unit('SECOND'), t), 8);
    assert.equal(call('EXTRACT', unit('MILLISECOND'), t), 8900);
    assert.equal(call('EXTRACT', unit('DOW'), t), 3);
    assert.equal(call('EXTRACT', unit('DOY'), t), 65);
    assert.equal(call('EXTRACT', unit('EPOCH'), t), Math.floor(ts('2024-03-05 14:07:08.900') / 1000));
    assert.equal(call('EXTRACT', unit('YEAR'), lit(19723, T.date(false))), 2024);
  });

  it('has YEAR(), HOUR(), DAYOFWEEK()... shorthands', () => {
    assert.equal(call('YEAR', t), 2024);
    assert.equal(call('QUARTER', t), 1);
    assert.equal(call('MONTH', t), 3);
    assert.equal(call('WEEK', stamp('2021-01-03 00:00:00')), 53);
    assert.equal(call('DAYOFMONTH', t), 5);
    assert.equal(call('DAYOFWEEK', t), 3);
    assert.equal(call('DAYOFYEAR', t), 65);
    assert.equal(call('HOUR', t), 14);
    assert.equal(call('MINUTE', t), 7);
    assert.equal(call('SECOND', t), 8);
    assert.equal(evaluate(fn('HOUR', col(0, T.timestamp(3)))), null);
  });

  it('rejects unknown units and non-temporal values', () => {
    assert.throws(() => fn('EXTRACT', unit('FORTNIGHT'), t), (e) => isShiftleftError(e, 'SQL_TYPE_MISMATCH'));
    assert.throws(() => fn('YEAR', int(1)), (e) => isShiftleftError(e, 'SQL_TYPE_MISMATCH'));
  });
});

describe('formatting and parsing', () => {
  const t = stamp('2024-03-05 14:07:08.900');
  it('DATE_FORMAT with Java patterns', () => {
    assert.equal(call('DATE_FORMAT', t, str('yyyy-MM-dd')), '2024-03-05');
    assert.equal(call('DATE_FORMAT', t, str('HH:mm')), '14:07');
    assert.equal(call('DATE_FORMAT', t, str("yyyy-MM-dd'T'HH:mm:ss.SSS")), '2024-03-05T14:07:08.900');
    assert.equal(call('DATE_FORMAT', t, str('EEE, d MMM yy h:mm a')), 'Tue, 5 Mar 24 2:07 PM');
    assert.equal(call('DATE_FORMAT', str('2024-03-05 14:07:08'), str('yyyyMMdd')), '20240305');
    assert.equal(evaluate(fn('DATE_FORMAT', col(0, T.timestampLtz(3)), str('yyyy'))), null);
    assert.equal(evaluate(fn('DATE_FORMAT', t, col(0, T.string(false))), ['dd/MM/yyyy']), '05/03/2024');
  });

  it('TO_TIMESTAMP, TO_DATE and UNIX_TIMESTAMP parse text, NULL when it does not match', () => {
    assert.equal(call('TO_TIMESTAMP', str('2024-03-05 14:07:08')), ts('2024-03-05 14:07:08'));
    assert.equal(call('TO_TIMESTAMP', str('05/03/2024 14:07'), str('dd/MM/yyyy HH:mm')), ts('2024-03-05 14:07:00'));
    assert.equal(call('TO_TIMESTAMP', str('garbage')), null);
    assert.equal(typeOf(fn('TO_TIMESTAMP', str('x'))), 'TIMESTAMP(3)');
    assert.equal(call('TO_DATE', str('2024-03-05')), 19787);
    assert.equal(call('TO_DATE', str('20240305'), str('yyyyMMdd')), 19787);
    assert.equal(call('UNIX_TIMESTAMP', str('1970-01-01 00:01:00')), 60);
    assert.equal(call('FROM_UNIXTIME', bigint(60)), '1970-01-01 00:01:00');
    assert.equal(call('FROM_UNIXTIME', bigint(86400), str('yyyy-MM-dd')), '1970-01-02');
  });

  it('TO_TIMESTAMP_LTZ reads seconds or milliseconds', () => {
    assert.equal(call('TO_TIMESTAMP_LTZ', bigint(1700000000), int(0)), 1700000000000);
    assert.equal(call('TO_TIMESTAMP_LTZ', bigint(1700000000123), int(3)), 1700000000123);
    assert.equal(typeOf(fn('TO_TIMESTAMP_LTZ', bigint(1), int(3))), 'TIMESTAMP_LTZ(3) NOT NULL');
    assert.throws(() => fn('TO_TIMESTAMP_LTZ', bigint(1), int(6)), (e) => isShiftleftError(e, 'SQL_TYPE_MISMATCH'));
    assert.equal(evaluate(fn('TO_TIMESTAMP_LTZ', col(0, T.bigint()), int(3)), [null]), null);
  });
});

describe('TIMESTAMPADD, TIMESTAMPDIFF, FLOOR/CEIL TO unit', () => {
  it('adds units with calendar arithmetic', () => {
    assert.equal(call('TIMESTAMPADD', unit('MONTH'), int(1), stamp('2024-01-31 10:00:00')), ts('2024-02-29 10:00:00'));
    assert.equal(call('TIMESTAMPADD', unit('HOUR'), int(-2), stamp('2024-01-01 01:00:00')), ts('2023-12-31 23:00:00'));
    assert.equal(call('TIMESTAMPADD', unit('DAY'), int(1), lit(19723, T.date(false))), 19724);
    assert.equal(typeOf(fn('TIMESTAMPADD', unit('WEEK'), int(1), stamp('2024-01-01 00:00:00'))), 'TIMESTAMP(3) NOT NULL');
  });

  it('counts whole units between two datetimes', () => {
    assert.equal(call('TIMESTAMPDIFF', unit('DAY'), stamp('2024-01-01 00:00:00'), stamp('2024-01-03 12:00:00')), 2);
    assert.equal(call('TIMESTAMPDIFF', unit('MONTH'), stamp('2024-01-31 00:00:00'), stamp('2024-02-29 00:00:00')), 0);
    assert.equal(call('TIMESTAMPDIFF', unit('MONTH'), stamp('2024-01-15 00:00:00'), stamp('2024-03-15 00:00:00')), 2);
    assert.equal(call('TIMESTAMPDIFF', unit('YEAR'), stamp('2024-06-01 00:00:00'), stamp('2022-06-02 00:00:00')), -1);
    assert.equal(call('TIMESTAMPDIFF', unit('SECOND'), stamp('2024-01-01 00:00:00'), stamp('2024-01-01 00:01:30.5')), 90);
    assert.equal(typeOf(fn('TIMESTAMPDIFF', unit('SECOND'), stamp('2024-01-01 00:00:00'), stamp('2024-01-01 00:00:00'))), 'INT NOT NULL');
    assert.equal(evaluate(fn('TIMESTAMPDIFF', unit('DAY'), col(0, T.timestamp(3)), stamp('2024-01-01 00:00:00'))), null);
  });

  it('floors and ceils timestamps to a unit', () => {
    const t = stamp('2024-05-15 13:45:30.250');
    assert.equal(call('FLOOR', t, unit('HOUR')), ts('2024-05-15 13:00:00'));
    assert.equal(call('CEIL', t, unit('HOUR')), ts('2024-05-15 14:00:00'));
    assert.equal(call('FLOOR', t, unit('MONTH')), ts('2024-05-01 00:00:00'));
    assert.equal(call('CEIL', t, unit('YEAR')), ts('2025-01-01 00:00:00'));
    assert.equal(call('FLOOR', t, unit('QUARTER')), ts('2024-04-01 00:00:00'));
    assert.equal(call('FLOOR', stamp('2024-05-15 00:00:00'), unit('WEEK')), ts('2024-05-12 00:00:00'));
    assert.equal(call('CEIL', stamp('2024-05-15 00:00:00'), unit('DAY')), ts('2024-05-15 00:00:00'));
    assert.equal(evaluate(fn('FLOOR', nullOf(T.timestamp(3)), unit('DAY'))), null);
  });
});
