/**
 * Java-style date/time patterns (`yyyy-MM-dd HH:mm:ss.SSS`), as DATE_FORMAT, TO_TIMESTAMP,
 * TO_DATE, UNIX_TIMESTAMP and FROM_UNIXTIME take them. A pattern is compiled once into a
 * formatter and a parser (a regular expression), cached by pattern text, so a constant pattern
 * costs nothing per row.
 *
 * Letters supported: y (year), M (month; MMM/MMMM names), d, D (day of year), H, k, K, h, m, s,
 * S (fraction of second), a (AM/PM), E (EEE/EEEE day names), u (ISO day of week), w (ISO week),
 * Z/X/x (offset: always UTC here). Text in single quotes is literal, '' is a quote.
 */
import { civilFromDays, dayOfWeek, dayOfYear, daysFromCivil, daysInMonth, isoWeek, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND } from './temporal.ts';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type Token = { literal: string } | { letter: string; count: number };

export interface DatePattern {
  format(ms: number): string;
  /** Epoch millis (read as UTC), or null when the text does not match. */
  parse(text: string): number | null;
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) {
        tokens.push({ literal: "'" });
        i += 2;
        continue;
      }
      const stop = end < 0 ? pattern.length : end;
      tokens.push({ literal: pattern.slice(i + 1, stop).replace(/''/g, "'") });
      i = stop + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      tokens.push({ letter: c, count: j - i });
      i = j;
    } else {
      tokens.push({ literal: c });
      i++;
    }
  }
  return tokens;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

interface Fields {
  days: number;
  year: number;
  month: number;
  day: number;
  time: number;
}

function formatToken(token: Token, f: Fields): string {
  if ('literal' in token) return token.literal;
  const { count } = token;
  const hour = Math.floor(f.time / MS_PER_HOUR);
  switch (token.letter) {
    case 'y':
    case 'Y':
      return count === 2 ? pad(f.year % 100, 2) : pad(f.year, count);
    case 'M':
    case 'L':
      return count >= 4 ? MONTHS[f.month - 1]! : count === 3 ? MONTHS[f.month - 1]!.slice(0, 3) : pad(f.month, count);
    case 'd':
      return pad(f.day, count);
    case 'D':
      return pad(dayOfYear(f.days), count);
    case 'H':
      return pad(hour, count);
    case 'k':
      return pad(hour === 0 ? 24 : hour, count);
    case 'K':
      return pad(hour % 12, count);
    case 'h':
      return pad(hour % 12 === 0 ? 12 : hour % 12, count);
    case 'm':
      return pad(Math.floor(f.time / MS_PER_MINUTE) % 60, count);
    case 's':
      return pad(Math.floor(f.time / MS_PER_SECOND) % 60, count);
    case 'S':
      return (pad(f.time % 1000, 3) + '000000').slice(0, count);
    case 'a':
      return hour < 12 ? 'AM' : 'PM';
    case 'E':
      return count >= 4 ? DAYS[dayOfWeek(f.days) - 1]! : DAYS[dayOfWeek(f.days) - 1]!.slice(0, 3);
    case 'u':
      return pad(((dayOfWeek(f.days) + 5) % 7) + 1, count);
    case 'w':
      return pad(isoWeek(f.days), count);
    case 'Z':
      return '+0000';
    case 'X':
      return 'Z';
    case 'x':
      return count === 1 ? '+00' : count === 3 || count === 5 ? '+00:00' : '+0000';
    default:
      return token.letter.repeat(count);
  }
}

const NUMERIC_LETTERS = new Set(['y', 'Y', 'M', 'L', 'd', 'D', 'H', 'k', 'K', 'h', 'm', 's', 'S', 'u', 'w']);
const isNumericToken = (t: Token | undefined): boolean => t !== undefined && 'letter' in t && NUMERIC_LETTERS.has(t.letter) && !((t.letter === 'M' || t.letter === 'L') && t.count >= 3);
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Milliseconds of the finest unit a pattern prints (a day when it prints only date fields). */
function finestUnit(tokens: Token[]): number {
  let unit = MS_PER_DAY;
  for (const token of tokens) {
    if ('literal' in token) continue;
    if (token.letter === 'S') return 1;
    if (token.letter === 's') unit = Math.min(unit, MS_PER_SECOND);
    else if (token.letter === 'm') unit = Math.min(unit, MS_PER_MINUTE);
    else if ('HkKha'.includes(token.letter)) unit = Math.min(unit, MS_PER_HOUR);
  }
  return unit;
}

function compile(pattern: string): DatePattern {
  const tokens = tokenize(pattern);
  // Events arrive in time order, so consecutive values usually fall in the same day (or
  // minute...): remember the last text per unit of the finest field the pattern shows.
  const granularity = finestUnit(tokens);
  let lastKey = NaN;
  let lastText = '';
  const format = (ms: number): string => {
    const key = Math.floor(ms / granularity);
    if (key === lastKey) return lastText;
    const days = Math.floor(ms / MS_PER_DAY);
    const [year, month, day] = civilFromDays(days);
    const fields: Fields = { days, year, month, day, time: ms - days * MS_PER_DAY };
    let out = '';
    for (const token of tokens) out += formatToken(token, fields);
    lastKey = key;
    lastText = out;
    return out;
  };

  // Parser: one capture group per field; adjacent numeric fields (yyyyMMdd) take fixed widths.
  const letters: Token[] = [];
  let source = '^\\s*';
  tokens.forEach((token, i) => {
    if ('literal' in token) {
      source += escapeRegExp(token.literal);
      return;
    }
    letters.push(token);
    const fixed = isNumericToken(tokens[i + 1]);
    if (isNumericToken(token)) source += fixed ? `(\\d{${token.count}})` : token.letter === 'S' ? '(\\d{1,9})' : `(\\d{1,${Math.max(token.count, token.letter === 'y' ? 9 : 2)}})`;
    else if (token.letter === 'M' || token.letter === 'L') source += '([A-Za-z]+)';
    else if (token.letter === 'E') source += '([A-Za-z]+)';
    else if (token.letter === 'a') source += '([AaPp][Mm])';
    else if (token.letter === 'Z' || token.letter === 'X' || token.letter === 'x') source += '(Z|[+-]\\d{2}(?::?\\d{2})?)';
    else source += '(.+?)';
  });
  const regex = new RegExp(source + '\\s*$');

  const parse = (text: string): number | null => {
    const m = regex.exec(text);
    if (m === null) return null;
    let year = 1970;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let millis = 0;
    let pm: boolean | undefined;
    let offset = 0;
    for (let i = 0; i < letters.length; i++) {
      const token = letters[i] as { letter: string; count: number };
      const value = m[i + 1]!;
      switch (token.letter) {
        case 'y':
        case 'Y':
          year = Number(value);
          if (token.count === 2 && value.length === 2) year += 2000;
          break;
        case 'M':
        case 'L':
          month = /^\d+$/.test(value) ? Number(value) : MONTHS.findIndex((n) => n.toLowerCase().startsWith(value.toLowerCase().slice(0, 3))) + 1;
          break;
        case 'd':
          day = Number(value);
          break;
        case 'H':
        case 'k':
          hour = Number(value) % 24;
          break;
        case 'h':
        case 'K':
          hour = Number(value) % 12;
          break;
        case 'm':
          minute = Number(value);
          break;
        case 's':
          second = Number(value);
          break;
        case 'S':
          millis = Number((value + '00').slice(0, 3));
          break;
        case 'a':
          pm = value.toUpperCase() === 'PM';
          break;
        case 'Z':
        case 'X':
        case 'x':
          if (value !== 'Z') {
            const digits = value.replace(':', '');
            offset = (digits[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * MS_PER_HOUR + Number(digits.slice(3, 5) || 0) * MS_PER_MINUTE);
          }
          break;
        default:
          break; // day names and week fields carry no information the date lacks
      }
    }
    if (pm === true) hour += 12;
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null;
    return daysFromCivil(year, month, day) * MS_PER_DAY + hour * MS_PER_HOUR + minute * MS_PER_MINUTE + second * MS_PER_SECOND + millis - offset;
  };
  return { format, parse };
}

const cache = new Map<string, DatePattern>();

export function datePattern(pattern: string): DatePattern {
  let compiled = cache.get(pattern);
  if (compiled === undefined) {
    compiled = compile(pattern);
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, compiled);
  }
  return compiled;
}

export const DEFAULT_TIMESTAMP_PATTERN = 'yyyy-MM-dd HH:mm:ss';
export const DEFAULT_DATE_PATTERN = 'yyyy-MM-dd';
