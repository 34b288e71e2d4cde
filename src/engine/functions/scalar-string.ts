/**
 * String functions, with Flink's names and edge cases:
 * - positions are 1-based (SUBSTRING, POSITION, LOCATE, INSTR, OVERLAY); "not found" is 0;
 *   SUBSTRING with a negative start counts from the end;
 * - SPLIT_INDEX(s, separator, i) is 0-based and NULL when i is out of range; the separator is a
 *   whole string, not a regular expression;
 * - REGEXP, REGEXP_EXTRACT, REGEXP_REPLACE take Java-style regular expressions (run as
 *   JavaScript ones, which agree on the common syntax); REGEXP_EXTRACT's group defaults to 0
 *   (the whole match) and is NULL without a match; an invalid pattern gives NULL;
 * - LPAD/RPAD are NULL for a negative length or an empty pad, and truncate a longer string;
 * - CONCAT is NULL if any argument is NULL; CONCAT_WS skips NULL arguments (NULL separator: NULL);
 * - TRIM arrives from the binder as TRIM(side, characters, source): side a string literal
 *   'BOTH' | 'LEADING' | 'TRAILING', characters the set of characters to remove (' ' by default);
 * - lengths and positions count UTF-16 code units except CHAR_LENGTH, which counts code points.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ShiftleftError } from '../../common/errors.ts';
import { isBinary, isCharacter, T, withNullability, type SqlType } from '../../types/sql-type.ts';
import type { ScalarExpr } from '../../sql/plan/scalar-expr.ts';
import type { CodeGen } from '../expr/codegen.ts';
import { anyNullable } from '../expr/type-rules.ts';
import { checkArgs, literalValue, strict, typeMismatch, viaHelper, type ArgKind, type CustomFunction, type StrictFunction } from './scalar-definition.ts';

const STRING = T.string(false);
const INT = T.int(false);
const sameAsFirst = (args: ScalarExpr[]): SqlType => withNullability(isCharacter(args[0]!.type) ? args[0]!.type : STRING, false);

function stringFn(name: string, params: ArgKind[], returns: SqlType | ((args: ScalarExpr[]) => SqlType), fn: (...values: never[]) => unknown, options: { required?: number; alwaysNullable?: boolean; signature?: string } = {}): StrictFunction {
  return strict(name, options.signature ?? `${name}(${params.join(', ')})`, {
    params,
    required: options.required,
    returns,
    alwaysNullable: options.alwaysNullable,
    generate: viaHelper(fn),
  });
}

// ---------------------------------------------------------------------------------------------
// implementations (non-null arguments)

function charLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const prev = s.charCodeAt(i - 1);
      if (prev >= 0xd800 && prev <= 0xdbff) n--;
    }
  }
  return n;
}

/** SUBSTRING(s, start[, length]): 1-based; start 0 acts as 1; a negative start counts from the end. */
export function substring(s: string, start: number, length?: number): string {
  let from = start > 0 ? start - 1 : start < 0 ? s.length + start : 0;
  if (from < 0) from = 0;
  if (length === undefined) return s.slice(from);
  if (length < 0) throw new ShiftleftError('SQL_RUNTIME_ERROR', 'SUBSTRING: negative length not allowed');
  return s.slice(from, from + length);
}

function trimSet(s: string, characters: string, leading: boolean, trailing: boolean): string {
  let start = 0;
  let end = s.length;
  if (characters.length === 1) {
    const c = characters;
    if (leading) while (start < end && s[start] === c) start++;
    if (trailing) while (end > start && s[end - 1] === c) end--;
  } else {
    if (leading) while (start < end && characters.includes(s[start]!)) start++;
    if (trailing) while (end > start && characters.includes(s[end - 1]!)) end--;
  }
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

function trim(side: string, characters: string, s: string): string {
  const upper = side.toUpperCase();
  return trimSet(s, characters, upper !== 'TRAILING', upper !== 'LEADING');
}

const locate = (needle: string, haystack: string, start = 1): number => (start < 1 ? 0 : haystack.indexOf(needle, start - 1) + 1);

/** The index-th (0-based) piece of s split at each separator, without building the array. */
export function splitIndex(s: string, separator: string, index: number): string | null {
  if (index < 0) return null;
  if (separator === '') return index === 0 && s !== '' ? s : null;
  let from = 0;
  for (let i = 0; i < index; i++) {
    const at = s.indexOf(separator, from);
    if (at < 0) return null;
    from = at + separator.length;
  }
  const end = s.indexOf(separator, from);
  return end < 0 ? s.slice(from) : s.slice(from, end);
}

function pad(left: boolean): (s: string, length: number, padding: string) => string | null {
  return (s, length, padding) => {
    if (length < 0 || padding === '') return null;
    if (length <= s.length) return s.slice(0, length);
    const fill = padding.repeat(Math.ceil((length - s.length) / padding.length)).slice(0, length - s.length);
    return left ? fill + s : s + fill;
  };
}

function initCap(s: string): string {
  let out = '';
  let startOfWord = true;
  for (const c of s) {
    const alphanumeric = /[\p{L}\p{N}]/u.test(c);
    out += startOfWord && alphanumeric ? c.toUpperCase() : c.toLowerCase();
    startOfWord = !alphanumeric;
  }
  return out;
}

function overlay(s: string, replacement: string, start: number, length = replacement.length): string {
  const from = Math.max(start - 1, 0);
  return s.slice(0, from) + replacement + s.slice(from + length);
}

const regexCache = new Map<string, RegExp | null>();

/** A compiled pattern (flags 'g' when global), null when the pattern is invalid. */
function regex(pattern: string, global: boolean): RegExp | null {
  const key = (global ? 'g' : '-') + pattern;
  let compiled = regexCache.get(key);
  if (compiled === undefined) {
    try {
      compiled = new RegExp(pattern, global ? 'g' : '');
    } catch {
      compiled = null;
    }
    if (regexCache.size > 500) regexCache.clear();
    regexCache.set(key, compiled);
  }
  return compiled;
}

function regexpExtract(s: string, pattern: string, group = 0): string | null {
  const r = regex(pattern, false);
  if (r === null) return null;
  const m = r.exec(s);
  return m === null || group < 0 || group >= m.length ? null : (m[group] ?? null);
}

function regexpReplace(s: string, pattern: string, replacement: string): string | null {
  const r = regex(pattern, true);
  if (r === null) return null;
  r.lastIndex = 0;
  return s.replace(r, replacement);
}

function regexpFind(s: string, pattern: string): boolean | null {
  const r = regex(pattern, false);
  return r === null ? null : r.test(s);
}

const hash = (algorithm: string) => (s: string | Uint8Array): string => createHash(algorithm).update(s).digest('hex');

function sha2(s: string, bits: number): string | null {
  return [224, 256, 384, 512].includes(bits) ? hash(`sha${bits}`)(s) : null;
}

function chr(n: number): string | null {
  if (n < 0) return null;
  return String.fromCharCode(n > 255 ? n % 255 : n);
}

function hex(value: unknown): string {
  if (typeof value === 'number') return BigInt.asUintN(64, BigInt(Math.trunc(value))).toString(16).toUpperCase();
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value as Uint8Array);
  return bytes.toString('hex').toUpperCase();
}

const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** PARSE_URL(url, part[, key]): a part of a URL (HOST, PATH, QUERY, REF, PROTOCOL, FILE, AUTHORITY, USERINFO), or one query parameter. */
function parseUrl(text: string, part: string, key?: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  const orNull = (v: string): string | null => (v === '' ? null : v);
  switch (part.toUpperCase()) {
    case 'HOST':
      return orNull(url.hostname);
    case 'PATH':
      return url.pathname;
    case 'QUERY':
      return key === undefined ? orNull(url.search.slice(1)) : url.searchParams.get(key);
    case 'REF':
      return orNull(url.hash.slice(1));
    case 'PROTOCOL':
      return url.protocol.replace(/:$/, '');
    case 'FILE':
      return url.pathname + url.search;
    case 'AUTHORITY':
      return orNull(url.host);
    case 'USERINFO':
      return orNull(url.username + (url.password === '' ? '' : `:${url.password}`));
    default:
      return null;
  }
}

/** STR_TO_MAP(text[, pairDelimiter ',', keyValueDelimiter '=']): delimiters are regular expressions, as in Flink. */
function strToMap(text: string, pairDelimiter = ',', keyValueDelimiter = '='): Map<string, string | null> | null {
  const pairs = regex(pairDelimiter, true);
  const keyValue = regex(keyValueDelimiter, false);
  if (pairs === null || keyValue === null) return null;
  const map = new Map<string, string | null>();
  for (const pair of text.split(pairs)) {
    const m = keyValue.exec(pair);
    if (m === null) map.set(pair, null);
    else map.set(pair.slice(0, m.index), pair.slice(m.index + m[0].length));
  }
  return map;
}

// ---------------------------------------------------------------------------------------------
// definitions

const concatType = (args: ScalarExpr[]): SqlType => {
  const binary = args.every((a) => isBinary(a.type) || a.type.kind === 'NULL') && args.some((a) => isBinary(a.type));
  return binary ? T.bytes(false) : STRING;
};

function concatOf(values: string[], binary: boolean, g: CodeGen): string {
  if (binary) return `${g.hoist((...parts: Uint8Array[]) => Buffer.concat(parts))}(${values.join(', ')})`;
  return `(${values.map((v, i) => (i === 0 ? `"" + ${v}` : v)).join(' + ')})`;
}

function concatenation(name: string, min: number, max: number): StrictFunction {
  const signature = name === '||' ? 'STRING || STRING' : `${name}(STRING, ...)`;
  return {
    name,
    signature,
    nulls: 'strict',
    infer(rawArgs) {
      const args = checkArgs(name, signature, rawArgs, Array<ArgKind>(min).fill('STRING_OR_BINARY'), min, max === Infinity ? 'STRING_OR_BINARY' : undefined);
      const binary = args.filter((a) => isBinary(a.type)).length;
      if (binary > 0 && binary < args.filter((a) => a.type.kind !== 'NULL').length) throw typeMismatch(name, args, 'all STRING or all BYTES arguments');
      return { args, type: withNullability(concatType(args), anyNullable(args.map((a) => a.type))) };
    },
    generate: (g, values, c) => concatOf(values, c.type.kind === 'VARBINARY', g),
  };
}

/** CONCAT_WS(separator, s1, s2, ...): NULL arguments are skipped. */
const concatWs: CustomFunction = {
  name: 'CONCAT_WS',
  signature: 'CONCAT_WS(separator STRING, STRING, ...)',
  nulls: 'custom',
  infer(rawArgs) {
    const args = checkArgs('CONCAT_WS', 'CONCAT_WS(separator STRING, STRING, ...)', rawArgs, ['STRING'], 1, 'STRING');
    return { args, type: withNullability(STRING, args[0]!.type.nullable) };
  },
  generate(g, [separator, ...parts]) {
    const join = (sep: string | null, ...values: unknown[]): string | null => {
      if (sep === null || sep === undefined) return null;
      let out = '';
      let first = true;
      for (const v of values) {
        if (v === null || v === undefined) continue;
        out += first ? v : sep + v;
        first = false;
      }
      return out;
    };
    return `${g.hoist(join)}(${[separator!, ...parts].map((p) => p.code).join(', ')})`;
  },
};

/** TRIM(side, characters, source) as the binder builds it from `TRIM([side] [chars] FROM source)`. */
const trimFunction: StrictFunction = strict('TRIM', "TRIM('BOTH'|'LEADING'|'TRAILING', characters, source)", {
  params: ['STRING', 'STRING', 'STRING'],
  required: 1,
  returns: (args) => sameAsFirst([args[args.length - 1]!]),
  generate(g, values, c) {
    // TRIM(source) alone is accepted too (a plain call written by hand).
    if (values.length === 1) return `${g.hoist(trimSet)}(${values[0]}, " ", true, true)`;
    const side = literalValue(c.args[0]);
    if (typeof side === 'string' && !['BOTH', 'LEADING', 'TRAILING'].includes(side.toUpperCase())) {
      throw new ShiftleftError('SQL_TYPE_MISMATCH', `TRIM side must be BOTH, LEADING or TRAILING, got '${side}'`);
    }
    const [s, chars, source] = values.length === 3 ? values : [values[0], '" "', values[1]];
    return `${g.hoist(trim)}(${s}, ${chars}, ${source})`;
  },
});

function sideTrim(name: string, leading: boolean, trailing: boolean): StrictFunction {
  return strict(name, `${name}(STRING[, characters STRING])`, {
    params: ['STRING', 'STRING'],
    required: 1,
    returns: sameAsFirst,
    generate: (g, [s, chars]) => `${g.hoist(trimSet)}(${s}, ${chars ?? '" "'}, ${leading}, ${trailing})`,
  });
}

function predicate(name: string, test: (s: string) => boolean): StrictFunction {
  return stringFn(name, ['STRING'], T.boolean(false), test);
}

export const STRING_FUNCTIONS: (StrictFunction | CustomFunction)[] = [
  concatenation('||', 2, 2),
  concatenation('CONCAT', 1, Infinity),
  concatWs,
  stringFn('CHAR_LENGTH', ['STRING'], INT, charLength),
  strict('UPPER', 'UPPER(STRING)', { params: ['STRING'], returns: sameAsFirst, generate: (_g, [s]) => `${s}.toUpperCase()` }),
  strict('LOWER', 'LOWER(STRING)', { params: ['STRING'], returns: sameAsFirst, generate: (_g, [s]) => `${s}.toLowerCase()` }),
  trimFunction,
  sideTrim('LTRIM', true, false),
  sideTrim('RTRIM', false, true),
  sideTrim('BTRIM', true, true),
  stringFn('SUBSTRING', ['STRING', 'INTEGER', 'INTEGER'], STRING, substring, { required: 2, signature: 'SUBSTRING(STRING, start INT[, length INT])' }),
  strict('POSITION', 'POSITION(needle IN haystack)', { params: ['STRING', 'STRING'], returns: INT, generate: (_g, [n, h]) => `(${h}.indexOf(${n}) + 1)` }),
  stringFn('LOCATE', ['STRING', 'STRING', 'INTEGER'], INT, locate, { required: 2, signature: 'LOCATE(needle, haystack[, start INT])' }),
  strict('INSTR', 'INSTR(STRING, substring STRING)', { params: ['STRING', 'STRING'], returns: INT, generate: (_g, [s, sub]) => `(${s}.indexOf(${sub}) + 1)` }),
  strict('REPLACE', 'REPLACE(STRING, search STRING, replacement STRING)', {
    params: ['STRING', 'STRING', 'STRING'],
    returns: STRING,
    generate: (_g, [s, search, replacement]) => `(${search} === "" ? ${s} : ${s}.split(${search}).join(${replacement}))`,
  }),
  stringFn('REGEXP_REPLACE', ['STRING', 'STRING', 'STRING'], STRING, regexpReplace, { alwaysNullable: true }),
  stringFn('REGEXP_EXTRACT', ['STRING', 'STRING', 'INTEGER'], STRING, regexpExtract, { required: 2, alwaysNullable: true, signature: 'REGEXP_EXTRACT(STRING, regex STRING[, group INT])' }),
  stringFn('REGEXP', ['STRING', 'STRING'], T.boolean(false), regexpFind, { alwaysNullable: true }),
  stringFn('INITCAP', ['STRING'], sameAsFirst, initCap),
  stringFn('LPAD', ['STRING', 'INTEGER', 'STRING'], STRING, pad(true), { alwaysNullable: true }),
  stringFn('RPAD', ['STRING', 'INTEGER', 'STRING'], STRING, pad(false), { alwaysNullable: true }),
  strict('REPEAT', 'REPEAT(STRING, times INT)', { params: ['STRING', 'INTEGER'], returns: STRING, generate: (_g, [s, n]) => `(${n} > 0 ? ${s}.repeat(${n}) : "")` }),
  stringFn('REVERSE', ['STRING'], sameAsFirst, (s: string) => Array.from(s).reverse().join('')),
  stringFn('SPLIT_INDEX', ['STRING', 'STRING', 'INTEGER'], STRING, splitIndex, { alwaysNullable: true, signature: 'SPLIT_INDEX(STRING, separator STRING, index INT)' }),
  strict('LEFT', 'LEFT(STRING, length INT)', { params: ['STRING', 'INTEGER'], returns: STRING, generate: (_g, [s, n]) => `(${n} > 0 ? ${s}.slice(0, ${n}) : "")` }),
  strict('RIGHT', 'RIGHT(STRING, length INT)', { params: ['STRING', 'INTEGER'], returns: STRING, generate: (_g, [s, n]) => `(${n} > 0 ? ${s}.slice(-${n}) : "")` }),
  stringFn('OVERLAY', ['STRING', 'STRING', 'INTEGER', 'INTEGER'], STRING, overlay, { required: 3, signature: 'OVERLAY(STRING PLACING STRING FROM start [FOR length])' }),
  stringFn('MD5', ['STRING_OR_BINARY'], STRING, hash('md5')),
  stringFn('SHA1', ['STRING_OR_BINARY'], STRING, hash('sha1')),
  stringFn('SHA224', ['STRING_OR_BINARY'], STRING, hash('sha224')),
  stringFn('SHA256', ['STRING_OR_BINARY'], STRING, hash('sha256')),
  stringFn('SHA384', ['STRING_OR_BINARY'], STRING, hash('sha384')),
  stringFn('SHA512', ['STRING_OR_BINARY'], STRING, hash('sha512')),
  stringFn('SHA2', ['STRING', 'INTEGER'], STRING, sha2, { alwaysNullable: true }),
  stringFn('TO_BASE64', ['STRING_OR_BINARY'], STRING, (s: string | Uint8Array) => Buffer.from(typeof s === 'string' ? Buffer.from(s, 'utf8') : s).toString('base64')),
  stringFn('FROM_BASE64', ['STRING'], STRING, (s: string) => Buffer.from(s, 'base64').toString('utf8')),
  strict('UUID', 'UUID()', { params: [], returns: STRING, deterministic: false, generate: (g) => `${g.hoist(randomUUID)}()` }),
  strict('ASCII', 'ASCII(STRING)', { params: ['STRING'], returns: INT, generate: (_g, [s]) => `(${s}.length === 0 ? 0 : ${s}.charCodeAt(0))` }),
  stringFn('CHR', ['INTEGER'], STRING, chr, { alwaysNullable: true }),
  stringFn('HEX', ['ANY'], STRING, hex),
  stringFn('PARSE_URL', ['STRING', 'STRING', 'STRING'], STRING, parseUrl, { required: 2, alwaysNullable: true, signature: 'PARSE_URL(url STRING, part STRING[, key STRING])' }),
  stringFn('STR_TO_MAP', ['STRING', 'STRING', 'STRING'], T.map(STRING, T.string(true), false), strToMap, { required: 1, alwaysNullable: true }),
  predicate('IS_ALPHA', (s) => /^\p{L}+$/u.test(s)),
  predicate('IS_DIGIT', (s) => /^\d+$/.test(s)),
  predicate('IS_DECIMAL', (s) => DECIMAL_TEXT.test(s)),
];
