/**
 * SQL statements in /metrics. The statement runtime reports through `StatementMetricsSource`
 * (today: statementMetricsFrom in statement-metrics-adapter.ts, over the StatementRegistry);
 * this file only turns what it reports into Prometheus series, at scrape time.
 *
 * Operators are labelled by statement, operator id (its position in the plan, stable while the
 * statement runs) and operator name; sources by topic and partition. A statement's series
 * disappear when it leaves the source's list.
 */
import { areaSnapshot, snapshotCounter, snapshotGauge, type MetricsContext, type Sample } from './snapshot-metrics.ts';

export interface OperatorMetricsReport {
  id: string;
  name: string;
  recordsIn: number;
  recordsOut: number;
  lateRecordsDropped: number;
  stateExpired: number;
  /** Entries held in state (keys, buffered rows), when the operator can tell. */
  stateEntries?: number;
}

export interface SourcePositionReport {
  topic: string;
  partition: number;
  /** Next offset the statement reads. */
  offset: number;
  /** The partition's high watermark when reported: lag = highWatermark - offset. */
  highWatermark: number;
}

export interface CheckpointReport {
  id: number;
  /** Epoch millis when it completed. */
  at: number;
  durationMs: number;
  bytes: number;
}

export interface StatementMetricsReport {
  name: string;
  status: string;
  operators: OperatorMetricsReport[];
  sources: SourcePositionReport[];
  /** Event time the statement's output has reached (epoch millis), null before the first watermark. */
  watermark: number | null;
  /** Rows read from all sources, when the runtime counts them. */
  recordsIn?: number;
  lastCheckpoint?: CheckpointReport;
}

/** What the metrics read of the statement runtime; `list` may need the log (high watermarks). */
export interface StatementMetricsSource {
  list(): StatementMetricsReport[] | Promise<StatementMetricsReport[]>;
}

/** The statuses a statement can be in (JobStatus); each gets a series so `== 1` alerts work. */
const STATUSES = ['PENDING', 'RUNNING', 'COMPLETED', 'STOPPED', 'FAILED'];

type OperatorLabel = 'statement' | 'operator_id' | 'operator';

export function registerStatementMetrics(context: MetricsContext, source: StatementMetricsSource): void {
  const snapshot = areaSnapshot<StatementMetricsReport[]>(context, 'statements', () => source.list(), []);
  const perOperator = (value: (o: OperatorMetricsReport) => number | undefined) =>
    function* (statements: StatementMetricsReport[]): Iterable<Sample<OperatorLabel>> {
      for (const s of statements) {
        for (const o of s.operators) {
          const v = value(o);
          if (v !== undefined) yield [{ statement: s.name, operator_id: o.id, operator: o.name }, v];
        }
      }
    };
  const perStatement = (value: (s: StatementMetricsReport) => number | null | undefined) =>
    function* (statements: StatementMetricsReport[]): Iterable<Sample<'statement'>> {
      for (const s of statements) {
        const v = value(s);
        if (v !== undefined && v !== null) yield [{ statement: s.name }, v];
      }
    };
  const operatorLabels = ['statement', 'operator_id', 'operator'] as const;

  snapshotGauge(context, { name: 'shiftleft_statement_status', help: 'Status of a statement: 1 for the current status, 0 for the others', labelNames: ['statement', 'status'] as const }, snapshot, function* (statements) {
    for (const s of statements) {
      const statuses = STATUSES.includes(s.status) ? STATUSES : [...STATUSES, s.status];
      for (const status of statuses) yield [{ statement: s.name, status }, s.status === status ? 1 : 0] as const;
    }
  });
  snapshotCounter(context, { name: 'shiftleft_statement_records_in_total', help: 'Rows the statement read from its sources', labelNames: ['statement'] as const }, snapshot, perStatement((s) => s.recordsIn));
  snapshotCounter(context, { name: 'shiftleft_statement_operator_records_in_total', help: 'Rows that entered the operator', labelNames: operatorLabels }, snapshot, perOperator((o) => o.recordsIn));
  snapshotCounter(context, { name: 'shiftleft_statement_operator_records_out_total', help: 'Rows the operator emitted', labelNames: operatorLabels }, snapshot, perOperator((o) => o.recordsOut));
  snapshotCounter(context, { name: 'shiftleft_statement_operator_late_records_dropped_total', help: 'Rows that arrived behind the watermark and were dropped', labelNames: operatorLabels }, snapshot, perOperator((o) => o.lateRecordsDropped));
  snapshotCounter(context, { name: 'shiftleft_statement_operator_state_expired_total', help: 'State entries removed by the state TTL', labelNames: operatorLabels }, snapshot, perOperator((o) => o.stateExpired));
  snapshotGauge(context, { name: 'shiftleft_statement_operator_state_entries', help: 'Entries the operator holds in state (keys, buffered rows)', labelNames: operatorLabels }, snapshot, perOperator((o) => o.stateEntries));
  snapshotGauge(context, { name: 'shiftleft_statement_source_lag_records', help: 'Records of a source partition the statement has not read yet (high watermark - next offset)', labelNames: ['statement', 'topic', 'partition'] as const }, snapshot, function* (statements) {
    for (const s of statements) {
      for (const p of s.sources) yield [{ statement: s.name, topic: p.topic, partition: p.partition }, Math.max(0, p.highWatermark - p.offset)] as const;
    }
  });
  snapshotGauge(context, { name: 'shiftleft_statement_source_offset', help: 'Next offset the statement reads in a source partition', labelNames: ['statement', 'topic', 'partition'] as const }, snapshot, function* (statements) {
    for (const s of statements) for (const p of s.sources) yield [{ statement: s.name, topic: p.topic, partition: p.partition }, p.offset] as const;
  });
  snapshotGauge(context, { name: 'shiftleft_statement_watermark_ms', help: "Event time the statement's output has reached (epoch millis); absent before the first watermark", labelNames: ['statement'] as const }, snapshot, perStatement((s) => s.watermark));
  snapshotGauge(context, { name: 'shiftleft_statement_last_checkpoint_id', help: 'Id of the last completed checkpoint', labelNames: ['statement'] as const }, snapshot, perStatement((s) => s.lastCheckpoint?.id));
  snapshotGauge(context, { name: 'shiftleft_statement_last_checkpoint_timestamp_seconds', help: 'When the last checkpoint completed (unix seconds)', labelNames: ['statement'] as const }, snapshot, perStatement((s) => (s.lastCheckpoint ? s.lastCheckpoint.at / 1000 : undefined)));
  snapshotGauge(context, { name: 'shiftleft_statement_last_checkpoint_duration_seconds', help: 'How long the last checkpoint took', labelNames: ['statement'] as const }, snapshot, perStatement((s) => (s.lastCheckpoint ? s.lastCheckpoint.durationMs / 1000 : undefined)));
  snapshotGauge(context, { name: 'shiftleft_statement_last_checkpoint_bytes', help: 'Size of the last checkpoint', labelNames: ['statement'] as const }, snapshot, perStatement((s) => s.lastCheckpoint?.bytes));
}
