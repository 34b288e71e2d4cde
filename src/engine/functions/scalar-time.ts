/**
 * Temporal functions. The session time zone is UTC (Confluent Cloud's default), so "local" and
 * "UTC" readings of an instant agree: CURRENT_TIMESTAMP/NOW/PROCTIME() are TIMESTAMP_LTZ(3),
 * LOCALTIMESTAMP the same instant as a TIMESTAMP(3).
 *
 * Units come as string literals (the binder turns `EXTRACT(HOUR FROM x)`,
 * `TIMESTAMPADD(DAY, 1, x)` and `FLOOR(x TO DAY)` into those). EXTRACT and the YEAR()/HOUR()...
 * shorthands return BIGINT; DAYOFWEEK is 1 = Sunday ... 7 = Saturday; WEEK is the ISO week.
 * TO_TIMESTAMP/TO_DATE/UNIX_TIMESTAMP(string) return NULL when the text does not match the
 * format. The clock functions read `expressionClock`, which tests may replace.
 */
import { ShiftleftError } from '../../common/errors.ts';
import { isCharacter, T, type SqlType } from '../../types/sql-type.ts';
import type { ScalarExpr } from '../../sql/plan/scalar-expr.ts';
import type { CodeGen } from '../expr/codegen.ts';
import { datePattern, DEFAULT_DATE_PATTERN, DEFAULT_TIMESTAMP_PATTERN } from '../expr/date-pattern.ts';
import { EXTRACT_UNITS, fieldExtractor, isTimestampUnit, MS_PER_DAY, parseTimestamp, timestampAdd, timestampDiff } from '../expr/temporal.ts';
import { anyNullable } from '../expr/type-rules.ts';
import { checkArgs, checkArity, literalValue, strict, typeMismatch, viaHelper, type StrictFunction } from './scalar-definition.ts';

/** Where the clock functions read the time; replace `now` in tests for fixed results. */
export const expressionClock = { now: (): number => Date.now() };
const now = (): number => expressionClock.now();

const BIGINT = T.bigint(false);
const STRING = T.string(false);

function clockFunction(name: string, type: SqlType, code: (g: CodeGen) => string): StrictFunction {
  return strict(name, `${name}()`, { params: [], returns: type, deterministic: false, generate: code });
}

const nowCode = (g: CodeGen): string => `${g.hoist(now)}()`;

/** Milliseconds of a DATE (days) or TIMESTAMP value, for functions that work on timestamps. */
function asMillis(type: SqlType, code: string): string {
  return type.kind === 'DATE' ? `(${code} * ${MS_PER_DAY})` : code;
}

function unitOf(name: string, arg: ScalarExpr | undefined, allowed: readonly string[]): string {
  const unit = literalValue(arg);
  if (typeof unit !== 'string' || !allowed.includes(unit.toUpperCase())) {
    throw new ShiftleftError('SQL_TYPE_MISMATCH', `${name} does not support the time unit ${String(unit)}`, { hint: `units: ${allowed.join(', ')}` });
  }
  return unit.toUpperCase();
}

const TIME_OF_DAY_UNITS = new Set(['HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND', 'NANOSECOND']);

/** EXTRACT(unit literal, value) → BIGINT. */
const extract: StrictFunction = {
  name: 'EXTRACT',
  signature: 'EXTRACT(unit FROM datetime)',
  nulls: 'strict',
  infer(args) {
    checkArity('EXTRACT', args, 2, 2, 'EXTRACT(unit FROM datetime)');
    const unit = unitOf('EXTRACT', args[0], EXTRACT_UNITS);
    const checked = checkArgs('EXTRACT', this.signature, args, ['STRING', TIME_OF_DAY_UNITS.has(unit) ? 'ANY' : 'DATETIME']);
    const kind = checked[1]!.type.kind;
    if (!['DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ', 'NULL'].includes(kind) || (kind === 'TIME' && !TIME_OF_DAY_UNITS.has(unit))) {
      throw typeMismatch('EXTRACT', checked, `a datetime for unit ${unit}`);
    }
    return { args: checked, type: T.bigint(checked[1]!.type.nullable) };
  },
  generate(g, [, value], c) {
    const unit = (literalValue(c.args[0]) as string).toUpperCase();
    return `${g.hoist(extractors(unit))}(${asMillis(c.args[1]!.type, value!)})`;
  },
};

/** One extractor per unit, so that every HOUR(...) call in a query shares one hoisted function. */
const extractorCache = new Map<string, (ms: number) => number>();
function extractors(unit: string): (ms: number) => number {
  let fn = extractorCache.get(unit);
  if (fn === undefined) extractorCache.set(unit, (fn = fieldExtractor(unit)));
  return fn;
}

/** YEAR(x), HOUR(x)...: EXTRACT with a fixed unit. */
function extractShorthand(name: string, unit: string): StrictFunction {
  const timeOfDay = TIME_OF_DAY_UNITS.has(unit);
  return {
    name,
    signature: `${name}(${timeOfDay ? 'datetime or TIME' : 'DATE or TIMESTAMP'})`,
    nulls: 'strict',
    infer(rawArgs) {
      const args = checkArgs(name, this.signature, rawArgs, [timeOfDay ? 'ANY' : 'DATETIME']);
      const kind = args[0]!.type.kind;
      if (!['DATE', 'TIMESTAMP', 'TIMESTAMP_LTZ', 'NULL', ...(timeOfDay ? ['TIME'] : [])].includes(kind)) throw typeMismatch(name, args, this.signature);
      return { args, type: T.bigint(args[0]!.type.nullable) };
    },
    generate: (g, [v], c) => `${g.hoist(extractors(unit))}(${asMillis(c.args[0]!.type, v!)})`,
  };
}

/** DATE_FORMAT(timestamp or string, pattern) → STRING. */
const dateFormat: StrictFunction = {
  ...strict('DATE_FORMAT', 'DATE_FORMAT(TIMESTAMP or STRING, pattern STRING)', {
    params: ['ANY', 'STRING'],
    returns: STRING,
    generate(g, [value, pattern], c) {
      const type = c.args[0]!.type;
      const constant = literalValue(c.args[1]);
      const formatter = typeof constant === 'string' ? datePattern(constant) : undefined;
      const millis = isCharacter(type) ? `${g.hoist(parseTimestamp)}(${value})` : asMillis(type, value!);
      const format = formatter !== undefined ? `${g.hoist(formatter.format)}` : `${g.hoist((ms: number, p: string) => datePattern(p).format(ms))}`;
      const call = (ms: string): string => (formatter !== undefined ? `${format}(${ms})` : `${format}(${ms}, ${pattern})`);
      if (!isCharacter(type)) return call(millis);
      const t = g.temp();
      return `((${t} = ${millis}) === null ? null : ${call(t)})`;
    },
  }),
  infer(rawArgs) {
    const args = checkArgs('DATE_FORMAT', this.signature, rawArgs, ['ANY', 'STRING']);
    const t = args[0]!.type;
    if (!['TIMESTAMP', 'TIMESTAMP_LTZ', 'DATE', 'NULL'].includes(t.kind) && !isCharacter(t)) throw typeMismatch('DATE_FORMAT', args, this.signature);
    // A string first argument that does not parse gives NULL.
    return { args, type: T.string(anyNullable(args.map((a) => a.type)) || isCharacter(t)) };
  },
};

/** Parses text with a pattern (the default when absent); null when it does not match. */
function parseWith(defaultPattern: string) {
  return (text: string, pattern?: string): number | null => datePattern(pattern ?? defaultPattern).parse(text);
}

const parseTimestampText = parseWith(DEFAULT_TIMESTAMP_PATTERN);
/** TO_TIMESTAMP(text): 'yyyy-MM-dd HH:mm:ss' with optional fraction, or a given pattern. */
function toTimestamp(text: string, pattern?: string): number | null {
  return pattern === undefined ? (parseTimestamp(text) ?? parseTimestampText(text)) : parseTimestampText(text, pattern);
}

function toDate(text: string, pattern?: string): number | null {
  const ms = parseWith(DEFAULT_DATE_PATTERN)(text, pattern);
  return ms === null ? null : Math.floor(ms / MS_PER_DAY);
}

/** TO_TIMESTAMP_LTZ(epoch, precision): precision 0 reads seconds, 3 milliseconds; or (text[, pattern]). */
const toTimestampLtz: StrictFunction = {
  name: 'TO_TIMESTAMP_LTZ',
  signature: 'TO_TIMESTAMP_LTZ(NUMERIC, precision 0|3) or TO_TIMESTAMP_LTZ(STRING[, pattern])',
  nulls: 'strict',
  infer(rawArgs) {
    checkArity('TO_TIMESTAMP_LTZ', rawArgs, 1, 2, this.signature);
    const first = rawArgs[0]!.type;
    if (isCharacter(first)) {
      const args = checkArgs('TO_TIMESTAMP_LTZ', this.signature, rawArgs, ['STRING', 'STRING'], 1);
      return { args, type: T.timestampLtz(3, true) };
    }
    const args = checkArgs('TO_TIMESTAMP_LTZ', this.signature, rawArgs, ['NUMERIC', 'INTEGER'], 1);
    const precision = args.length > 1 ? literalValue(args[1]) : 3;
    if (precision !== 0 && precision !== 3) {
      throw new ShiftleftError('SQL_TYPE_MISMATCH', `TO_TIMESTAMP_LTZ precision must be the literal 0 (seconds) or 3 (milliseconds), got ${String(precision)}`);
    }
    return { args, type: T.timestampLtz(3, anyNullable(args.map((a) => a.type))) };
  },
  generate(g, [value, second], c) {
    if (isCharacter(c.args[0]!.type)) return `${g.hoist(toTimestamp)}(${value}${second === undefined ? '' : `, ${second}`})`;
    const precision = c.args.length > 1 ? literalValue(c.args[1]) : 3;
    return precision === 0 ? `Math.floor(${value} * 1000)` : `Math.floor(${value})`;
  },
};

const fromUnixtime = (seconds: number, pattern?: string): string => datePattern(pattern ?? DEFAULT_TIMESTAMP_PATTERN).format(Math.floor(seconds) * 1000);

/** UNIX_TIMESTAMP(): now in seconds; UNIX_TIMESTAMP(text[, pattern]): that time in seconds. */
const unixTimestamp: StrictFunction = {
  ...strict('UNIX_TIMESTAMP', 'UNIX_TIMESTAMP([STRING[, pattern STRING]])', {
    params: ['STRING', 'STRING'],
    required: 0,
    returns: BIGINT,
    deterministic: false,
    generate(g, values) {
      if (values.length === 0) return `Math.floor(${nowCode(g)} / 1000)`;
      const parse = (text: string, pattern?: string): number | null => {
        const ms = parseTimestampText(text, pattern);
        return ms === null ? null : Math.floor(ms / 1000);
      };
      return `${g.hoist(parse)}(${values.join(', ')})`;
    },
  }),
  infer(rawArgs) {
    const args = checkArgs('UNIX_TIMESTAMP', this.signature, rawArgs, ['STRING', 'STRING'], 0);
    return { args, type: T.bigint(args.length > 0) };
  },
};

/** TIMESTAMPADD(unit literal, amount, datetime). */
const timestampAddFunction: StrictFunction = {
  name: 'TIMESTAMPADD',
  signature: 'TIMESTAMPADD(unit, INT, datetime)',
  nulls: 'strict',
  infer(rawArgs) {
    const args = checkArgs('TIMESTAMPADD', this.signature, rawArgs, ['STRING', 'INTEGER', 'DATETIME']);
    const unit = unitOf('TIMESTAMPADD', args[0], [...timestampUnits()]);
    const target = args[2]!.type;
    const subDay = ['HOUR', 'MINUTE', 'SECOND', 'MILLISECOND'].includes(unit);
    const type = target.kind === 'DATE' && subDay ? T.timestamp(3) : target.kind === 'NULL' ? T.timestamp(3) : target;
    return { args, type: { ...type, nullable: anyNullable(args.map((a) => a.type)) } };
  },
  generate(g, [, amount, value], c) {
    const unit = (literalValue(c.args[0]) as string).toUpperCase();
    const sum = `${g.hoist(timestampAdd)}(${JSON.stringify(unit)}, ${amount}, ${asMillis(c.args[2]!.type, value!)})`;
    return c.type.kind === 'DATE' ? `Math.floor(${sum} / ${MS_PER_DAY})` : sum;
  },
};

const timestampUnits = (): string[] => ['YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND'].filter(isTimestampUnit);

/** TIMESTAMPDIFF(unit literal, start, end) → INT: whole units from start to end. */
const timestampDiffFunction: StrictFunction = {
  name: 'TIMESTAMPDIFF',
  signature: 'TIMESTAMPDIFF(unit, start datetime, end datetime)',
  nulls: 'strict',
  infer(rawArgs) {
    const args = checkArgs('TIMESTAMPDIFF', this.signature, rawArgs, ['STRING', 'DATETIME', 'DATETIME']);
    unitOf('TIMESTAMPDIFF', args[0], timestampUnits());
    return { args, type: T.int(anyNullable(args.slice(1).map((a) => a.type))) };
  },
  generate(g, [, start, end], c) {
    const unit = (literalValue(c.args[0]) as string).toUpperCase();
    return `${g.hoist(timestampDiff)}(${JSON.stringify(unit)}, ${asMillis(c.args[1]!.type, start!)}, ${asMillis(c.args[2]!.type, end!)})`;
  },
};

export const TIME_FUNCTIONS: StrictFunction[] = [
  clockFunction('CURRENT_TIMESTAMP', T.timestampLtz(3, false), nowCode),
  clockFunction('NOW', T.timestampLtz(3, false), nowCode),
  clockFunction('PROCTIME', T.timestampLtz(3, false), nowCode),
  clockFunction('CURRENT_ROW_TIMESTAMP', T.timestampLtz(3, false), nowCode),
  clockFunction('LOCALTIMESTAMP', T.timestamp(3, false), nowCode),
  clockFunction('CURRENT_DATE', T.date(false), (g) => `Math.floor(${nowCode(g)} / ${MS_PER_DAY})`),
  clockFunction('CURRENT_TIME', T.time(0, false), (g) => `(Math.floor(${nowCode(g)} / 1000) * 1000 % ${MS_PER_DAY})`),
  clockFunction('LOCALTIME', T.time(0, false), (g) => `(Math.floor(${nowCode(g)} / 1000) * 1000 % ${MS_PER_DAY})`),
  extract,
  extractShorthand('YEAR', 'YEAR'),
  extractShorthand('QUARTER', 'QUARTER'),
  extractShorthand('MONTH', 'MONTH'),
  extractShorthand('WEEK', 'WEEK'),
  extractShorthand('DAYOFYEAR', 'DOY'),
  extractShorthand('DAYOFMONTH', 'DAY'),
  extractShorthand('DAYOFWEEK', 'DOW'),
  extractShorthand('HOUR', 'HOUR'),
  extractShorthand('MINUTE', 'MINUTE'),
  extractShorthand('SECOND', 'SECOND'),
  dateFormat,
  strict('TO_TIMESTAMP', 'TO_TIMESTAMP(STRING[, pattern STRING])', { params: ['STRING', 'STRING'], required: 1, returns: T.timestamp(3, false), alwaysNullable: true, generate: viaHelper(toTimestamp) }),
  strict('TO_DATE', 'TO_DATE(STRING[, pattern STRING])', { params: ['STRING', 'STRING'], required: 1, returns: T.date(false), alwaysNullable: true, generate: viaHelper(toDate) }),
  toTimestampLtz,
  strict('FROM_UNIXTIME', 'FROM_UNIXTIME(seconds NUMERIC[, pattern STRING])', { params: ['NUMERIC', 'STRING'], required: 1, returns: STRING, generate: viaHelper(fromUnixtime) }),
  unixTimestamp,
  timestampAddFunction,
  timestampDiffFunction,
];
