/**
 * Compiles bound scalar expressions to JavaScript functions, once per plan node.
 *
 * The tree is turned into JavaScript source (`row[3]`, inlined NULL checks, temporaries, hoisted
 * constants and helpers; see codegen.ts) and handed to `new Function`, so V8 optimizes each
 * expression like hand-written code and no tree is walked per row.
 *
 * Nullability comes from the types: a NOT NULL column is read without a NULL check, so inputs
 * must honour their declared types. Failures while evaluating (division by zero, a bad CAST...)
 * throw ShiftleftError('SQL_RUNTIME_ERROR') naming the function.
 */
import { formatScalar, type Call, type ScalarExpr } from '../../sql/plan/scalar-expr.ts';
import type { Row } from '../../types/row.ts';
import { lookupFunction } from '../functions/function-catalog.ts';
import { CodeGen, type Code } from './codegen.ts';
import { asRuntimeError } from './runtime-error.ts';

/** Code for one expression within a generation. */
export function generate(g: CodeGen, expr: ScalarExpr): Code {
  switch (expr.kind) {
    case 'InputRef':
      return { code: `row[${expr.index}]`, nullable: expr.type.nullable };
    case 'Literal':
      return { code: g.constant(expr.value), nullable: expr.value === null };
    case 'FieldAccess': {
      const target = generate(g, expr.target);
      if (!target.nullable) return { code: `${wrap(target.code)}[${expr.field}]`, nullable: expr.type.nullable };
      const t = g.temp();
      return { code: `((${t} = ${target.code}) == null ? null : ${t}[${expr.field}])`, nullable: true };
    }
    case 'Call':
      return { code: generateCall(g, expr), nullable: expr.type.nullable };
  }
}

const wrap = (code: string): string => (/^[\w$[\]]+$/.test(code) ? code : `(${code})`);

function generateCall(g: CodeGen, expr: Call): string {
  const fn = lookupFunction(expr.op);
  if (fn === undefined) throw new Error(`no code generator for function ${expr.op}`);
  const args = expr.args.map((a) => generate(g, a));
  if (fn.nulls === 'custom') return fn.generate(g, args, expr);
  return g.strict(args, (values) => fn.generate(g, values, expr));
}

/** The source a compiled function evaluates, guarded so that failures become SQL_RUNTIME_ERROR. */
function guardedBody(g: CodeGen, result: string, description: string): string {
  return `try {\n  return ${result};\n} catch (e) {\n  throw ${g.hoist(asRuntimeError)}(e, ${JSON.stringify(description)});\n}`;
}

/** `(row) => value` of one expression. */
export function compileScalar(expr: ScalarExpr): (row: Row) => unknown {
  const g = new CodeGen();
  const { code } = generate(g, expr);
  return g.build(guardedBody(g, code, formatScalar(expr)));
}

/** `(row) => boolean` of a condition; NULL counts as false (WHERE, ON, FILTER). */
export function compilePredicate(expr: ScalarExpr): (row: Row) => boolean {
  const g = new CodeGen();
  const { code, nullable } = generate(g, expr);
  return g.build(guardedBody(g, nullable ? `(${code}) === true` : code, formatScalar(expr)));
}

/** `(row) => row` computing several expressions into a new row (SELECT lists). */
export function compileProjection(exprs: ScalarExpr[]): (row: Row) => Row {
  const g = new CodeGen();
  const codes = exprs.map((e) => generate(g, e).code);
  return g.build(guardedBody(g, `[${codes.join(', ')}]`, exprs.map((e) => formatScalar(e)).join(', ')));
}

/** The generated source of an expression, for debugging and EXPLAIN-like tooling. */
export function generatedSource(expr: ScalarExpr): string {
  const g = new CodeGen();
  return generate(g, expr).code;
}
