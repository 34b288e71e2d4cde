/**
 * Collection functions and value constructors: ARRAY[...], MAP[...], ROW(...), ITEM (a[i],
 * m[key]), CARDINALITY, ELEMENT, ARRAY_CONTAINS, MAP_KEYS, MAP_VALUES.
 *
 * Arrays are 1-based; ITEM outside the array or a missing map key is NULL. ELEMENT of an empty
 * array is NULL and of an array with more than one element an error, as in Flink. Constructors
 * never return NULL themselves (their elements may be NULL).
 */
import { ShiftleftError } from '../../common/errors.ts';
import { T, withNullability, type SqlType } from '../../types/sql-type.ts';
import { literal, type ScalarExpr } from '../../sql/plan/scalar-expr.ts';
import { runtimeError } from '../expr/runtime-error.ts';
import { commonType } from '../expr/type-rules.ts';
import { coerce } from './scalar-cast.ts';
import { valuesEqual } from './scalar-comparison.ts';
import { checkArgs, describeArgs, strict, typeMismatch, viaHelper, type CustomFunction, type StrictFunction } from './scalar-definition.ts';

function unifyAll(name: string, values: ScalarExpr[]): [ScalarExpr[], SqlType] {
  const type = commonType(values.map((v) => v.type));
  if (type === undefined) throw new ShiftleftError('SQL_TYPE_MISMATCH', `${name} elements have no common type: ${describeArgs(values)}`);
  const unified = values.map((v) => (v.type.kind === 'NULL' ? literal(null, withNullability(type, true)) : coerce(v, type)));
  return [unified, type];
}

const arrayConstructor: CustomFunction = {
  name: 'ARRAY',
  signature: 'ARRAY[value, ...]',
  nulls: 'custom',
  infer(args) {
    if (args.length === 0) throw new ShiftleftError('SQL_VALIDATION_ERROR', 'ARRAY[] needs at least one element');
    const [unified, element] = unifyAll('ARRAY', args);
    return { args: unified, type: T.array(element, false) };
  },
  generate: (_g, args) => `[${args.map((a) => a.code).join(', ')}]`,
};

const mapConstructor: CustomFunction = {
  name: 'MAP',
  signature: 'MAP[key, value, ...]',
  nulls: 'custom',
  infer(args) {
    if (args.length === 0 || args.length % 2 !== 0) throw new ShiftleftError('SQL_VALIDATION_ERROR', 'MAP[...] needs key/value pairs');
    const [keys, keyType] = unifyAll('MAP keys', args.filter((_, i) => i % 2 === 0));
    const [values, valueType] = unifyAll('MAP values', args.filter((_, i) => i % 2 === 1));
    return { args: keys.flatMap((k, i) => [k, values[i]!]), type: T.map(keyType, valueType, false) };
  },
  generate(_g, args) {
    const pairs: string[] = [];
    for (let i = 0; i < args.length; i += 2) pairs.push(`[${args[i]!.code}, ${args[i + 1]!.code}]`);
    return `new Map([${pairs.join(', ')}])`;
  },
};

const rowConstructor: CustomFunction = {
  name: 'ROW',
  signature: 'ROW(value, ...)',
  nulls: 'custom',
  infer: (args) => ({ args, type: T.row(args.map((a, i) => ({ name: `EXPR$${i}`, type: a.type })), false) }),
  generate: (_g, args) => `[${args.map((a) => a.code).join(', ')}]`,
};

/** ITEM(array, index) (1-based) or ITEM(map, key). */
const item: StrictFunction = {
  name: 'ITEM',
  signature: 'array[index] or map[key]',
  nulls: 'strict',
  infer(rawArgs) {
    const args = checkArgs('ITEM', this.signature, rawArgs, ['COLLECTION', 'ANY']);
    const container = args[0]!.type;
    if (container.kind === 'ARRAY') {
      if (!['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'NULL'].includes(args[1]!.type.kind)) throw typeMismatch('ITEM', args, 'an integer index for an ARRAY');
      return { args, type: withNullability(container.element, true) };
    }
    if (container.kind === 'MAP') {
      const key = commonType([container.key, args[1]!.type]);
      if (key === undefined) throw typeMismatch('ITEM', args, `a key of type ${container.key.kind}`);
      return { args: [args[0]!, coerce(args[1]!, withNullability(container.key, args[1]!.type.nullable))], type: withNullability(container.value, true) };
    }
    throw typeMismatch('ITEM', args, 'an ARRAY or MAP');
  },
  generate(g, [container, key], c) {
    if (c.args[0]!.type.kind === 'ARRAY') {
      const [setup, array] = g.once(container!);
      const [setupIndex, index] = g.once(key!);
      return `(${setup}${setupIndex}${index} >= 1 && ${index} <= ${array}.length ? (${array}[${index} - 1] ?? null) : null)`;
    }
    const lookup = (map: Map<unknown, unknown>, k: unknown): unknown => {
      if (typeof k !== 'object') return map.get(k) ?? null;
      for (const [candidate, value] of map) if (valuesEqual(candidate, k)) return value;
      return null;
    };
    return `${g.hoist(lookup)}(${container}, ${key})`;
  },
};

function element(array: unknown[]): unknown {
  if (array.length > 1) runtimeError('ELEMENT', `the array has ${array.length} elements, expected at most one`);
  return array.length === 0 ? null : array[0];
}

function arrayContains(array: unknown[], value: unknown): boolean | null {
  let sawNull = false;
  for (const e of array) {
    if (e === null) sawNull = true;
    else if (valuesEqual(e, value)) return true;
  }
  return sawNull ? null : false;
}

export const COLLECTION_FUNCTIONS: (StrictFunction | CustomFunction)[] = [
  arrayConstructor,
  mapConstructor,
  rowConstructor,
  item,
  strict('CARDINALITY', 'CARDINALITY(ARRAY or MAP)', {
    params: ['COLLECTION'],
    returns: T.int(false),
    generate: (_g, [v], c) => (c.args[0]!.type.kind === 'MAP' ? `${v}.size` : `${v}.length`),
  }),
  strict('ELEMENT', 'ELEMENT(ARRAY)', {
    params: ['ARRAY'],
    returns: (args) => withNullability((args[0]!.type as { element: SqlType }).element ?? T.null(), true),
    generate: viaHelper(element),
  }),
  strict('ARRAY_CONTAINS', 'ARRAY_CONTAINS(ARRAY, value)', {
    params: ['ARRAY', 'ANY'],
    returns: T.boolean(false),
    alwaysNullable: true,
    generate: viaHelper(arrayContains),
  }),
  strict('MAP_KEYS', 'MAP_KEYS(MAP)', {
    params: ['MAP'],
    returns: (args) => T.array((args[0]!.type as { key: SqlType }).key, false),
    generate: (_g, [m]) => `Array.from(${m}.keys())`,
  }),
  strict('MAP_VALUES', 'MAP_VALUES(MAP)', {
    params: ['MAP'],
    returns: (args) => T.array((args[0]!.type as { value: SqlType }).value, false),
    generate: (_g, [m]) => `Array.from(${m}.values())`,
  }),
];
