/**
 * Boolean logic with SQL's three values: AND, OR, NOT and the IS tests.
 *
 * FALSE AND NULL is FALSE, TRUE AND NULL is NULL; TRUE OR NULL is TRUE, FALSE OR NULL is NULL;
 * NOT NULL is NULL. AND/OR evaluate left to right and stop at the deciding value. The IS tests
 * (IS NULL, IS TRUE, IS NOT FALSE, ...) never return NULL.
 */
import { T } from '../../types/sql-type.ts';
import type { ScalarExpr } from '../../sql/plan/scalar-expr.ts';
import type { Code, CodeGen } from '../expr/codegen.ts';
import { anyNullable } from '../expr/type-rules.ts';
import { checkArgs, checkArity, typeMismatch, type CustomFunction, type StrictFunction } from './scalar-definition.ts';

function booleanArgs(name: string, args: ScalarExpr[], min: number, max: number): ScalarExpr[] {
  checkArity(name, args, min, max, `${name} of BOOLEAN operands`);
  return checkArgs(name, `${name}(BOOLEAN, ...)`, args, [], 0, 'BOOLEAN');
}

/** AND (decisive = false) or OR (decisive = true) over any number of operands. */
function junction(name: 'AND' | 'OR'): CustomFunction {
  const decisive = name === 'OR';
  return {
    name,
    signature: `BOOLEAN ${name} BOOLEAN`,
    nulls: 'custom',
    infer(rawArgs) {
      const args = booleanArgs(name, rawArgs, 2, Infinity);
      return { args, type: T.boolean(anyNullable(args.map((a) => a.type))) };
    },
    generate(g: CodeGen, args: Code[]) {
      if (args.every((a) => !a.nullable)) return `(${args.map((a) => a.code).join(decisive ? ' || ' : ' && ')})`;
      // Stop at the first decisive value; otherwise NULL if any operand was NULL.
      const temps: string[] = [];
      let code = '';
      for (const arg of args) {
        const t = g.temp();
        temps.push(t);
        code += `(${t} = ${arg.code}) === ${decisive} ? ${decisive} : `;
      }
      const nullable = args.map((a, i) => (a.nullable ? `${temps[i]} == null` : '')).filter((c) => c !== '');
      return `(${code}(${nullable.join(' || ')}) ? null : ${!decisive})`;
    },
  };
}

const not: StrictFunction = {
  name: 'NOT',
  signature: 'NOT BOOLEAN',
  nulls: 'strict',
  infer(rawArgs) {
    const args = booleanArgs('NOT', rawArgs, 1, 1);
    return { args, type: T.boolean(args[0]!.type.nullable) };
  },
  generate: (_g, [a]) => `!${a}`,
};

function isTest(name: string, test: (value: string) => string, booleanOnly: boolean): CustomFunction {
  return {
    name,
    signature: `value ${name}`,
    nulls: 'custom',
    infer(args) {
      checkArity(name, args, 1, 1, `value ${name}`);
      if (booleanOnly && args[0]!.type.kind !== 'BOOLEAN' && args[0]!.type.kind !== 'NULL') throw typeMismatch(name, args, 'a BOOLEAN operand');
      return { args, type: T.boolean(false) };
    },
    generate: (_g, [a]) => (a!.nullable ? `(${test(a!.code)})` : name === 'IS NULL' ? 'false' : name === 'IS NOT NULL' ? 'true' : `(${test(a!.code)})`),
  };
}

export const LOGIC_FUNCTIONS: (StrictFunction | CustomFunction)[] = [
  junction('AND'),
  junction('OR'),
  not,
  isTest('IS NULL', (v) => `${v} == null`, false),
  isTest('IS NOT NULL', (v) => `${v} != null`, false),
  isTest('IS TRUE', (v) => `${v} === true`, true),
  isTest('IS NOT TRUE', (v) => `${v} !== true`, true),
  isTest('IS FALSE', (v) => `${v} === false`, true),
  isTest('IS NOT FALSE', (v) => `${v} !== false`, true),
];
