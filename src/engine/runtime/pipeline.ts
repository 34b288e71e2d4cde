/**
 * Turns a physical plan into running operators and drives them.
 *
 * Everything in one statement runs on one thread: sources are polled in turn, each batch is
 * pushed synchronously through the operators to the sink, and watermarks follow the same path.
 * An operator with several inputs sees each input's watermark; the runtime forwards the minimum
 * downstream once it advances (the operators fire their own timers in onWatermark).
 */
import { join } from 'node:path';
import type { LogClient } from '../../log/log-client.ts';
import type { SchemaStore } from '../../sql/catalog/schema-store.ts';
import type { PhysicalPlan } from '../../sql/plan/physical-plan.ts';
import { insertBatch, type ChangeBatch, type Row } from '../../types/row.ts';
import { compilePredicate, compileProjection, compileScalar } from '../expr/compile.ts';
import { newMetrics, type Operator, type OperatorMetrics } from '../operator.ts';
import { CalcOperator } from '../operators/calc-operator.ts';
import { DeduplicateOperator } from '../operators/deduplicate-operator.ts';
import { GroupAggregateOperator } from '../operators/group-aggregate-operator.ts';
import { IntervalJoinOperator } from '../operators/interval-join-operator.ts';
import { RegularJoinOperator } from '../operators/join-operator.ts';
import { OverAggregateOperator, overOptionsFromCalls } from '../operators/over-aggregate-operator.ts';
import { RankOperator } from '../operators/rank-operator.ts';
import { TemporalJoinOperator } from '../operators/temporal-join-operator.ts';
import { UnionOperator } from '../operators/union-operator.ts';
import { WindowAggregateOperator } from '../operators/window-aggregate-operator.ts';
import { WindowJoinOperator } from '../operators/window-join-operator.ts';
import { WindowTableFunctionOperator } from '../operators/window-table-function-operator.ts';
import { rowKey } from '../state/keyed-state.ts';
import { LimitOperator } from './limit-operator.ts';
import { TopicSink } from './topic-sink.ts';
import { TopicSource, type TopicSourceSnapshot } from './topic-source.ts';
import { ShiftleftError } from '../../common/errors.ts';
import { NexmarkSource } from './nexmark-source.ts';
import { BlackholeSink } from './blackhole-sink.ts';

/** Where a node sends its output. */
export interface Downstream {
  push(batch: ChangeBatch): void;
  watermark(watermark: number): void;
  /** The input went idle (true) or became active again (false); optional for sinks/collectors. */
  idle?(idle: boolean): void;
}

export interface PipelineOptions {
  log: LogClient;
  schemas: SchemaStore;
  bounded: boolean;
  startFrom: 'earliest' | 'latest';
  stateTtlMs: number;
  idleTimeoutMs: number;
  errorTopic: string;
  now: () => number;
  /**
   * Records read per source poll (default 5000). The watermark advances between polls, so 1
   * makes it advance after every record, as Flink's per-record watermarks do: tests use it to
   * make out-of-order and late rows observable in bounded mode (SET 'sql.source.max-batch-records').
   */
  maxBatchRecords?: number;
  /** `state.memory.max-entries` and where operators spill (a durable statement's directory). */
  state?: { maxEntriesInMemory: number; spillRoot?: string };
}

export interface RunningOperator {
  id: number;
  name: string;
  operator: Operator;
  metrics: OperatorMetrics;
  watermark: number;
}

interface SourceEntry {
  kind: 'topic' | 'values';
  /** A topic, or a built-in generator polled the same way ('connector' = 'nexmark'). */
  topic?: TopicSource | NexmarkSource;
  rows?: Row[];
  done: boolean;
  target: Downstream;
  name: string;
}

/** The state of a whole pipeline in a checkpoint: sources and operators in build order. */
export interface PipelineSnapshot {
  sources: ({ kind: 'topic'; state: TopicSourceSnapshot } | { kind: 'values'; done: boolean } | { kind: 'generator' })[];
  operators: { id: number; name: string; state: unknown; metrics: OperatorMetrics }[];
}

/** What every join operator takes: type, arities, key extractors and the non-equi condition. */
function joinOptions(plan: Extract<PhysicalPlan, { leftKeys: number[] }>) {
  return {
    joinType: plan.joinType,
    leftArity: plan.left.fields.length,
    rightArity: plan.right.fields.length,
    leftKey: keyFn(plan.leftKeys),
    rightKey: keyFn(plan.rightKeys),
    condition: plan.condition ? compilePredicate(plan.condition) : undefined,
  };
}

const keyFn = (indexes: number[]) => (row: Row): string | null => {
  for (const i of indexes) if (row[i] === null || row[i] === undefined) return null;
  return rowKey(row, indexes);
};

export class Pipeline {
  readonly operators: RunningOperator[] = [];
  readonly sources: SourceEntry[] = [];
  sink: TopicSink | undefined;
  /** The sink of a `'connector' = 'blackhole'` table: counts rows and drops them. */
  blackhole: BlackholeSink | undefined;
  private nextId = 0;

  constructor(private readonly options: PipelineOptions) {}

  /** Builds the operators for `plan`; the root's output goes to `output` (a sink or a collector). */
  build(plan: PhysicalPlan, output: Downstream): void {
    this.connect(plan, output);
  }

  private operatorNode(operator: Operator, inputs: number, output: Downstream): Downstream[] {
    const metrics = newMetrics();
    const running: RunningOperator = { id: this.nextId++, name: operator.name, operator, metrics, watermark: -Infinity };
    this.operators.push(running);
    const stateOptions = this.options.state;
    const state = stateOptions ? { maxEntriesInMemory: stateOptions.maxEntriesInMemory, ...(stateOptions.spillRoot ? { spillDir: join(stateOptions.spillRoot, `${running.id}-${operator.name}`) } : {}) } : undefined;
    operator.open({ emit: (batch) => output.push(batch), now: this.options.now, stateTtlMs: this.options.stateTtlMs, metrics, ...(state ? { state } : {}) });
    const watermarks = new Array<number>(inputs).fill(-Infinity);
    const idle = new Array<boolean>(inputs).fill(false);
    const advance = (input: number, wm: number): void => {
      if (wm <= watermarks[input]!) return;
      watermarks[input] = wm;
      operator.onWatermark(input, wm);
    };
    // Idle inputs follow the active ones: the operator sees their watermark move with the
    // slowest active input, so it never waits for an input that has nothing to say.
    const settle = (): void => {
      const active = watermarks.filter((_, i) => !idle[i]);
      if (active.length > 0 && active.length < inputs) {
        const activeMin = Math.min(...active);
        for (let i = 0; i < inputs; i++) if (idle[i] && Number.isFinite(activeMin)) advance(i, activeMin);
      } else if (active.length === 0 && inputs > 1) {
        // Every input is idle: as Flink's watermark valve does, event time moves to the largest
        // watermark of any input. Otherwise an input that went quiet first (a dimension table)
        // would hold back forever what the others already delivered.
        const max = Math.max(...watermarks);
        if (Number.isFinite(max)) for (let i = 0; i < inputs; i++) advance(i, max);
      }
      const combined = Math.min(...watermarks);
      if (combined > running.watermark) {
        running.watermark = combined;
        output.watermark(combined);
      }
      output.idle?.(idle.every(Boolean));
    };
    return Array.from({ length: inputs }, (_, input) => ({
      push: (batch: ChangeBatch) => operator.processBatch(input, batch),
      watermark: (wm: number) => {
        advance(input, wm);
        settle();
      },
      idle: (isIdle: boolean) => {
        if (idle[input] === isIdle) return;
        idle[input] = isIdle;
        settle();
      },
    }));
  }

  private connect(plan: PhysicalPlan, output: Downstream): void {
    switch (plan.kind) {
      case 'TableSource': {
        if (plan.table.connector === 'nexmark') {
          const generator = new NexmarkSource({ table: plan.table, columns: plan.columns, rowtimeField: plan.rowtimeField, watermark: plan.watermark ? compileScalar(plan.watermark) : undefined });
          this.sources.push({ kind: 'topic', topic: generator, done: false, target: output, name: plan.table.name });
          return;
        }
        const source = new TopicSource({
          log: this.options.log,
          schemas: this.options.schemas,
          table: plan.table,
          columns: plan.columns,
          rowtimeField: plan.rowtimeField,
          watermark: plan.watermark ? compileScalar(plan.watermark) : undefined,
          bounded: this.options.bounded,
          startFrom: this.options.startFrom,
          idleTimeoutMs: this.options.idleTimeoutMs,
          errorTopic: this.options.errorTopic,
          now: this.options.now,
        });
        this.sources.push({ kind: 'topic', topic: source, done: false, target: output, name: plan.table.name });
        return;
      }
      case 'ValuesSource':
        this.sources.push({ kind: 'values', rows: plan.rows, done: false, target: output, name: 'VALUES' });
        return;
      case 'Calc': {
        const [input] = this.operatorNode(
          new CalcOperator({ filter: plan.filter ? compilePredicate(plan.filter) : undefined, project: plan.project ? compileProjection(plan.project) : undefined }),
          1,
          output,
        );
        this.connect(plan.input, input!);
        return;
      }
      case 'GroupAggregate': {
        const [input] = this.operatorNode(new GroupAggregateOperator({ groupKeys: plan.groupKeys, aggregates: plan.aggregates, generateUpdateBefore: true }), 1, output);
        this.connect(plan.input, input!);
        return;
      }
      case 'WindowAggregate': {
        const [input] = this.operatorNode(
          new WindowAggregateOperator({ window: plan.window, timeIndex: plan.timeIndex, groupKeys: plan.groupKeys, aggregates: plan.aggregates, offsetMs: 'offsetMs' in plan.window ? plan.window.offsetMs : 0 }),
          1,
          output,
        );
        this.connect(plan.input, input!);
        return;
      }
      case 'WindowTableFunction': {
        const [input] = this.operatorNode(new WindowTableFunctionOperator({ window: plan.window, timeIndex: plan.timeIndex, offsetMs: 'offsetMs' in plan.window ? plan.window.offsetMs : 0 }), 1, output);
        this.connect(plan.input, input!);
        return;
      }
      case 'Deduplicate': {
        const [input] = this.operatorNode(
          new DeduplicateOperator({ keys: plan.keys, keepLast: plan.keepLast, timeIndex: plan.timeIndex, generateUpdateBefore: true, appendRowNumber: plan.appendRowNumber }),
          1,
          output,
        );
        this.connect(plan.input, input!);
        return;
      }
      case 'Rank': {
        const [input] = this.operatorNode(
          new RankOperator({
            partitionKeys: plan.partitionKeys,
            orderBy: plan.orderBy,
            limit: plan.limit,
            rankFunction: plan.rankFunction,
            outputRankNumber: plan.outputRankNumber,
            generateUpdateBefore: true,
            appendOnlyInput: plan.input.changelog === 'append',
          }),
          1,
          output,
        );
        this.connect(plan.input, input!);
        return;
      }
      case 'RegularJoin':
        this.joinNode(new RegularJoinOperator(joinOptions(plan)), plan, output);
        return;
      case 'TemporalJoin':
        this.joinNode(new TemporalJoinOperator({ ...joinOptions(plan), joinType: plan.joinType, leftTimeIndex: plan.leftTime, rightTimeIndex: plan.rightTime }), plan, output);
        return;
      case 'IntervalJoin':
        this.joinNode(
          new IntervalJoinOperator({
            ...joinOptions(plan),
            leftTimeIndex: plan.leftTime,
            rightTimeIndex: plan.rightTime,
            lowerBoundMs: plan.lowerBoundMs,
            upperBoundMs: plan.upperBoundMs,
          }),
          plan,
          output,
        );
        return;
      case 'WindowJoin':
        this.joinNode(
          new WindowJoinOperator({
            ...joinOptions(plan),
            leftWindowStartIndex: plan.leftWindow.start,
            leftWindowEndIndex: plan.leftWindow.end,
            rightWindowStartIndex: plan.rightWindow.start,
            rightWindowEndIndex: plan.rightWindow.end,
          }),
          plan,
          output,
        );
        return;
      case 'Union': {
        const inputs = this.operatorNode(new UnionOperator(plan.inputs.length), plan.inputs.length, output);
        plan.inputs.forEach((p, i) => this.connect(p, inputs[i]!));
        return;
      }
      case 'Limit': {
        const [input] = this.operatorNode(new LimitOperator(plan.limit, plan.offset), 1, output);
        this.connect(plan.input, input!);
        return;
      }
      case 'OverAggregate': {
        const orderField = plan.orderBy[0] ? plan.input.fields[plan.orderBy[0].index] : undefined;
        const rowtime = orderField?.timeAttribute === 'rowtime' ? plan.orderBy[0]!.index : undefined;
        const [input] = this.operatorNode(new OverAggregateOperator(overOptionsFromCalls(plan.partitionKeys, plan.orderBy, plan.calls, rowtime)), 1, output);
        this.connect(plan.input, input!);
        return;
      }
      case 'TableSink': {
        if (plan.table.connector === 'blackhole') {
          const blackhole = new BlackholeSink(plan.table.name);
          this.blackhole = blackhole;
          this.connect(plan.input, { push: (batch) => blackhole.write(batch), watermark: (wm) => ((blackhole.watermark = wm), output.watermark(wm)) });
          return;
        }
        const rowtimeField = plan.input.fields.findIndex((f) => f.timeAttribute === 'rowtime');
        const sink = new TopicSink({ log: this.options.log, schemas: this.options.schemas, table: plan.table, rowtimeField: rowtimeField >= 0 ? rowtimeField : undefined, now: this.options.now });
        this.sink = sink;
        this.connect(plan.input, { push: (batch) => sink.write(batch), watermark: (wm) => output.watermark(wm), idle: (i) => output.idle?.(i) });
        return;
      }
    }
  }

  /** A two-input operator fed by the plan's left (input 0) and right (input 1) sides. */
  private joinNode(operator: Operator, plan: { left: PhysicalPlan; right: PhysicalPlan }, output: Downstream): void {
    const [left, right] = this.operatorNode(operator, 2, output);
    this.connect(plan.left, left!);
    this.connect(plan.right, right!);
  }

  /** Taken between steps, when no batch is in flight (everything runs on one thread). */
  snapshotState(): PipelineSnapshot {
    return {
      sources: this.sources.map((s) =>
        s.kind === 'values' ? { kind: 'values' as const, done: s.done } : s.topic instanceof TopicSource ? { kind: 'topic' as const, state: s.topic.snapshotState() } : { kind: 'generator' as const },
      ),
      operators: this.operators.map((o) => ({ id: o.id, name: o.name, state: o.operator.snapshotState(), metrics: { ...o.metrics } })),
    };
  }

  /**
   * Restores a checkpoint into a freshly built pipeline, before `open`. The plan fingerprint
   * already matched; the shape is checked again so a mismatch can never restore state into the
   * wrong operator.
   */
  restoreState(snapshot: PipelineSnapshot): void {
    const shape = (names: string[]) => names.join(' > ');
    const mine = this.operators.map((o) => o.name);
    const theirs = snapshot.operators.map((o) => o.name);
    if (shape(mine) !== shape(theirs) || snapshot.sources.length !== this.sources.length) {
      throw new ShiftleftError('STATEMENT_INCOMPATIBLE', `the checkpoint holds state for operators [${shape(theirs)}] but the statement now plans [${shape(mine)}]`, {
        hint: 'the SQL or the tables it reads changed since the checkpoint; delete the statement and start it again to recompute from the inputs',
      });
    }
    snapshot.sources.forEach((saved, i) => {
      const source = this.sources[i]!;
      if (saved.kind === 'values' && source.kind === 'values' && saved.done) {
        // Its rows were consumed before the checkpoint; it still ends its input's event time.
        source.rows = [];
      } else if (saved.kind === 'topic' && source.topic instanceof TopicSource) {
        source.topic.restoreState(saved.state);
      }
    });
    snapshot.operators.forEach((saved, i) => {
      const running = this.operators[i]!;
      running.operator.restoreState(saved.state);
      Object.assign(running.metrics, saved.metrics);
    });
  }

  async open(): Promise<void> {
    for (const s of this.sources) if (s.topic) await s.topic.open();
    if (this.sink) await this.sink.open();
  }

  get finished(): boolean {
    return this.sources.every((s) => s.done);
  }

  /**
   * One round over the sources: returns how many rows entered the pipeline. Bounded sources
   * that have reached their end send the final watermark (+infinity), firing every timer.
   */
  async step(): Promise<number> {
    let rows = 0;
    for (const s of this.sources) {
      if (s.done) continue;
      if (s.kind === 'values') {
        s.target.push(insertBatch(s.rows!));
        rows += s.rows!.length;
        s.done = true;
        s.target.watermark(Number.MAX_SAFE_INTEGER);
        continue;
      }
      const polled = await s.topic!.poll(this.options.maxBatchRecords);
      if (polled.batch.rows.length > 0) {
        rows += polled.batch.rows.length;
        s.target.push(polled.batch);
      }
      if (polled.batch.rows.length > 0 || polled.idle) s.target.idle?.(polled.idle === true);
      if (polled.watermark !== undefined) s.target.watermark(polled.watermark);
      if (polled.finished) {
        s.done = true;
        s.target.watermark(Number.MAX_SAFE_INTEGER);
      }
    }
    if (this.sink) await this.sink.flush();
    return rows;
  }

  /** Waits until any source may have data (no busy loop when the inputs are quiet). */
  async waitForData(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const waits = this.sources.filter((s) => !s.done && s.topic).map((s) => s.topic!.waitForData(timeoutMs, signal));
    if (waits.length === 0) return;
    await Promise.race(waits);
  }

  close(): void {
    for (const o of this.operators) o.operator.close();
  }
}
