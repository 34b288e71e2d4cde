/**
 * Calendar arithmetic on the run-time values of temporal types (sql-type.ts): DATE is days since
 * 1970-01-01, TIME milliseconds of the day, TIMESTAMP and TIMESTAMP_LTZ epoch milliseconds. The
 * session time zone is UTC, so a TIMESTAMP's wall clock and a TIMESTAMP_LTZ's instant share one
 * number and every function here reads epoch milliseconds as UTC.
 *
 * Dates are converted with integer arithmetic on the proleptic Gregorian calendar (no Date
 * objects per row): the day count of a civil date is computed from 400-year eras.
 */
export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

const DAYS_PER_ERA = 146_097;
/** Days from 0000-03-01 to 1970-01-01. */
const EPOCH_SHIFT = 719_468;

/** Days since 1970-01-01 of a civil date (month 1-12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const shiftedMonth = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * shiftedMonth + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * DAYS_PER_ERA + dayOfEra - EPOCH_SHIFT;
}

/** Year, month (1-12) and day of a day count. */
export function civilFromDays(days: number): [year: number, month: number, day: number] {
  const z = days + EPOCH_SHIFT;
  const era = Math.floor(z / DAYS_PER_ERA);
  const dayOfEra = z - era * DAYS_PER_ERA;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return [month <= 2 ? yearOfEra + era * 400 + 1 : yearOfEra + era * 400, month, day];
}

export const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

export const daysOf = (ms: number): number => Math.floor(ms / MS_PER_DAY);
export const msOfDay = (ms: number): number => ms - Math.floor(ms / MS_PER_DAY) * MS_PER_DAY;

/** Day of week, 1 = Sunday ... 7 = Saturday (Flink's DAYOFWEEK). 1970-01-01 was a Thursday. */
export function dayOfWeek(days: number): number {
  return ((((days + 4) % 7) + 7) % 7) + 1;
}

export function dayOfYear(days: number): number {
  const [y] = civilFromDays(days);
  return days - daysFromCivil(y, 1, 1) + 1;
}

/** ISO-8601 week number (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(days: number): number {
  const isoDow = ((dayOfWeek(days) + 5) % 7) + 1; // Monday 1 ... Sunday 7
  const thursday = days - isoDow + 4;
  const [year] = civilFromDays(thursday);
  return Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1;
}

function isoYear(days: number): number {
  const isoDow = ((dayOfWeek(days) + 5) % 7) + 1;
  return civilFromDays(days - isoDow + 4)[0];
}

// ---------------------------------------------------------------------------------------------
// calendar arithmetic

/** Adds months to epoch millis, clamping the day to the target month's length (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(ms: number, months: number): number {
  const days = daysOf(ms);
  return addMonthsToDate(days, months) * MS_PER_DAY + (ms - days * MS_PER_DAY);
}

export function addMonthsToDate(days: number, months: number): number {
  const [y, m, d] = civilFromDays(days);
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  return daysFromCivil(year, month, Math.min(d, daysInMonth(year, month)));
}

/** Whole months from `a` to `b` (negative when b is earlier), as TIMESTAMPDIFF counts them. */
export function monthsBetween(a: number, b: number): number {
  const [ya, ma, da] = civilFromDays(daysOf(a));
  const [yb, mb, db] = civilFromDays(daysOf(b));
  let months = (yb - ya) * 12 + (mb - ma);
  // A month counts only once the day and time of day are reached.
  const restA = da * MS_PER_DAY + msOfDay(a);
  const restB = db * MS_PER_DAY + msOfDay(b);
  if (months > 0 && restB < restA) months--;
  else if (months < 0 && restB > restA) months++;
  return months;
}

const FIXED_UNIT_MS: Record<string, number> = {
  WEEK: 7 * MS_PER_DAY,
  DAY: MS_PER_DAY,
  HOUR: MS_PER_HOUR,
  MINUTE: MS_PER_MINUTE,
  SECOND: MS_PER_SECOND,
  MILLISECOND: 1,
};

export const TIMESTAMP_UNITS = ['YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND'] as const;

export function isTimestampUnit(unit: string): boolean {
  return (TIMESTAMP_UNITS as readonly string[]).includes(unit);
}

/** TIMESTAMPADD(unit, amount, ms). */
export function timestampAdd(unit: string, amount: number, ms: number): number {
  switch (unit) {
    case 'YEAR':
      return addMonths(ms, amount * 12);
    case 'QUARTER':
      return addMonths(ms, amount * 3);
    case 'MONTH':
      return addMonths(ms, amount);
    default:
      return ms + amount * FIXED_UNIT_MS[unit]!;
  }
}

/** TIMESTAMPDIFF(unit, a, b): whole units from a to b, truncated toward zero. */
export function timestampDiff(unit: string, a: number, b: number): number {
  switch (unit) {
    case 'YEAR':
      return Math.trunc(monthsBetween(a, b) / 12);
    case 'QUARTER':
      return Math.trunc(monthsBetween(a, b) / 3);
    case 'MONTH':
      return monthsBetween(a, b);
    default:
      return Math.trunc((b - a) / FIXED_UNIT_MS[unit]!);
  }
}

/** FLOOR(ts TO unit); weeks start on Sunday as in Flink. */
export function floorTo(unit: string, ms: number): number {
  const days = daysOf(ms);
  switch (unit) {
    case 'YEAR':
    case 'QUARTER':
    case 'MONTH': {
      const [y, m] = civilFromDays(days);
      const month = unit === 'YEAR' ? 1 : unit === 'QUARTER' ? m - ((m - 1) % 3) : m;
      return daysFromCivil(y, month, 1) * MS_PER_DAY;
    }
    case 'WEEK':
      return (days - (dayOfWeek(days) - 1)) * MS_PER_DAY;
    default: {
      const size = FIXED_UNIT_MS[unit]!;
      return Math.floor(ms / size) * size;
    }
  }
}

/** CEIL(ts TO unit): the floor when already on a boundary, else the next boundary. */
export function ceilTo(unit: string, ms: number): number {
  const floor = floorTo(unit, ms);
  if (floor === ms) return ms;
  switch (unit) {
    case 'YEAR':
      return addMonths(floor, 12);
    case 'QUARTER':
      return addMonths(floor, 3);
    case 'MONTH':
      return addMonths(floor, 1);
    default:
      return floor + FIXED_UNIT_MS[unit]!;
  }
}

const hourOf = (ms: number): number => Math.floor(msOfDay(ms) / MS_PER_HOUR);
const minuteOf = (ms: number): number => Math.floor(msOfDay(ms) / MS_PER_MINUTE) % 60;
const secondOf = (ms: number): number => Math.floor(msOfDay(ms) / MS_PER_SECOND) % 60;

/** A function extracting one field, specialised for the cheap time-of-day fields. */
export function fieldExtractor(unit: string): (ms: number) => number {
  switch (unit) {
    case 'HOUR':
      return hourOf;
    case 'MINUTE':
      return minuteOf;
    case 'SECOND':
      return secondOf;
    default:
      if (!(EXTRACT_UNITS as readonly string[]).includes(unit)) throw new Error(`unknown time unit ${unit}`);
      return (ms) => extractField(unit, ms);
  }
}

/** EXTRACT(unit FROM ms) for a timestamp (a DATE is passed as its midnight). */
export function extractField(unit: string, ms: number): number {
  const days = daysOf(ms);
  const time = ms - days * MS_PER_DAY;
  switch (unit) {
    case 'YEAR':
      return civilFromDays(days)[0];
    case 'QUARTER':
      return Math.floor((civilFromDays(days)[1] - 1) / 3) + 1;
    case 'MONTH':
      return civilFromDays(days)[1];
    case 'WEEK':
      return isoWeek(days);
    case 'DAY':
      return civilFromDays(days)[2];
    case 'HOUR':
      return Math.floor(time / MS_PER_HOUR);
    case 'MINUTE':
      return Math.floor(time / MS_PER_MINUTE) % 60;
    case 'SECOND':
      return Math.floor(time / MS_PER_SECOND) % 60;
    case 'MILLISECOND':
      return time % MS_PER_MINUTE;
    case 'MICROSECOND':
      return (time % MS_PER_MINUTE) * 1000;
    case 'NANOSECOND':
      return (time % MS_PER_MINUTE) * 1_000_000;
    case 'DOW':
      return dayOfWeek(days);
    case 'ISODOW':
      return ((dayOfWeek(days) + 5) % 7) + 1;
    case 'DOY':
      return dayOfYear(days);
    case 'ISOYEAR':
      return isoYear(days);
    case 'EPOCH':
      return Math.floor(ms / MS_PER_SECOND);
    case 'DECADE':
      return Math.floor(civilFromDays(days)[0] / 10);
    case 'CENTURY': {
      const y = civilFromDays(days)[0];
      return y > 0 ? Math.floor((y + 99) / 100) : -Math.floor((-y + 99) / 100);
    }
    case 'MILLENNIUM': {
      const y = civilFromDays(days)[0];
      return y > 0 ? Math.floor((y + 999) / 1000) : -Math.floor((-y + 999) / 1000);
    }
    default:
      throw new Error(`unknown time unit ${unit}`);
  }
}

export const EXTRACT_UNITS = [
  'YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND', 'NANOSECOND',
  'DOW', 'ISODOW', 'DOY', 'ISOYEAR', 'EPOCH', 'DECADE', 'CENTURY', 'MILLENNIUM',
] as const;

// ---------------------------------------------------------------------------------------------
// text forms: 'yyyy-MM-dd', 'HH:mm:ss[.fff]', 'yyyy-MM-dd HH:mm:ss[.fff]'

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));
const pad3 = (n: number): string => (n < 10 ? '00' + n : n < 100 ? '0' + n : String(n));

function padYear(y: number): string {
  if (y >= 1000 && y <= 9999) return String(y);
  const text = String(Math.abs(y)).padStart(4, '0');
  return y < 0 ? '-' + text : text;
}

export function formatDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${padYear(y)}-${pad2(m)}-${pad2(d)}`;
}

/** `HH:mm:ss` plus `precision` fractional digits (milliseconds, then zeros). */
export function formatTime(msOfDayValue: number, precision: number): string {
  const h = Math.floor(msOfDayValue / MS_PER_HOUR);
  const m = Math.floor(msOfDayValue / MS_PER_MINUTE) % 60;
  const s = Math.floor(msOfDayValue / MS_PER_SECOND) % 60;
  const base = `${pad2(h)}:${pad2(m)}:${pad2(s)}`;
  if (precision <= 0) return base;
  const fraction = (pad3(msOfDayValue % 1000) + '000000').slice(0, precision);
  return `${base}.${fraction}`;
}

export function formatTimestamp(ms: number, precision: number): string {
  const days = daysOf(ms);
  return `${formatDate(days)} ${formatTime(ms - days * MS_PER_DAY, precision)}`;
}

const DATE_TEXT = /^\s*([+-]?\d{1,9})-(\d{1,2})-(\d{1,2})\s*$/;
const TIME_TEXT = /^\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?\s*$/;
const TIMESTAMP_TEXT = /^\s*([+-]?\d{1,9})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$/;

function civilDays(y: string, m: string, d: string): number | null {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return daysFromCivil(year, month, day);
}

function timeOfDay(h: string | undefined, mi: string | undefined, s: string | undefined, fraction: string | undefined): number | null {
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  if (hour > 23 || minute > 59 || second > 59) return null;
  const millis = fraction === undefined ? 0 : Number((fraction + '00').slice(0, 3));
  return hour * MS_PER_HOUR + minute * MS_PER_MINUTE + second * MS_PER_SECOND + millis;
}

/** Parses `yyyy-MM-dd`; null when it is not a valid date. */
export function parseDate(text: string): number | null {
  const m = DATE_TEXT.exec(text);
  return m === null ? null : civilDays(m[1]!, m[2]!, m[3]!);
}

/** Parses `HH:mm[:ss[.fff]]` to milliseconds of the day; null when invalid. */
export function parseTime(text: string): number | null {
  const m = TIME_TEXT.exec(text);
  return m === null ? null : timeOfDay(m[1], m[2], m[3], m[4]);
}

/**
 * Parses `yyyy-MM-dd[( |T)HH:mm[:ss[.fffffffff]]][Z|±hh:mm]` to epoch millis (sub-millisecond
 * digits are truncated); an explicit offset is converted to UTC. Null when invalid.
 */
export function parseTimestamp(text: string): number | null {
  const m = TIMESTAMP_TEXT.exec(text);
  if (m === null) return null;
  const days = civilDays(m[1]!, m[2]!, m[3]!);
  const time = timeOfDay(m[4], m[5], m[6], m[7]);
  if (days === null || time === null) return null;
  return days * MS_PER_DAY + time - offsetMillis(m[8]);
}

function offsetMillis(offset: string | undefined): number {
  if (offset === undefined || offset === 'Z') return 0;
  const digits = offset.replace(':', '');
  const sign = digits[0] === '-' ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * MS_PER_HOUR + Number(digits.slice(3, 5)) * MS_PER_MINUTE);
}
