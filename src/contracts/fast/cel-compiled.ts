/**
 * A direct evaluator for the small part of CEL that data-contract conditions mostly use, so the
 * common case skips the CEL interpreter (its activation, attribute resolution and dispatch cost
 * more than the rule itself). It never decides anything the interpreter would decide otherwise:
 * it returns a value only when every operand has the types for which it mirrors @bufbuild/cel's
 * own code (cited per operator), and BAIL in every other case (a missing field, a null, an
 * unexpected type, an evaluation error, ...), after which the caller evaluates the interpreter's
 * program. Expressions outside the subset do not compile at all.
 *
 * Subset: `message.<field>` of the record; string, bool, int and double literals; `&&`, `||`, `!`;
 * `==`, `!=`, `<`, `<=`, `>`, `>=`; `matches`, `startsWith`, `endsWith`, `contains` and `size` on
 * strings.
 */
import { parse } from '@bufbuild/cel';

export const BAIL = Symbol('evaluate with the CEL interpreter');
type Value = string | number | bigint | boolean;
type Compiled = (message: unknown) => Value | typeof BAIL;

/** The functions a string method needs, from cel-condition.ts (its `matches` is the interpreter's). */
export interface StringFunctions {
  matches(text: string, pattern: string): boolean;
}

class OutsideSubset extends Error {}

interface Expr {
  exprKind: { case: string | undefined; value?: unknown };
}
interface Call {
  function: string;
  target?: Expr;
  args: Expr[];
}

/** Compiles an expression, or returns undefined when it is outside the subset. */
export function compileSubset(expr: string, functions: StringFunctions): Compiled | undefined {
  try {
    const parsed = parse(expr) as unknown as { expr?: Expr };
    if (!parsed.expr) return undefined;
    return compileExpr(parsed.expr, functions);
  } catch {
    // Outside the subset, or a parse error the interpreter will report its own way.
    return undefined;
  }
}

function compileExpr(expr: Expr, functions: StringFunctions): Compiled {
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'constExpr': {
      const constant = (kind.value as { constantKind: { case: string; value: unknown } }).constantKind;
      switch (constant.case) {
        case 'stringValue':
        case 'boolValue':
        case 'int64Value':
        case 'doubleValue': {
          const value = constant.value as Value;
          return () => value;
        }
        default:
          throw new OutsideSubset(`constant ${constant.case}`);
      }
    }
    case 'selectExpr': {
      const select = kind.value as { operand: Expr; field: string; testOnly: boolean };
      const operand = select.operand.exprKind;
      if (select.testOnly || operand.case !== 'identExpr' || (operand.value as { name: string }).name !== 'message') throw new OutsideSubset('selection');
      const field = select.field;
      return (message) => {
        if (typeof message !== 'object' || message === null || Array.isArray(message) || ArrayBuffer.isView(message) || message instanceof Map || message instanceof Date) return BAIL;
        if (!Object.prototype.propertyIsEnumerable.call(message, field)) return BAIL;
        const value = (message as Record<string, unknown>)[field];
        // toCel: JS numbers are doubles, bigints ints; strings and booleans as they are.
        return typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' ? value : BAIL;
      };
    }
    case 'callExpr':
      return compileCall(kind.value as Call, functions);
    default:
      throw new OutsideSubset(String(kind.case));
  }
}

function compileCall(call: Call, functions: StringFunctions): Compiled {
  const operands = (call.target ? [call.target, ...call.args] : call.args).map((e) => compileExpr(e, functions));
  const [a, b] = operands;
  const binary = (op: (x: Value, y: Value) => Value | typeof BAIL): Compiled => {
    if (operands.length !== 2) throw new OutsideSubset(call.function);
    return (m) => {
      const x = a!(m);
      if (x === BAIL) return BAIL;
      const y = b!(m);
      if (y === BAIL) return BAIL;
      return op(x, y);
    };
  };
  const strings = (op: (x: string, y: string) => Value): Compiled => binary((x, y) => (typeof x === 'string' && typeof y === 'string' ? op(x, y) : BAIL));
  switch (call.function) {
    // std/logic.js `and` / `or`: booleans short-circuit; anything else is the interpreter's.
    case '_&&_':
      return (m) => {
        let result: Value | typeof BAIL = true;
        for (const operand of operands) {
          const v = operand(m);
          if (v === false) return false;
          if (v !== true) result = BAIL;
        }
        return result;
      };
    case '_||_':
      return (m) => {
        let result: Value | typeof BAIL = false;
        for (const operand of operands) {
          const v = operand(m);
          if (v === true) return true;
          if (v !== false) result = BAIL;
        }
        return result;
      };
    case '!_':
      if (operands.length !== 1) throw new OutsideSubset(call.function);
      return (m) => {
        const v = a!(m);
        return typeof v === 'boolean' ? !v : BAIL;
      };
    // equals.js: numbers and bigints compare across types with ==; other scalars must be identical.
    case '_==_':
      return binary((x, y) => equals(x, y));
    case '_!=_':
      return binary((x, y) => !equals(x, y));
    // std/logic.js relational overloads: same-type operands, or int/double with Number(int).
    case '_<_':
      return binary((x, y) => compare(x, y, (l, r) => l < r));
    case '_<=_':
      return binary((x, y) => compare(x, y, (l, r) => l <= r));
    case '_>_':
      return binary((x, y) => compare(x, y, (l, r) => l > r));
    case '_>=_':
      return binary((x, y) => compare(x, y, (l, r) => l >= r));
    case 'matches':
      return binary((x, y) => {
        if (typeof x !== 'string' || typeof y !== 'string') return BAIL;
        try {
          return functions.matches(x, y);
        } catch {
          return BAIL;
        }
      });
    case 'startsWith':
      return strings((x, y) => x.startsWith(y));
    case 'endsWith':
      return strings((x, y) => x.endsWith(y));
    case 'contains':
      return strings((x, y) => x.includes(y));
    case 'size':
      if (operands.length !== 1) throw new OutsideSubset(call.function);
      return (m) => {
        const v = a!(m);
        if (typeof v !== 'string') return BAIL;
        // std/logic.js: the number of code points.
        let size = 0;
        for (const _ of v) size++;
        return BigInt(size);
      };
    default:
      throw new OutsideSubset(call.function);
  }
}

function isNumeric(v: Value): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

function equals(x: Value, y: Value): boolean {
  if (x === y) return true;
  if (isNumeric(x) && isNumeric(y)) return x == y;
  return false;
}

type Ordered = number | bigint | string | boolean;

function compare(x: Value, y: Value, op: (l: Ordered, r: Ordered) => boolean): Value | typeof BAIL {
  if (typeof x === 'bigint' && typeof y === 'number') return op(Number(x), y);
  if (typeof x === 'number' && typeof y === 'bigint') return op(x, Number(y));
  if (typeof x === typeof y) return op(x, y);
  return BAIL;
}
