/**
 * An aggregate call in a plan: `SUM(DISTINCT $2) FILTER (WHERE $5)` reading input columns.
 * The binder resolves the function and its result type (engine/functions/aggregate-functions);
 * aggregation operators create one accumulator per call and group.
 */
import type { SqlType } from '../../types/sql-type.ts';

export interface AggregateCall {
  /** Upper-case function name: COUNT, SUM, AVG, MIN, MAX, LISTAGG, FIRST_VALUE, LAST_VALUE, ... */
  fn: string;
  /** Input column positions of the arguments; COUNT(*) has none. */
  args: number[];
  distinct: boolean;
  /** Input column of a BOOLEAN filter (FILTER (WHERE ...)), or undefined. */
  filterArg: number | undefined;
  /** Result type. */
  type: SqlType;
  /** Output column name. */
  name: string;
  /** Constant arguments after the columns, e.g. LISTAGG's separator. */
  constants?: unknown[];
}
