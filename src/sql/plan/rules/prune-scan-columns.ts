/**
 * Optimizer rule: projection pushdown into scans.
 *
 * `SELECT a, b FROM t WHERE c > 0` only needs a, b and c: the scan reads (decodes, copies into
 * rows) just those, plus the rowtime column and what its watermark reads. Applies to a
 * projection directly over a scan, or over a filter over a scan — the shape every simple query
 * and every INSERT ... SELECT from one table binds to.
 */
import type { LogicalPlan } from '../logical-plan.ts';
import { inputRefs, remapInputs, type ScalarExpr } from '../scalar-expr.ts';

export function pruneScanColumns(plan: LogicalPlan): LogicalPlan {
  if (plan.kind !== 'Project') return plan;
  const filter = plan.input.kind === 'Filter' ? plan.input : undefined;
  const scan = filter ? filter.input : plan.input;
  if (scan.kind !== 'Scan') return plan;

  const used = new Set<number>();
  for (const e of plan.exprs) inputRefs(e, used);
  if (filter) inputRefs(filter.condition, used);
  if (scan.rowtimeField !== undefined) used.add(scan.rowtimeField);
  if (scan.watermark) inputRefs(scan.watermark, used);
  if (used.size >= scan.fields.length) return plan;

  const keep = [...used].sort((a, b) => a - b);
  const position = new Map(keep.map((old, i) => [old, i]));
  const remap = (e: ScalarExpr): ScalarExpr => remapInputs(e, (i) => position.get(i)!);
  const prunedScan: LogicalPlan = {
    ...scan,
    columns: keep.map((i) => scan.columns[i]!),
    fields: keep.map((i) => scan.fields[i]!),
    rowtimeField: scan.rowtimeField === undefined ? undefined : position.get(scan.rowtimeField),
    watermark: scan.watermark ? remap(scan.watermark) : undefined,
  };
  const input: LogicalPlan = filter ? { ...filter, input: prunedScan, condition: remap(filter.condition), fields: prunedScan.fields } : prunedScan;
  return { ...plan, input, exprs: plan.exprs.map(remap) };
}
