/**
 * Name resolution: which input field a column reference means.
 *
 * A scope is the list of fields visible to an expression (the FROM clause's output), each
 * with the qualifier it can be referenced by (a table name or alias). Identifiers are
 * case-sensitive, as in Flink.
 */
import { ShiftleftError } from '../../common/errors.ts';
import type { Identifier, Span } from '../ast.ts';
import type { Field } from '../plan/logical-plan.ts';

export interface Resolved {
  index: number;
  /** Remaining parts after the column: nested ROW field names. */
  path: string[];
}

export function located(span: Span | undefined, message: string): string {
  return span ? `line ${span.line}, column ${span.column}: ${message}` : message;
}

export function sqlError(code: 'SQL_VALIDATION_ERROR' | 'SQL_UNKNOWN_COLUMN' | 'SQL_UNKNOWN_TABLE' | 'SQL_UNSUPPORTED' | 'SQL_TYPE_MISMATCH' | 'SQL_UNKNOWN_FUNCTION' | 'SQL_PLAN_ERROR', span: Span | undefined, message: string, hint?: string): ShiftleftError {
  return new ShiftleftError(code, located(span, message), {
    hint,
    details: span ? { line: span.line, column: span.column } : {},
  });
}

function closest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const temp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = temp;
    }
  }
  return row[b.length]!;
}

export class Scope {
  constructor(readonly fields: Field[]) {}

  /** Resolves `a`, `t.a`, `a.nested`, `t.a.nested`; errors name the column and suggest a fix. */
  resolve(parts: Identifier[], span: Span): Resolved {
    const names = parts.map((p) => p.value);
    // Qualified: the first part names a table in scope.
    if (names.length >= 2) {
      const qualified = this.fields.flatMap((f, i) => (f.qualifier === names[0] && f.name === names[1] ? [i] : []));
      if (qualified.length === 1) return { index: qualified[0]!, path: names.slice(2) };
      if (qualified.length > 1) throw sqlError('SQL_VALIDATION_ERROR', span, `column '${names[0]}.${names[1]}' is ambiguous`);
    }
    const matches = this.fields.flatMap((f, i) => (f.name === names[0] ? [i] : []));
    if (matches.length === 1) return { index: matches[0]!, path: names.slice(1) };
    if (matches.length > 1) {
      const qualifiers = matches.map((i) => this.fields[i]!.qualifier).filter(Boolean);
      throw sqlError('SQL_VALIDATION_ERROR', span, `column '${names[0]}' is ambiguous: it exists in ${qualifiers.join(' and ')}`, `qualify it, e.g. ${qualifiers[0]}.${names[0]}`);
    }
    const qualifierKnown = names.length >= 2 && this.fields.some((f) => f.qualifier === names[0]);
    const missing = qualifierKnown ? names[1]! : names[0]!;
    const candidates = this.fields.filter((f) => !qualifierKnown || f.qualifier === names[0]).map((f) => f.name);
    const suggestion = closest(missing, candidates);
    throw sqlError(
      'SQL_UNKNOWN_COLUMN',
      span,
      `unknown column '${names.join('.')}'`,
      suggestion ? `did you mean '${suggestion}'?` : `available columns: ${[...new Set(candidates)].slice(0, 20).join(', ')}`,
    );
  }
}
