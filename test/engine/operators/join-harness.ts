/**
 * A small harness to drive operators directly in tests: a real OperatorContext that collects the
 * emitted batches, with a settable processing time and state TTL, plus helpers to write input
 * changelogs and read output changelogs as `+I[1, a, null]` strings.
 */
import { newMetrics, type Operator, type OperatorContext, type OperatorMetrics } from '../../../src/engine/operator.ts';
import { ROW_KIND_SHORT, RowKind, type ChangeBatch, type Row } from '../../../src/types/row.ts';

export class CollectingContext implements OperatorContext {
  readonly metrics: OperatorMetrics = newMetrics();
  readonly batches: ChangeBatch[] = [];
  /** Processing time returned by now(); tests move it. */
  time = 0;
  private drained = 0;

  constructor(readonly stateTtlMs = 0) {}

  emit(batch: ChangeBatch): void {
    this.batches.push(batch);
  }

  now(): number {
    return this.time;
  }

  /** Every row emitted so far, formatted. */
  all(): string[] {
    return this.batches.flatMap(formatBatch);
  }

  /** Rows emitted since the previous call, formatted. */
  drain(): string[] {
    const rows = this.batches.slice(this.drained).flatMap(formatBatch);
    this.drained = this.batches.length;
    return rows;
  }
}

const KIND_BY_SHORT: Record<string, RowKind> = { '+I': RowKind.Insert, '-U': RowKind.UpdateBefore, '+U': RowKind.UpdateAfter, '-D': RowKind.Delete };

/** A batch from `[kind, row]` pairs; kinds stay null when all are +I, like real sources. */
export function changes(...entries: [string, Row][]): ChangeBatch {
  const kinds = entries.map(([kind]) => {
    const k = KIND_BY_SHORT[kind];
    if (k === undefined) throw new Error(`unknown row kind ${kind}`);
    return k;
  });
  return { rows: entries.map(([, row]) => row), kinds: kinds.every((k) => k === RowKind.Insert) ? null : kinds };
}

export function inserts(...rows: Row[]): ChangeBatch {
  return { rows, kinds: null };
}

export function formatBatch(batch: ChangeBatch): string[] {
  return batch.rows.map((row, i) => formatRow(row, batch.kinds === null ? RowKind.Insert : batch.kinds[i]!));
}

export function formatRow(row: Row, kind: RowKind = RowKind.Insert): string {
  return `${ROW_KIND_SHORT[kind]}[${row.map((v) => (v === null ? 'null' : String(v))).join(', ')}]`;
}

/** Opens an operator on a fresh context. */
export function start<T extends Operator>(operator: T, ttlMs = 0): { op: T; ctx: CollectingContext } {
  const ctx = new CollectingContext(ttlMs);
  operator.open(ctx);
  return { op: operator, ctx };
}

/** A step of a scripted run: a batch on an input, or a watermark on an input. */
export type Step =
  | { input: number; batch: ChangeBatch; now?: number }
  | { input: number; watermark: number };

export function run(op: Operator, ctx: CollectingContext, steps: Step[]): void {
  for (const step of steps) {
    if ('batch' in step) {
      if (step.now !== undefined) ctx.time = step.now;
      op.processBatch(step.input, step.batch);
    } else {
      op.onWatermark(step.input, step.watermark);
    }
  }
}

/**
 * Checks snapshot/restore: runs all steps on one operator; then runs the first `cut` steps on
 * a second one, snapshots it through JSON (as a checkpoint would store it), restores into a
 * fresh third operator and runs the rest. Returns both outputs, which must be identical.
 */
export function snapshotEquivalence(make: () => Operator, steps: Step[], cut: number, ttlMs = 0): { whole: string[]; resumed: string[] } {
  const whole = start(make(), ttlMs);
  run(whole.op, whole.ctx, steps);

  const before = start(make(), ttlMs);
  run(before.op, before.ctx, steps.slice(0, cut));
  // The second operator is abandoned, not closed: this is recovery after a crash.
  const stored = JSON.parse(JSON.stringify(before.op.snapshotState())) as unknown;

  const after = make();
  after.restoreState(stored);
  const afterCtx = new CollectingContext(ttlMs);
  afterCtx.time = before.ctx.time;
  after.open(afterCtx);
  run(after, afterCtx, steps.slice(cut));
  return { whole: whole.ctx.all(), resumed: [...before.ctx.all(), ...afterCtx.all()] };
}

/** Folds a changelog into the multiset of rows it leaves (+I/+U add, -U/-D remove); throws on removing an absent row. */
export function fold(changelog: string[]): string[] {
  const counts = new Map<string, number>();
  for (const entry of changelog) {
    const kind = entry.slice(0, 2);
    const row = entry.slice(2);
    const n = counts.get(row) ?? 0;
    if (kind === '+I' || kind === '+U') counts.set(row, n + 1);
    else {
      if (n === 0) throw new Error(`retraction of a row not in the result: ${entry}`);
      if (n === 1) counts.delete(row);
      else counts.set(row, n - 1);
    }
  }
  const rows: string[] = [];
  for (const [row, n] of counts) for (let i = 0; i < n; i++) rows.push(row);
  return rows.sort();
}

/** A deterministic pseudo-random generator (mulberry32) for randomized tests. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
