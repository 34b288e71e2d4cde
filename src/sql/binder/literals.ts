/**
 * Typing of literals, with Flink's rules: an integer literal is INT when it fits, else BIGINT;
 * a literal with a decimal point is an exact DECIMAL(p, s); with an exponent it is DOUBLE;
 * a string literal is CHAR(n) NOT NULL; DATE/TIME/TIMESTAMP literals parse their text; an
 * INTERVAL literal is milliseconds (day-time) or months (year-month).
 */
import type { IntervalLiteral, NumberLiteral, TypedLiteral } from '../ast.ts';
import { T } from '../../types/sql-type.ts';
import { literal, type Literal } from '../plan/scalar-expr.ts';
import { sqlError } from './scope.ts';
import { parseDate as parsedDate, parseTime as parsedTime, parseTimestamp as parsedTimestamp } from '../../engine/expr/temporal.ts';

export function bindNumber(node: NumberLiteral): Literal {
  const text = node.text;
  if (/[eE]/.test(text)) return literal(Number(text), T.double(false));
  if (text.includes('.')) {
    const [int = '', frac = ''] = text.split('.');
    const digits = (int.replace(/^0+/, '') + frac).length || 1;
    return literal(Number(text), T.decimal(Math.max(digits, frac.length), frac.length, false));
  }
  const value = Number(text);
  if (value <= 2147483647) return literal(value, T.int(false));
  if (!Number.isSafeInteger(value)) {
    throw sqlError('SQL_VALIDATION_ERROR', node.span, `integer literal ${text} is out of range`, 'BIGINT values beyond 2^53 are not exact here');
  }
  return literal(value, T.bigint(false));
}

const MS = { SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 } as const;

// Date/time text is parsed by the expression library so that literals and CASTs agree.
const parseDate = (text: string): number | undefined => parsedDate(text.trim()) ?? undefined;
const parseTime = (text: string): number | undefined => parsedTime(text.trim()) ?? undefined;
const parseTimestamp = (text: string): number | undefined => parsedTimestamp(text.trim()) ?? undefined;

export function bindTypedLiteral(node: TypedLiteral): Literal {
  switch (node.type) {
    case 'DATE': {
      const v = parseDate(node.value);
      if (v === undefined) throw sqlError('SQL_VALIDATION_ERROR', node.span, `invalid DATE literal '${node.value}'`, "write DATE 'yyyy-MM-dd'");
      return literal(v, T.date(false));
    }
    case 'TIME': {
      const v = parseTime(node.value);
      if (v === undefined) throw sqlError('SQL_VALIDATION_ERROR', node.span, `invalid TIME literal '${node.value}'`, "write TIME 'HH:mm:ss'");
      return literal(v, T.time(0, false));
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const v = parseTimestamp(node.value);
      if (v === undefined) throw sqlError('SQL_VALIDATION_ERROR', node.span, `invalid ${node.type} literal '${node.value}'`, "write TIMESTAMP 'yyyy-MM-dd HH:mm:ss[.SSS]'");
      return literal(v, node.type === 'TIMESTAMP' ? T.timestamp(3, false) : T.timestampLtz(3, false));
    }
  }
}

export function bindInterval(node: IntervalLiteral): Literal {
  const q = node.qualifier;
  const sign = node.negative ? -1 : 1;
  const text = node.value.trim();
  const negativeText = text.startsWith('-');
  const body = negativeText ? text.slice(1) : text;
  const s = sign * (negativeText ? -1 : 1);
  const bad = (): never => {
    throw sqlError('SQL_VALIDATION_ERROR', node.span, `invalid interval literal '${node.value}' for ${q.start}${q.end ? ' TO ' + q.end : ''}`, "write e.g. INTERVAL '10' SECOND or INTERVAL '1 02:00:00' DAY TO SECOND");
  };
  if (q.start === 'YEAR' || q.start === 'MONTH' || q.start === 'QUARTER') {
    const m = /^(\d+)(?:-(\d+))?$/.exec(body);
    if (!m) bad();
    const first = Number(m![1]);
    const months = q.start === 'YEAR' ? first * 12 + Number(m![2] ?? 0) : q.start === 'QUARTER' ? first * 3 : first;
    return literal(s * months, T.intervalYearMonth(false));
  }
  const unitMs: Record<string, number> = { WEEK: 7 * MS.DAY, DAY: MS.DAY, HOUR: MS.HOUR, MINUTE: MS.MINUTE, SECOND: MS.SECOND, MILLISECOND: 1, MICROSECOND: 0.001, NANOSECOND: 0.000001 };
  if (!q.end) {
    if (!/^\d+(\.\d+)?$/.test(body)) bad();
    const ms = Number(body) * (unitMs[q.start] ?? bad());
    return literal(s * Math.round(ms), T.intervalDayTime(false));
  }
  // DAY TO SECOND etc.: 'd hh:mm:ss.fff' with the leading unit first.
  const parts = body.split(/[ :]/).map(Number);
  if (parts.some((p) => Number.isNaN(p))) bad();
  const order = ['DAY', 'HOUR', 'MINUTE', 'SECOND'];
  const from = order.indexOf(q.start);
  let ms = 0;
  parts.forEach((p, i) => {
    const unit = order[from + i];
    if (!unit) bad();
    ms += p * unitMs[unit]!;
  });
  return literal(s * Math.round(ms), T.intervalDayTime(false));
}
