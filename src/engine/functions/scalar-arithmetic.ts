/**
 * Arithmetic operators: + - * / % and unary minus on numbers, and datetime ± INTERVAL.
 *
 * Results follow Flink's types and Java's behaviour:
 * - TINYINT/SMALLINT/INT results wrap on overflow like Java (`| 0`, Math.imul); BIGINT is a
 *   JavaScript number, exact up to 2^53 (beyond that it loses precision instead of wrapping);
 * - INT / INT is INT, truncated toward zero; integer and DECIMAL division or modulo by zero fail
 *   the statement (SQL_RUNTIME_ERROR "division by zero"), as Java's ArithmeticException does;
 *   FLOAT/DOUBLE give Infinity or NaN;
 * - DECIMAL results are rounded HALF_UP to the result type's scale (type-rules.ts);
 * - TIMESTAMP ± INTERVAL DAY TO SECOND adds milliseconds; ± INTERVAL YEAR TO MONTH adds calendar
 *   months, clamping the day (Jan 31 + 1 month = Feb 28/29); DATE ± day-time intervals adds whole
 *   days; TIMESTAMP - TIMESTAMP is not SQL in Flink (use TIMESTAMPDIFF).
 */
import { ShiftleftError } from '../../common/errors.ts';
import { isNumeric, withNullability, type SqlType } from '../../types/sql-type.ts';
import type { Call, ScalarExpr } from '../../sql/plan/scalar-expr.ts';
import type { CodeGen } from '../expr/codegen.ts';
import { roundDecimal } from '../expr/numeric.ts';
import { runtimeError } from '../expr/runtime-error.ts';
import { addMonths, addMonthsToDate, MS_PER_DAY } from '../expr/temporal.ts';
import { arithmeticType } from '../expr/type-rules.ts';
import { checkArity, typeMismatch, typeNullArg, type StrictFunction, type Typed } from './scalar-definition.ts';

export function divisionByZero(op: string): never {
  return runtimeError(op, 'division by zero', 'guard the divisor, e.g. NULLIF(divisor, 0)');
}

const isDateTime = (t: SqlType): boolean => t.kind === 'DATE' || t.kind === 'TIME' || t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';
const isInterval = (t: SqlType): boolean => t.kind === 'INTERVAL_DAY_TIME' || t.kind === 'INTERVAL_YEAR_MONTH';

/** Untyped NULL operands take the other operand's type (NULL + 1 is an INT NULL). */
function typeNulls(args: ScalarExpr[]): ScalarExpr[] {
  if (args.length !== 2) return args;
  const [a, b] = args as [ScalarExpr, ScalarExpr];
  if (a.type.kind === 'NULL' && b.type.kind !== 'NULL') return [{ kind: 'Literal', value: null, type: withNullability(b.type, true) }, b];
  if (b.type.kind === 'NULL' && a.type.kind !== 'NULL') return [a, { kind: 'Literal', value: null, type: withNullability(a.type, true) }];
  if (a.type.kind === 'NULL') return [typeNullArg(a, 'INTEGER'), typeNullArg(b, 'INTEGER')];
  return args;
}

function inferBinary(op: string, rawArgs: ScalarExpr[]): Typed {
  checkArity(op, rawArgs, 2, 2, `a ${op} b`);
  const args = typeNulls(rawArgs);
  const [a, b] = args.map((x) => x.type) as [SqlType, SqlType];
  const nullable = a.nullable || b.nullable;
  if (isNumeric(a) && isNumeric(b)) return { args, type: arithmeticType(op, a, b) };
  if (op === '+' || op === '-') {
    if (isDateTime(a) && isInterval(b)) return { args, type: withNullability(a, nullable) };
    if (op === '+' && isInterval(a) && isDateTime(b)) return { args, type: withNullability(b, nullable) };
    if (isInterval(a) && a.kind === b.kind) return { args, type: withNullability(a, nullable) };
    if (op === '-' && isDateTime(a) && isDateTime(b)) {
      throw new ShiftleftError('SQL_TYPE_MISMATCH', `cannot apply '-' to ${a.kind} and ${b.kind}`, {
        hint: 'subtracting timestamps is not supported in Flink SQL; use TIMESTAMPDIFF(unit, start, end)',
      });
    }
  }
  if (op === '*' && isInterval(a) && isNumeric(b)) return { args, type: withNullability(a, nullable) };
  if (op === '*' && isNumeric(a) && isInterval(b)) return { args, type: withNullability(b, nullable) };
  if (op === '/' && isInterval(a) && isNumeric(b)) return { args, type: withNullability(a, nullable) };
  throw typeMismatch(op, args, 'numeric operands (or a datetime and an INTERVAL)');
}

/** Code of `a op b` for numbers of the result type. */
function numericCode(g: CodeGen, op: string, a: string, b: string, call: Call): string {
  const type = call.type;
  const divisor = call.args[1]!;
  const divisorIsNonZeroLiteral = divisor.kind === 'Literal' && divisor.value !== 0;
  const guard = (code: string): string => (divisorIsNonZeroLiteral ? code : `(${b} === 0 ? ${g.hoist(divisionByZero)}(${JSON.stringify(op)}) : ${code})`);
  switch (type.kind) {
    case 'INT':
      switch (op) {
        case '*':
          return `Math.imul(${a}, ${b})`;
        case '/':
          return guard(`((${a} / ${b}) | 0)`);
        case '%':
          return guard(`(${a} % ${b})`);
        default:
          return `((${a} ${op} ${b}) | 0)`;
      }
    case 'TINYINT':
    case 'SMALLINT': {
      const shift = type.kind === 'TINYINT' ? 24 : 16;
      const raw = op === '/' ? guard(`Math.trunc(${a} / ${b})`) : op === '%' ? guard(`(${a} % ${b})`) : `(${a} ${op} ${b})`;
      return `((${raw} << ${shift}) >> ${shift})`;
    }
    case 'BIGINT':
      return op === '/' ? guard(`Math.trunc(${a} / ${b})`) : op === '%' ? guard(`(${a} % ${b})`) : `(${a} ${op} ${b})`;
    case 'FLOAT':
      return `Math.fround(${a} ${op} ${b})`;
    case 'DOUBLE':
      return `(${a} ${op} ${b})`;
    case 'DECIMAL': {
      const raw = `${g.hoist(roundDecimal)}(${a} ${op} ${b}, ${type.scale})`;
      return op === '/' || op === '%' ? guard(raw) : raw;
    }
    default:
      throw new Error(`no arithmetic for ${type.kind}`);
  }
}

function binaryOperator(op: '+' | '-' | '*' | '/' | '%'): StrictFunction {
  return {
    name: op,
    signature: `NUMERIC ${op} NUMERIC`,
    nulls: 'strict',
    infer: (args) => inferBinary(op, args),
    generate(g, [a, b], call) {
      const [ta, tb] = call.args.map((x) => x.type) as [SqlType, SqlType];
      if (isNumeric(ta) && isNumeric(tb)) return numericCode(g, op, a!, b!, call);
      return temporalCode(g, op, ta, tb, a!, b!, call.type);
    },
  };
}

/** Datetime and interval arithmetic. */
function temporalCode(g: CodeGen, op: string, ta: SqlType, tb: SqlType, a: string, b: string, result: SqlType): string {
  if (isInterval(ta) && isInterval(tb)) return `(${a} ${op} ${b})`;
  if (op === '*' || op === '/') {
    const [interval, factor] = isInterval(ta) ? [a, b] : [b, a];
    const raw = op === '*' ? `(${interval} * ${factor})` : `(${b} === 0 ? ${g.hoist(divisionByZero)}("/") : ${interval} / ${factor})`;
    return `Math.round(${raw})`;
  }
  // datetime ± interval (the datetime may be on either side of +)
  const [datetime, interval, intervalType] = isInterval(ta) ? [b, a, ta] : [a, b, tb];
  const signed = op === '-' ? `(-${interval})` : interval;
  if (intervalType.kind === 'INTERVAL_YEAR_MONTH') {
    return result.kind === 'DATE' ? `${g.hoist(addMonthsToDate)}(${datetime}, ${signed})` : result.kind === 'TIME' ? datetime : `${g.hoist(addMonths)}(${datetime}, ${signed})`;
  }
  switch (result.kind) {
    case 'DATE':
      return `(${datetime} + Math.trunc(${signed} / ${MS_PER_DAY}))`;
    case 'TIME':
      return `(((${datetime} + ${signed}) % ${MS_PER_DAY} + ${MS_PER_DAY}) % ${MS_PER_DAY})`;
    default:
      return `(${datetime} ${op} ${interval})`;
  }
}

const negate: StrictFunction = {
  name: 'NEG',
  signature: '-NUMERIC',
  nulls: 'strict',
  infer(rawArgs) {
    checkArity('NEG', rawArgs, 1, 1, '-value');
    const args = rawArgs.map((a) => typeNullArg(a, 'NUMERIC'));
    const t = args[0]!.type;
    if (!isNumeric(t) && !isInterval(t)) throw typeMismatch('-', args, 'a numeric or INTERVAL operand');
    return { args, type: t };
  },
  generate(_g, [a], call) {
    switch (call.type.kind) {
      case 'INT':
        return `((-${a}) | 0)`;
      case 'TINYINT':
        return `(((-${a}) << 24) >> 24)`;
      case 'SMALLINT':
        return `(((-${a}) << 16) >> 16)`;
      default:
        return `(-${a})`;
    }
  },
};

/** MOD(a, b): the same as a % b. */
const mod: StrictFunction = {
  ...binaryOperator('%'),
  name: 'MOD',
  signature: 'MOD(NUMERIC, NUMERIC)',
  infer(args) {
    const typed = inferBinary('%', args);
    if (!isNumeric(typed.args[0]!.type) || !isNumeric(typed.args[1]!.type)) throw typeMismatch('MOD', args, 'MOD(NUMERIC, NUMERIC)');
    return typed;
  },
};

export const ARITHMETIC_FUNCTIONS: StrictFunction[] = [
  binaryOperator('+'),
  binaryOperator('-'),
  binaryOperator('*'),
  binaryOperator('/'),
  binaryOperator('%'),
  negate,
  mod,
];
