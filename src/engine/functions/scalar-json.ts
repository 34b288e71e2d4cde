/**
 * JSON functions: JSON_VALUE, JSON_QUERY, JSON_EXISTS, JSON_STRING, JSON_OBJECT, JSON_ARRAY.
 *
 * Paths: the common SQL/JSON subset `[lax|strict] $`, `.name`, `."quoted name"`, `['name']`,
 * `[index]` (0-based). Lax mode semantics with the defaults Flink uses: JSON_VALUE returns NULL
 * when the path is missing, the value is not a scalar, or the text is not JSON (NULL ON EMPTY,
 * NULL ON ERROR); JSON_EXISTS gives FALSE on error; JSON_QUERY returns the JSON text of an
 * object or array and NULL for a scalar (WITHOUT WRAPPER).
 *
 * JSON_VALUE's `RETURNING type` may arrive as a third argument: a NULL literal of that type.
 * The call then has that type (the marker argument is dropped) and the scalar found converts
 * with TRY_CAST semantics, NULL when it does not convert (Flink's default NULL ON ERROR).
 * Casting the STRING result with CAST instead fails on values that do not convert.
 */
import { ShiftleftError } from '../../common/errors.ts';
import { isCharacter, T, withNullability, type SqlType } from '../../types/sql-type.ts';
import type { ScalarExpr } from '../../sql/plan/scalar-expr.ts';
import type { CodeGen } from '../expr/codegen.ts';
import { castConverter, valueToText } from './scalar-cast.ts';
import { checkArgs, checkArity, literalValue, strict, viaHelper, type CustomFunction, type StrictFunction } from './scalar-definition.ts';

type PathStep = string | number;

const PATH_STEP = /^(?:\.([A-Za-z_$][\w$]*)|\."((?:[^"\\]|\\.)*)"|\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\[\s*(\d+)\s*\])/;

/** Parses a JSON path into steps; undefined when the path is outside the supported subset. */
export function parseJsonPath(path: string): PathStep[] | undefined {
  let rest = path.trim().replace(/^(lax|strict)\s+/i, '');
  if (!rest.startsWith('$')) return undefined;
  rest = rest.slice(1).trim();
  const steps: PathStep[] = [];
  while (rest.length > 0) {
    const m = PATH_STEP.exec(rest);
    if (m === null) return undefined;
    if (m[5] !== undefined) steps.push(Number(m[5]));
    else steps.push((m[1] ?? m[2] ?? m[3] ?? m[4])!);
    rest = rest.slice(m[0].length).trim();
  }
  return steps;
}

const NOT_FOUND = Symbol('not found');

/** One-entry cache: a projection often reads several paths of the same document. */
let lastText: string | undefined;
let lastDocument: unknown = NOT_FOUND;

function parseDocument(text: string): unknown {
  if (text === lastText) return lastDocument;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    document = NOT_FOUND;
  }
  lastText = text;
  lastDocument = document;
  return document;
}

const pathCache = new Map<string, PathStep[] | undefined>();
function cachedPath(path: string): PathStep[] | undefined {
  if (!pathCache.has(path)) {
    if (pathCache.size > 500) pathCache.clear();
    pathCache.set(path, parseJsonPath(path));
  }
  return pathCache.get(path);
}

function walk(document: unknown, steps: PathStep[]): unknown {
  let node = document;
  for (const step of steps) {
    if (node === null || typeof node !== 'object') return NOT_FOUND;
    if (typeof step === 'number') {
      if (!Array.isArray(node) || step >= node.length) return NOT_FOUND;
      node = node[step];
    } else {
      if (Array.isArray(node) || !Object.prototype.hasOwnProperty.call(node, step)) return NOT_FOUND;
      node = (node as Record<string, unknown>)[step];
    }
  }
  return node;
}

/** The value at `path` of the JSON text, or NOT_FOUND (bad JSON, bad path, missing). */
function lookup(text: string, path: string): unknown {
  const steps = cachedPath(path);
  if (steps === undefined) return NOT_FOUND;
  const document = parseDocument(text);
  return document === NOT_FOUND ? NOT_FOUND : walk(document, steps);
}

function jsonScalar(text: string, path: string): string | number | boolean | null {
  const value = lookup(text, path);
  if (value === NOT_FOUND || value === null || typeof value === 'object') return null;
  return value as string | number | boolean;
}

function checkConstantPath(name: string, arg: ScalarExpr | undefined): void {
  const path = literalValue(arg);
  if (typeof path === 'string' && parseJsonPath(path) === undefined) {
    throw new ShiftleftError('SQL_VALIDATION_ERROR', `${name}: unsupported JSON path '${path}'`, {
      hint: "use $, .name, ['name'] and [index] steps, e.g. '$.order.items[0].price'",
    });
  }
}

/** The SQL type a JSON scalar converts from, for RETURNING conversions. */
function typeOfScalar(value: unknown): SqlType {
  return typeof value === 'number' ? T.double(false) : typeof value === 'boolean' ? T.boolean(false) : T.string(false);
}

const jsonValue: StrictFunction = {
  name: 'JSON_VALUE',
  signature: 'JSON_VALUE(json STRING, path STRING [RETURNING type])',
  nulls: 'strict',
  infer(rawArgs) {
    checkArity('JSON_VALUE', rawArgs, 2, 3, this.signature);
    const args = checkArgs('JSON_VALUE', this.signature, rawArgs.slice(0, 2), ['STRING', 'STRING']);
    checkConstantPath('JSON_VALUE', args[1]);
    const returning = rawArgs[2];
    if (returning === undefined) return { args, type: T.string(true) };
    if (returning.kind !== 'Literal' || returning.value !== null) {
      throw new ShiftleftError('SQL_VALIDATION_ERROR', 'JSON_VALUE: the RETURNING argument must be a NULL literal of the wanted type');
    }
    // The call's type carries the RETURNING type; the marker argument is not kept.
    return { args, type: withNullability(returning.type, true) };
  },
  generate(g, [json, path], c) {
    const scalar = `${g.hoist(jsonScalar)}(${json}, ${path})`;
    const target = c.type;
    if (isCharacter(target)) {
      const toText = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'boolean' ? String(v) : valueToText(typeOfScalar(v))(v).replace(/\.0$/, ''));
      const t = g.temp();
      return `((${t} = ${scalar}) === null ? null : ${g.hoist(toText)}(${t}))`;
    }
    const convert = (v: unknown): unknown => {
      if (v === null) return null;
      const converter = castConverter(typeOfScalar(v), target, true);
      return converter === null ? v : converter(v);
    };
    return `${g.hoist(convert)}(${scalar})`;
  },
};

const jsonExists: StrictFunction = strict('JSON_EXISTS', 'JSON_EXISTS(json STRING, path STRING)', {
  params: ['STRING', 'STRING'],
  returns: T.boolean(false),
  generate: viaHelper((text: string, path: string) => lookup(text, path) !== NOT_FOUND),
});

const jsonQuery: StrictFunction = strict('JSON_QUERY', 'JSON_QUERY(json STRING, path STRING)', {
  params: ['STRING', 'STRING'],
  returns: T.string(false),
  alwaysNullable: true,
  generate: viaHelper((text: string, path: string) => {
    const value = lookup(text, path);
    return value !== null && typeof value === 'object' ? JSON.stringify(value) : null;
  }),
});

/** A SQL value as a JSON value (dates and timestamps as their SQL text, bytes as base64). */
function toJsonValue(type: SqlType): (v: unknown) => unknown {
  switch (type.kind) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DECIMAL':
    case 'CHAR':
    case 'VARCHAR':
      return (v) => v;
    case 'BINARY':
    case 'VARBINARY':
      return (v) => Buffer.from(v as Uint8Array).toString('base64');
    case 'ARRAY':
    case 'MULTISET': {
      const element = toJsonValue(type.element);
      return (v) => (v as unknown[]).map((e) => (e === null ? null : element(e)));
    }
    case 'MAP': {
      const value = toJsonValue(type.value);
      return (v) => Object.fromEntries([...(v as Map<unknown, unknown>)].map(([k, x]) => [String(k), x === null ? null : value(x)]));
    }
    case 'ROW': {
      const fields = type.fields.map((f) => toJsonValue(f.type));
      return (v) => Object.fromEntries(type.fields.map((f, i) => [f.name, (v as unknown[])[i] === null ? null : fields[i]!((v as unknown[])[i])]));
    }
    default:
      return valueToText(type);
  }
}

const jsonString: StrictFunction = {
  ...strict('JSON_STRING', 'JSON_STRING(value)', { params: ['ANY'], returns: T.string(false), generate: () => '' }),
  generate(g, [v], c) {
    const convert = toJsonValue(c.args[0]!.type);
    return `JSON.stringify(${g.hoist(convert)}(${v}))`;
  },
};

/** JSON_OBJECT(key1, value1, ...): NULL values become JSON null (NULL ON NULL). */
const jsonObject: CustomFunction = {
  name: 'JSON_OBJECT',
  signature: 'JSON_OBJECT(key STRING, value, ...)',
  nulls: 'custom',
  infer(args) {
    if (args.length % 2 !== 0) throw new ShiftleftError('SQL_TYPE_MISMATCH', 'JSON_OBJECT takes key/value pairs', { hint: this.signature });
    args.forEach((a, i) => {
      if (i % 2 === 0 && !isCharacter(a.type)) throw new ShiftleftError('SQL_TYPE_MISMATCH', `JSON_OBJECT keys must be STRING, got ${a.type.kind}`);
    });
    return { args, type: T.string(false) };
  },
  generate(g: CodeGen, args, c) {
    const converters = c.args.map((a) => toJsonValue(a.type));
    const build = (...values: unknown[]): string => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < values.length; i += 2) {
        const v = values[i + 1];
        out[String(values[i])] = v === null || v === undefined ? null : converters[i + 1]!(v);
      }
      return JSON.stringify(out);
    };
    return `${g.hoist(build)}(${args.map((a) => a.code).join(', ')})`;
  },
};

/** JSON_ARRAY(values...): NULL values are left out (ABSENT ON NULL). */
const jsonArray: CustomFunction = {
  name: 'JSON_ARRAY',
  signature: 'JSON_ARRAY(value, ...)',
  nulls: 'custom',
  infer: (args) => ({ args, type: T.string(false) }),
  generate(g: CodeGen, args, c) {
    const converters = c.args.map((a) => toJsonValue(a.type));
    const build = (...values: unknown[]): string =>
      JSON.stringify(values.flatMap((v, i) => (v === null || v === undefined ? [] : [converters[i]!(v)])));
    return `${g.hoist(build)}(${args.map((a) => a.code).join(', ')})`;
  },
};

/** The shape `IS JSON [VALUE|SCALAR|ARRAY|OBJECT]` tests for; VALUE (the default) is any JSON. */
function hasJsonShape(shape: string): (text: string) => boolean {
  return (text) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return false;
    }
    switch (shape) {
      case 'SCALAR':
        return value === null || typeof value !== 'object';
      case 'ARRAY':
        return Array.isArray(value);
      case 'OBJECT':
        return value !== null && typeof value === 'object' && !Array.isArray(value);
      default:
        return true;
    }
  };
}

/** `x IS [NOT] JSON [shape]`: never NULL; a NULL value is neither JSON nor "not JSON" (both FALSE, as in Calcite). */
function isJson(shape: string | undefined, negated: boolean): CustomFunction {
  const name = `IS ${negated ? 'NOT ' : ''}JSON${shape === undefined ? '' : ` ${shape}`}`;
  const test = hasJsonShape(shape ?? 'VALUE');
  return {
    name,
    signature: `STRING ${name}`,
    nulls: 'custom',
    infer(rawArgs) {
      const args = checkArgs(name, `STRING ${name}`, rawArgs, ['STRING']);
      return { args, type: T.boolean(false) };
    },
    generate(g, [value]) {
      const t = g.temp();
      return `((${t} = ${value!.code}) == null ? false : ${negated ? '!' : ''}${g.hoist(test)}(${t}))`;
    },
  };
}

const IS_JSON_TESTS = [undefined, 'VALUE', 'SCALAR', 'ARRAY', 'OBJECT'].flatMap((shape) => [isJson(shape, false), isJson(shape, true)]);

export const JSON_FUNCTIONS: (StrictFunction | CustomFunction)[] = [jsonValue, jsonExists, jsonQuery, jsonString, jsonObject, jsonArray, ...IS_JSON_TESTS];
