/**
 * Every operator that keeps keyed state gives the same changelog, and the same TTL expiry
 * counts, with a memory budget of a few entries (state spilled to disk after every batch) as
 * fully in memory; and a snapshot taken mid-stream restores into an operator with an even
 * smaller budget and goes on identically.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newMetrics, type Operator, type OperatorContext, type OperatorMetrics } from '../../../src/engine/operator.ts';
import { DeduplicateOperator } from '../../../src/engine/operators/deduplicate-operator.ts';
import { GroupAggregateOperator } from '../../../src/engine/operators/group-aggregate-operator.ts';
import { RegularJoinOperator } from '../../../src/engine/operators/join-operator.ts';
import { equiJoinKey } from '../../../src/engine/operators/join/join-rows.ts';
import { OverAggregateOperator } from '../../../src/engine/operators/over-aggregate-operator.ts';
import { RankOperator } from '../../../src/engine/operators/rank-operator.ts';
import { TemporalJoinOperator } from '../../../src/engine/operators/temporal-join-operator.ts';
import { markTombstone } from '../../../src/engine/operators/tombstone-time.ts';
import type { StateEntryCounts } from '../../../src/engine/state/keyed-state.ts';
import type { StateBackendOptions } from '../../../src/engine/state/state-options.ts';
import { ROW_KIND_SHORT, RowKind, type ChangeBatch, type Row } from '../../../src/types/row.ts';
import { T } from '../../../src/types/sql-type.ts';
import { BIGINT_NN, agg } from '../operators/aggregating-operators-harness.ts';

const root = mkdtempSync(join(tmpdir(), 'operators-spill-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

type Step = { input: number; batch: ChangeBatch; now: number } | { input: number; watermark: number };

class Context implements OperatorContext {
  readonly metrics: OperatorMetrics = newMetrics();
  readonly out: string[] = [];
  time = 0;
  constructor(
    readonly stateTtlMs: number,
    /** What the runtime passes operators (state/state-options.ts). */
    readonly state?: StateBackendOptions,
  ) {}
  emit(batch: ChangeBatch): void {
    batch.rows.forEach((row, i) => this.out.push(ROW_KIND_SHORT[batch.kinds === null ? 0 : batch.kinds[i]!] + JSON.stringify(row)));
  }
  now(): number {
    return this.time;
  }
}

type Stateful = Operator & { stateEntries(): StateEntryCounts };

interface Run {
  out: string[];
  expired: number;
  maxSpilled: number;
}

function drive(op: Stateful, ctx: Context, steps: Step[]): number {
  let maxSpilled = 0;
  for (const step of steps) {
    if ('batch' in step) {
      ctx.time = step.now;
      op.processBatch(step.input, step.batch);
    } else op.onWatermark(step.input, step.watermark);
    maxSpilled = Math.max(maxSpilled, op.stateEntries().spilled);
  }
  return maxSpilled;
}

function runAll(make: () => Stateful, steps: Step[], ttlMs: number, budget?: number): Run {
  const spillDir = budget === undefined ? undefined : join(root, `op-${dirs++}`);
  const ctx = new Context(ttlMs, budget === undefined ? undefined : { maxEntriesInMemory: budget, spillDir });
  const op = make();
  op.open(ctx);
  const maxSpilled = drive(op, ctx, steps);
  op.close();
  if (spillDir !== undefined) assert.ok(!existsSync(spillDir) || readdirSync(spillDir).length === 0, 'spill files deleted on close');
  return { out: ctx.out, expired: ctx.metrics.stateExpired, maxSpilled };
}

/** Runs the first `cut` steps, snapshots through JSON, restores into a fresh operator, goes on. */
function runResumed(make: () => Stateful, steps: Step[], ttlMs: number, cut: number): Run {
  const first = new Context(ttlMs, { maxEntriesInMemory: 3, spillDir: join(root, `op-${dirs++}`) });
  const a = make();
  a.open(first);
  const spilledA = drive(a, first, steps.slice(0, cut));
  const stored = JSON.parse(JSON.stringify(a.snapshotState())) as unknown;
  const outBeforeCrash = first.out.slice();
  a.close(); // only to delete its files: what it flushes on close is not part of the run
  const second = new Context(ttlMs, { maxEntriesInMemory: 2, spillDir: join(root, `op-${dirs++}`) });
  second.time = first.time;
  const b = make();
  b.restoreState(stored);
  b.open(second);
  const restoredSpilled = b.stateEntries().spilled;
  const spilledB = drive(b, second, steps.slice(cut));
  b.close();
  return { out: [...outBeforeCrash, ...second.out], expired: first.metrics.stateExpired + second.metrics.stateExpired, maxSpilled: Math.max(spilledA, spilledB, restoredSpilled) };
}

function checkEquivalent(make: () => Stateful, steps: Step[], ttlMs = 0): void {
  const inMemory = runAll(make, steps, ttlMs);
  assert.equal(inMemory.maxSpilled, 0);
  assert.ok(inMemory.out.length > 50, `a workload that says something (${inMemory.out.length} rows out)`);
  if (ttlMs > 0) assert.ok(inMemory.expired > 0, 'the TTL expires something');
  const spilled = runAll(make, steps, ttlMs, 3);
  assert.ok(spilled.maxSpilled > 10, `spilled at most ${spilled.maxSpilled} entries`);
  assert.deepEqual(spilled.out, inMemory.out);
  assert.equal(spilled.expired, inMemory.expired, 'stateExpired');
  const resumed = runResumed(make, steps, ttlMs, Math.floor(steps.length / 2));
  assert.ok(resumed.maxSpilled > 10);
  assert.deepEqual(resumed.out, inMemory.out);
  assert.equal(resumed.expired, inMemory.expired, 'stateExpired after restore');
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A changelog over rows [key, value, time]: inserts, and updates/deletes of live rows. Batches
 * of 1-8 changes, 1 ms of processing time apart, a watermark now and then.
 */
function changelog(seed: number, options: { keys: number; batches: number; retractions: boolean; input?: number; watermarks?: boolean }): Step[] {
  const next = random(seed);
  const live: Row[] = [];
  const steps: Step[] = [];
  let time = 1000;
  for (let b = 0; b < options.batches; b++) {
    const rows: Row[] = [];
    const kinds: RowKind[] = [];
    const n = 1 + Math.floor(next() * 8);
    for (let i = 0; i < n; i++) {
      time += Math.floor(next() * 20);
      const roll = next();
      if (options.retractions && live.length > 0 && roll < 0.3) {
        const at = Math.floor(next() * live.length);
        const old = live[at]!;
        if (roll < 0.15) {
          live.splice(at, 1);
          rows.push(old);
          kinds.push(RowKind.Delete);
        } else {
          const row = [old[0], Math.floor(next() * 100), time];
          live[at] = row;
          rows.push(old, row);
          kinds.push(RowKind.UpdateBefore, RowKind.UpdateAfter);
        }
      } else {
        const row = [Math.floor(next() * options.keys), Math.floor(next() * 100), time];
        live.push(row);
        rows.push(row);
        kinds.push(RowKind.Insert);
      }
    }
    steps.push({ input: options.input ?? 0, batch: { rows, kinds: kinds.every((k) => k === RowKind.Insert) ? null : kinds }, now: b });
    if (options.watermarks && b % 5 === 4) steps.push({ input: options.input ?? 0, watermark: time - 100 });
  }
  return steps;
}

describe('operators with state spilled to disk', () => {
  it('GroupAggregate (COUNT, SUM, retractable MAX, COUNT DISTINCT) over a changelog', () => {
    const make = () =>
      new GroupAggregateOperator({
        groupKeys: [0],
        aggregates: [agg('COUNT', [], BIGINT_NN), agg('SUM', [1], T.int()), agg('MAX', [1], T.int()), agg('COUNT', [1], BIGINT_NN, { distinct: true })],
        generateUpdateBefore: true,
      });
    const steps = changelog(1, { keys: 40, batches: 250, retractions: true });
    checkEquivalent(make, steps);
    checkEquivalent(make, steps, 40);
  });

  it('Deduplicate: keep last on event time, keep first on processing time', () => {
    const steps = changelog(2, { keys: 40, batches: 250, retractions: false });
    checkEquivalent(() => new DeduplicateOperator({ keys: [0], keepLast: true, timeIndex: 2, generateUpdateBefore: true, appendRowNumber: true }), steps, 30);
    checkEquivalent(() => new DeduplicateOperator({ keys: [0], keepLast: false, generateUpdateBefore: true, appendRowNumber: false }), changelog(3, { keys: 400, batches: 250, retractions: false }), 30);
  });

  it('Rank: Top-2 per key over a changelog', () => {
    const make = () =>
      new RankOperator({
        partitionKeys: [0],
        orderBy: [{ index: 1, descending: true, nullsFirst: false }],
        limit: 2,
        rankFunction: 'ROW_NUMBER',
        outputRankNumber: true,
        generateUpdateBefore: true,
      });
    checkEquivalent(make, changelog(4, { keys: 40, batches: 250, retractions: true }), 40);
  });

  it('OverAggregate: ROWS and RANGE frames on event time', () => {
    const steps = changelog(5, { keys: 40, batches: 250, retractions: false, watermarks: true });
    checkEquivalent(() => new OverAggregateOperator({ partitionKeys: [0], timeIndex: 2, aggregates: [agg('SUM', [1], T.int())], frame: { kind: 'ROWS', preceding: 2 } }), steps);
    checkEquivalent(() => new OverAggregateOperator({ partitionKeys: [0], aggregates: [agg('MAX', [1], T.int())], frame: { kind: 'ROWS', preceding: 'UNBOUNDED' } }), steps, 10);
    checkEquivalent(
      () => new OverAggregateOperator({ partitionKeys: [0], timeIndex: 2, aggregates: [agg('COUNT', [], BIGINT_NN)], frame: { kind: 'RANGE', precedingMs: 300 } }),
      steps,
      10,
    );
  });

  it('regular FULL join over changelogs on both sides', () => {
    const left = changelog(6, { keys: 30, batches: 150, retractions: true, input: 0 });
    const right = changelog(7, { keys: 30, batches: 150, retractions: true, input: 1 });
    const steps = left.flatMap((step, i) => [step, right[i]!]);
    const make = () => new RegularJoinOperator({ joinType: 'FULL', leftArity: 3, rightArity: 3, leftKey: equiJoinKey([0]), rightKey: equiJoinKey([0]) });
    checkEquivalent(make, steps);
    checkEquivalent(make, steps, 25);
  });

  it('temporal LEFT join with updates and tombstone deletes of versions', () => {
    // Versions: [key, price, time] with updates and deletes, every third delete a marked tombstone.
    const versions = changelog(8, { keys: 30, batches: 200, retractions: true, input: 1, watermarks: true });
    let deletes = 0;
    for (const step of versions) {
      if (!('batch' in step) || step.batch.kinds === null) continue;
      step.batch.rows.forEach((row, i) => {
        if (step.batch.kinds![i] === RowKind.Delete && deletes++ % 3 === 0) {
          step.batch.rows[i] = markTombstone(row.slice(), (row[2] as number) + 7);
        }
      });
    }
    const probes = changelog(9, { keys: 35, batches: 200, retractions: false, input: 0, watermarks: true });
    const steps = probes.flatMap((step, i) => [step, versions[i]!]);
    const make = () =>
      new TemporalJoinOperator({ joinType: 'LEFT', leftArity: 3, rightArity: 3, leftKey: equiJoinKey([0]), rightKey: equiJoinKey([0]), leftTimeIndex: 2, rightTimeIndex: 2 });
    checkEquivalent(make, steps);
    checkEquivalent(make, steps, 4);
  });
});
