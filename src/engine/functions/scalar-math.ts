/**
 * Mathematical functions: ABS, CEIL/FLOOR (also `FLOOR(ts TO unit)`), ROUND, TRUNCATE, SIGN,
 * POWER, SQRT, EXP, LN, LOG10, LOG2, LOG, trigonometry, RAND, RAND_INTEGER, PI, E.
 *
 * ROUND rounds HALF_UP (away from zero on .5) like Java's BigDecimal, for DOUBLE too; the
 * transcendental functions return DOUBLE and follow java.lang.Math (LN(0) is -Infinity, SQRT(-1)
 * is NaN). RAND(seed) repeats the same sequence for the same seed within one compiled expression.
 */
import { ShiftleftError } from '../../common/errors.ts';
import { isInteger, T, type SqlType } from '../../types/sql-type.ts';
import type { ScalarExpr } from '../../sql/plan/scalar-expr.ts';
import type { CodeGen } from '../expr/codegen.ts';
import { roundHalfUp, truncateTo } from '../expr/numeric.ts';
import { ceilTo, floorTo, isTimestampUnit } from '../expr/temporal.ts';
import { adjustedDecimal } from '../expr/type-rules.ts';
import { checkArgs, literalValue, strict, type StrictFunction } from './scalar-definition.ts';

const sameAsFirst = (args: ScalarExpr[]): SqlType => args[0]!.type;

function unary(name: string, returns: SqlType | ((args: ScalarExpr[]) => SqlType), code: (v: string, type: SqlType) => string): StrictFunction {
  return strict(name, `${name}(NUMERIC)`, { params: ['NUMERIC'], returns, generate: (_g, [v], c) => code(v!, c.type) });
}

const double = T.double(false);
const mathOf = (fn: string) => (v: string): string => `Math.${fn}(${v})`;

/** FLOOR/CEIL of a number, or of a datetime to a unit (`FLOOR(ts TO HOUR)` arrives as FLOOR(ts, 'HOUR')). */
function floorCeil(name: 'FLOOR' | 'CEIL'): StrictFunction {
  const signature = `${name}(NUMERIC) or ${name}(datetime TO unit)`;
  return {
    name,
    signature,
    nulls: 'strict',
    infer(rawArgs) {
      if (rawArgs.length === 2) {
        const args = checkArgs(name, signature, rawArgs, ['DATETIME', 'STRING']);
        const unit = literalValue(args[1]);
        if (typeof unit !== 'string' || !isTimestampUnit(unit.toUpperCase())) {
          throw new ShiftleftError('SQL_TYPE_MISMATCH', `${name}(... TO unit) needs a time unit, got ${String(unit)}`, { hint: 'units: YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND' });
        }
        return { args, type: args[0]!.type };
      }
      const args = checkArgs(name, signature, rawArgs, ['NUMERIC']);
      const t = args[0]!.type;
      return { args, type: t.kind === 'DECIMAL' ? adjustedDecimal(t.precision - t.scale + (t.scale > 0 ? 1 : 0), 0, t.nullable) : t };
    },
    generate(g, [v], c) {
      const type = c.args[0]!.type;
      if (c.args.length === 2) {
        const unit = (literalValue(c.args[1]) as string).toUpperCase();
        const fn = name === 'FLOOR' ? floorTo : ceilTo;
        if (type.kind === 'DATE') return `Math.floor(${g.hoist(fn)}(${JSON.stringify(unit)}, ${v} * 86400000) / 86400000)`;
        return `${g.hoist(fn)}(${JSON.stringify(unit)}, ${v})`;
      }
      if (isInteger(type)) return v!;
      const code = `Math.${name === 'FLOOR' ? 'floor' : 'ceil'}(${v})`;
      return type.kind === 'FLOAT' ? `Math.fround(${code})` : code;
    },
  };
}

/** Result type of ROUND/TRUNCATE(x, d) for DECIMAL x: the scale becomes d when d is smaller. */
function roundedType(args: ScalarExpr[]): SqlType {
  const t = args[0]!.type;
  if (t.kind !== 'DECIMAL') return t;
  const digits = args.length > 1 ? literalValue(args[1]) : 0;
  if (typeof digits !== 'number') return t;
  if (digits >= t.scale) return t;
  const scale = Math.max(digits, 0);
  return adjustedDecimal(t.precision - t.scale + scale + 1, scale, t.nullable);
}

function roundLike(name: 'ROUND' | 'TRUNCATE', fn: (x: number, d: number) => number): StrictFunction {
  return strict(name, `${name}(NUMERIC[, INT])`, {
    params: ['NUMERIC', 'INTEGER'],
    required: 1,
    returns: roundedType,
    generate(g, [x, d], c) {
      const type = c.args[0]!.type;
      if (isInteger(type) && d === undefined) return x!;
      const code = `${g.hoist(fn)}(${x}, ${d ?? 0})`;
      if (type.kind === 'FLOAT') return `Math.fround(${code})`;
      if (type.kind === 'INT') return `(${code} | 0)`;
      return code;
    },
  });
}

/** A small seeded generator (mulberry32), so RAND(seed) is repeatable. */
function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One generator per (call site, seed): RAND(42) restarts its sequence only when recompiled. */
function randomSource(g: CodeGen, seed: string | undefined): string {
  if (seed === undefined) return 'Math.random()';
  const generators = new Map<number, () => number>();
  const next = (s: number): number => {
    let gen = generators.get(s);
    if (gen === undefined) generators.set(s, (gen = seededRandom(s)));
    return gen();
  };
  return `${g.hoist(next)}(${seed})`;
}

const rand: StrictFunction = strict('RAND', 'RAND([seed INT])', {
  params: ['INTEGER'],
  required: 0,
  returns: double,
  deterministic: false,
  generate: (g, [seed]) => randomSource(g, seed),
});

const randInteger: StrictFunction = strict('RAND_INTEGER', 'RAND_INTEGER([seed INT,] bound INT)', {
    params: ['INTEGER', 'INTEGER'],
    required: 1,
    returns: T.int(false),
    deterministic: false,
    generate: (g, values) => {
      const [seed, bound] = values.length === 2 ? values : [undefined, values[0]];
      return `Math.floor(${randomSource(g, seed)} * ${bound})`;
    },
  });

function log(x: number, y?: number): number {
  // LOG(x) is the natural logarithm; LOG(base, x) the logarithm of x in base.
  return y === undefined ? Math.log(x) : Math.log(y) / Math.log(x);
}

const constant = (name: string, value: number): StrictFunction =>
  strict(name, `${name}()`, { params: [], returns: double, generate: (g) => g.constant(value) });

export const MATH_FUNCTIONS: StrictFunction[] = [
  unary('ABS', sameAsFirst, (v, t) => (t.kind === 'INT' ? `(Math.abs(${v}) | 0)` : `Math.abs(${v})`)),
  floorCeil('FLOOR'),
  floorCeil('CEIL'),
  roundLike('ROUND', roundHalfUp),
  roundLike('TRUNCATE', truncateTo),
  unary('SIGN', sameAsFirst, (v) => `(${v} > 0 ? 1 : ${v} < 0 ? -1 : 0)`),
  strict('POWER', 'POWER(NUMERIC, NUMERIC)', { params: ['NUMERIC', 'NUMERIC'], returns: double, generate: (_g, [a, b]) => `Math.pow(${a}, ${b})` }),
  unary('SQRT', double, mathOf('sqrt')),
  unary('CBRT', double, mathOf('cbrt')),
  unary('EXP', double, mathOf('exp')),
  unary('LN', double, mathOf('log')),
  unary('LOG10', double, mathOf('log10')),
  unary('LOG2', double, mathOf('log2')),
  strict('LOG', 'LOG(NUMERIC) or LOG(base NUMERIC, NUMERIC)', { params: ['NUMERIC', 'NUMERIC'], required: 1, returns: double, generate: (g, v) => `${g.hoist(log)}(${v.join(', ')})` }),
  unary('SIN', double, mathOf('sin')),
  unary('COS', double, mathOf('cos')),
  unary('TAN', double, mathOf('tan')),
  unary('COT', double, (v) => `(1 / Math.tan(${v}))`),
  unary('ASIN', double, mathOf('asin')),
  unary('ACOS', double, mathOf('acos')),
  unary('ATAN', double, mathOf('atan')),
  unary('SINH', double, mathOf('sinh')),
  unary('COSH', double, mathOf('cosh')),
  unary('TANH', double, mathOf('tanh')),
  strict('ATAN2', 'ATAN2(NUMERIC, NUMERIC)', { params: ['NUMERIC', 'NUMERIC'], returns: double, generate: (_g, [a, b]) => `Math.atan2(${a}, ${b})` }),
  unary('DEGREES', double, (v) => `(${v} * 180 / Math.PI)`),
  unary('RADIANS', double, (v) => `(${v} * Math.PI / 180)`),
  rand,
  randInteger,
  constant('PI', Math.PI),
  constant('E', Math.E),
];
