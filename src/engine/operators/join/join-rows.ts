/**
 * What every join operator shares: the join types, how output rows are laid out
 * (`[...left, ...right]`, the missing side padded with nulls) and how equi-join keys are built.
 */
import { fail } from '../../../common/errors.ts';
import { rowKey } from '../../state/keyed-state.ts';
import type { Row } from '../../../types/row.ts';

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL';

export const JOIN_TYPES: readonly JoinType[] = ['INNER', 'LEFT', 'RIGHT', 'FULL'];

/** Input 0 (left) keeps its unmatched rows, padded on the right. */
export function leftIsOuter(type: JoinType): boolean {
  return type === 'LEFT' || type === 'FULL';
}

/** Input 1 (right) keeps its unmatched rows, padded on the left. */
export function rightIsOuter(type: JoinType): boolean {
  return type === 'RIGHT' || type === 'FULL';
}

/**
 * Extracts the equi-join key of a row as a string (equal SQL values give equal strings), or null
 * when the row can match nothing: SQL `=` is never true when either side is NULL.
 */
export type JoinKeyFn = (row: Row) => string | null;

/**
 * Builds the usual key extractor from key column positions. `nullSafe[i]` marks a key compared
 * with `IS NOT DISTINCT FROM`, where NULL matches NULL; every other NULL makes the row unmatchable.
 */
export function equiJoinKey(indexes: readonly number[], nullSafe?: readonly boolean[]): JoinKeyFn {
  if (indexes.length === 0) return () => '';
  const nullable = indexes.filter((_, i) => !nullSafe?.[i]);
  if (indexes.length === 1) {
    const index = indexes[0]!;
    if (nullable.length === 0) return (row) => rowKey(row, indexes);
    return (row) => (row[index] === null || row[index] === undefined ? null : rowKey(row, indexes));
  }
  return (row) => {
    for (let i = 0; i < nullable.length; i++) {
      const value = row[nullable[i]!];
      if (value === null || value === undefined) return null;
    }
    return rowKey(row, indexes);
  };
}

/** `[...left, ...right]` without the iterator protocol that spreading costs. */
export function joinRows(left: Row, right: Row): Row {
  const leftLength = left.length;
  const rightLength = right.length;
  const out = new Array<unknown>(leftLength + rightLength);
  for (let i = 0; i < leftLength; i++) out[i] = left[i];
  for (let i = 0; i < rightLength; i++) out[leftLength + i] = right[i];
  return out;
}

export function nullRow(arity: number): Row {
  return new Array<unknown>(arity).fill(null);
}

/** Validates the options shared by all join operators; the planner's bugs surface here, early. */
export function checkJoinOptions(
  operator: string,
  options: { joinType: string; leftArity: number; rightArity: number },
  allowed: readonly string[] = JOIN_TYPES,
): void {
  if (!allowed.includes(options.joinType)) {
    fail('SQL_PLAN_ERROR', `${operator}: join type ${options.joinType} is not supported (expected ${allowed.join(', ')})`);
  }
  for (const side of ['leftArity', 'rightArity'] as const) {
    const arity = options[side];
    if (!Number.isInteger(arity) || arity < 0) fail('SQL_PLAN_ERROR', `${operator}: ${side} must be a non-negative integer, got ${arity}`);
  }
}

/** Reads an event-time column (epoch millis); NULL becomes -Infinity so that it is before everything. */
export function timeAt(row: Row, index: number): number {
  const value = row[index];
  return typeof value === 'number' ? value : -Infinity;
}
