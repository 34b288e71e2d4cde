/**
 * Conditional expressions: CASE, COALESCE, NULLIF, IF, IFNULL, GREATEST, LEAST.
 *
 * Branch values are brought to their common type (type-rules.ts); only the chosen branch is
 * evaluated. COALESCE/IFNULL are NOT NULL when any argument is; GREATEST/LEAST return NULL
 * when any argument is NULL (Flink's documented behaviour).
 */
import { ShiftleftError } from '../../common/errors.ts';
import { T, withNullability, type SqlType } from '../../types/sql-type.ts';
import { literal, type ScalarExpr } from '../../sql/plan/scalar-expr.ts';
import type { Code, CodeGen } from '../expr/codegen.ts';
import { commonType } from '../expr/type-rules.ts';
import { coerce } from './scalar-cast.ts';
import { comparable, valuesEqual } from './scalar-comparison.ts';
import { checkArity, describeArgs, type CustomFunction, type StrictFunction } from './scalar-definition.ts';

/** The common type of branch values, or SQL_TYPE_MISMATCH naming the construct. */
function branchType(name: string, values: ScalarExpr[]): SqlType {
  const type = commonType(values.map((v) => v.type));
  if (type === undefined) {
    throw new ShiftleftError('SQL_TYPE_MISMATCH', `${name} branches have no common type: ${describeArgs(values)}`, {
      hint: 'CAST the branches to one type',
    });
  }
  return type;
}

/** Brings every value to `type`; untyped NULLs become typed NULL literals. */
function unify(values: ScalarExpr[], type: SqlType): ScalarExpr[] {
  return values.map((v) => (v.type.kind === 'NULL' ? literal(null, withNullability(type, true)) : coerce(v, type)));
}

function condition(name: string, arg: ScalarExpr): ScalarExpr {
  if (arg.type.kind === 'NULL') return literal(null, T.boolean());
  if (arg.type.kind !== 'BOOLEAN') throw new ShiftleftError('SQL_TYPE_MISMATCH', `${name} condition must be BOOLEAN, got ${describeArgs([arg])}`);
  return arg;
}

const whenTrue = (c: Code): string => (c.nullable ? `(${c.code}) === true` : c.code);

/** CASE args: when1, then1, ..., else (a NULL literal when the query has no ELSE). */
const caseFunction: CustomFunction = {
  name: 'CASE',
  signature: 'CASE WHEN condition THEN value ... ELSE value END',
  nulls: 'custom',
  infer(args) {
    if (args.length < 3 || args.length % 2 === 0) {
      throw new ShiftleftError('SQL_TYPE_MISMATCH', `CASE needs pairs of WHEN/THEN and an ELSE value, got ${args.length} arguments`);
    }
    const values = args.filter((_, i) => i % 2 === 1 || i === args.length - 1);
    const type = branchType('CASE', values);
    const unified = unify(values, type);
    const out: ScalarExpr[] = [];
    for (let i = 0; i + 1 < args.length; i += 2) out.push(condition('CASE WHEN', args[i]!), unified[i / 2]!);
    out.push(unified[unified.length - 1]!);
    return { args: out, type: withNullability(type, out.some((a, i) => (i % 2 === 1 || i === out.length - 1) && a.type.nullable)) };
  },
  generate(_g, args) {
    let code = '';
    for (let i = 0; i + 1 < args.length; i += 2) code += `${whenTrue(args[i]!)} ? ${args[i + 1]!.code} : `;
    return `(${code}${args[args.length - 1]!.code})`;
  },
};

function firstNonNull(name: string, min: number, max: number): CustomFunction {
  return {
    name,
    signature: `${name}(value, ...)`,
    nulls: 'custom',
    infer(args) {
      checkArity(name, args, min, max, `${name}(value1, value2${max > 2 ? ', ...' : ''})`);
      const type = branchType(name, args);
      const unified = unify(args, type);
      return { args: unified, type: withNullability(type, unified.every((a) => a.type.nullable)) };
    },
    generate(g: CodeGen, args: Code[]) {
      let code = '';
      for (const arg of args) {
        if (!arg.nullable) return `(${code}${arg.code})`;
        const t = g.temp();
        code += `(${t} = ${arg.code}) != null ? ${t} : `;
      }
      return `(${code}null)`;
    },
  };
}

const nullIf: CustomFunction = {
  name: 'NULLIF',
  signature: 'NULLIF(value1, value2)',
  nulls: 'custom',
  infer(args) {
    checkArity('NULLIF', args, 2, 2, 'NULLIF(value1, value2)');
    const [a, b] = comparable('NULLIF', args, false) as [ScalarExpr, ScalarExpr];
    return { args: [a, b], type: withNullability(a.type, true) };
  },
  generate(g, [a, b]) {
    const ta = g.temp();
    const tb = g.temp();
    return `((${ta} = ${a!.code}) == null ? null : (${tb} = ${b!.code}) != null && ${g.hoist(valuesEqual)}(${ta}, ${tb}) ? null : ${ta})`;
  },
};

const ifFunction: CustomFunction = {
  name: 'IF',
  signature: 'IF(condition, value_if_true, value_if_false)',
  nulls: 'custom',
  infer(args) {
    checkArity('IF', args, 3, 3, 'IF(condition, value_if_true, value_if_false)');
    const type = branchType('IF', args.slice(1));
    const [yes, no] = unify(args.slice(1), type) as [ScalarExpr, ScalarExpr];
    return { args: [condition('IF', args[0]!), yes, no], type: withNullability(type, yes.type.nullable || no.type.nullable) };
  },
  generate: (_g, [c, yes, no]) => `(${whenTrue(c!)} ? ${yes!.code} : ${no!.code})`,
};

function extreme(name: 'GREATEST' | 'LEAST'): StrictFunction {
  const better = name === 'GREATEST' ? '>' : '<';
  return {
    name,
    signature: `${name}(value, ...)`,
    nulls: 'strict',
    infer(args) {
      checkArity(name, args, 1, Infinity, `${name}(value1, value2, ...)`);
      const type = branchType(name, args);
      const unified = unify(comparable(name, args, true), type);
      return { args: unified, type: withNullability(type, unified.some((a) => a.type.nullable)) };
    },
    generate(g, values) {
      let [code] = values as [string];
      for (const v of values.slice(1)) {
        const [setup, best] = g.once(code);
        code = `(${setup}${v} ${better} ${best} ? ${v} : ${best})`;
      }
      return code;
    },
  };
}

export const CONDITIONAL_FUNCTIONS: (StrictFunction | CustomFunction)[] = [
  caseFunction,
  firstNonNull('COALESCE', 1, Infinity),
  firstNonNull('IFNULL', 2, 2),
  nullIf,
  ifFunction,
  extreme('GREATEST'),
  extreme('LEAST'),
];
