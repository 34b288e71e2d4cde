/**
 * Throughput of compiled projections over 1M rows (not part of the test suite):
 *   node --import tsx test/engine/expr/projection-bench.ts
 * Prints rows/s for a Nexmark-like projection `$0, $1 * 0.908, UPPER($2), $3 > 100` and for a
 * purely arithmetic one.
 */
import { compileProjection } from '../../../src/engine/expr/compile.ts';
import { resolveCall } from '../../../src/engine/functions/function-catalog.ts';
import { inputRef, literal, type ScalarExpr } from '../../../src/sql/plan/scalar-expr.ts';
import { T } from '../../../src/types/sql-type.ts';
import type { Row } from '../../../src/types/row.ts';

const ROWS = 1_000_000;
const rows: Row[] = Array.from({ length: ROWS }, (_, i) => [i, (i * 7919) % 100_000, `name-${i % 1000}`, i % 200, Date.UTC(2024, 0, 1) + i * 1000]);

function measure(label: string, exprs: ScalarExpr[]): void {
  const project = compileProjection(exprs);
  let sink = 0;
  for (let i = 0; i < 200_000; i++) sink += (project(rows[i]!) as unknown[]).length; // warm up
  const start = process.hrtime.bigint();
  for (let round = 0; round < 3; round++) for (let i = 0; i < ROWS; i++) sink += (project(rows[i]!) as unknown[]).length;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(JSON.stringify({ projection: label, rowsPerSecond: Math.round((3 * ROWS) / seconds), check: sink > 0 }));
}

const id = inputRef(0, T.bigint(false));
const price = inputRef(1, T.bigint(false));
const name = inputRef(2, T.string(true));
const qty = inputRef(3, T.int(true));
const ts = inputRef(4, T.timestamp(3, false));

measure('$0, $1 * 0.908, UPPER($2), $3 > 100', [
  id,
  resolveCall('*', [price, literal(0.908, T.decimal(4, 3, false))]),
  resolveCall('UPPER', [name]),
  resolveCall('>', [qty, literal(100, T.int(false))]),
]);
measure('$0, $1 * 2 + $3, $1 - 1', [id, resolveCall('+', [resolveCall('*', [price, literal(2, T.int(false))]), qty]), resolveCall('-', [price, literal(1, T.int(false))])]);
measure("DATE_FORMAT($4, 'yyyy-MM-dd'), HOUR($4), SPLIT_INDEX($2, '-', 1)", [
  resolveCall('DATE_FORMAT', [ts, literal('yyyy-MM-dd', T.char(10, false))]),
  resolveCall('HOUR', [ts]),
  resolveCall('SPLIT_INDEX', [name, literal('-', T.char(1, false)), literal(1, T.int(false))]),
]);
