/**
 * `StatementMetricsSource` over today's StatementRegistry: reads each Job and its Pipeline
 * (read-only) at scrape time. The statement runtime is growing its own metrics (checkpoints,
 * state sizes); extend this adapter, or replace it with one the runtime builds, as they land.
 *
 * - operators: the pipeline's running operators with their counters; `stateEntries` when the
 *   operator reports `stateSize()` (the joins do), as the sum of its parts;
 * - sources: the topic sources' next offsets, with the partitions' high watermarks read from
 *   the log (one describe per topic per scrape);
 * - watermark: the root operator's (what the sink has seen), or the minimum over the source
 *   partitions for a plan without operators; null before the first one and after the end of a
 *   bounded input (the runtime's "end of input" watermark is not a time).
 */
import type { StatementRegistry } from '../../engine/statement-registry.ts';
import type { Job } from '../../engine/runtime/job.ts';
import type { Pipeline, RunningOperator } from '../../engine/runtime/pipeline.ts';
import { TopicSource } from '../../engine/runtime/topic-source.ts';
import { isShiftleftError } from '../../common/errors.ts';
import type { LogClient } from '../../log/log-client.ts';
import type { OperatorMetricsReport, SourcePositionReport, StatementMetricsReport, StatementMetricsSource } from './statement-metrics.ts';

export function statementMetricsFrom(registry: Pick<StatementRegistry, 'statements'>, log: Pick<LogClient, 'describeTopic'>): StatementMetricsSource {
  return {
    async list(): Promise<StatementMetricsReport[]> {
      const highWatermarks = highWatermarkReader(log);
      return Promise.all([...registry.statements.values()].map((job) => reportJob(job, highWatermarks)));
    },
  };
}

async function reportJob(job: Job, highWatermarks: HighWatermarkReader): Promise<StatementMetricsReport> {
  const { pipeline } = job;
  return {
    name: job.name,
    status: job.status,
    recordsIn: job.rowsIn,
    operators: pipeline.operators.map(reportOperator),
    sources: await reportSources(pipeline, highWatermarks),
    watermark: statementWatermark(pipeline),
  };
}

function reportOperator(running: RunningOperator): OperatorMetricsReport {
  const { metrics } = running;
  const report: OperatorMetricsReport = {
    id: String(running.id),
    name: running.name,
    recordsIn: metrics.recordsIn,
    recordsOut: metrics.recordsOut,
    lateRecordsDropped: metrics.lateRecordsDropped,
    stateExpired: metrics.stateExpired,
  };
  const stateEntries = stateEntriesOf(running.operator);
  if (stateEntries !== undefined) report.stateEntries = stateEntries;
  return report;
}

/** Operators that can tell their state size expose `stateSize()`: an object of counts. */
function stateEntriesOf(operator: object): number | undefined {
  const stateSize = (operator as { stateSize?: unknown }).stateSize;
  if (typeof stateSize !== 'function') return undefined;
  const parts = (stateSize as () => unknown).call(operator);
  if (typeof parts === 'number') return parts;
  if (typeof parts !== 'object' || parts === null) return undefined;
  return Object.values(parts).reduce<number>((sum, n) => sum + (typeof n === 'number' ? n : 0), 0);
}

function topicSources(pipeline: Pipeline): TopicSource[] {
  return pipeline.sources.flatMap((s) => (s.topic instanceof TopicSource ? [s.topic] : []));
}

async function reportSources(pipeline: Pipeline, highWatermarks: HighWatermarkReader): Promise<SourcePositionReport[]> {
  const reports: SourcePositionReport[] = [];
  for (const source of topicSources(pipeline)) {
    const ends = await highWatermarks(source.name);
    if (!ends) continue;
    for (const p of source.partitionWatermarks()) {
      const highWatermark = ends.get(p.partition);
      if (highWatermark !== undefined) reports.push({ topic: source.name, partition: p.partition, offset: p.offset, highWatermark });
    }
  }
  return reports;
}

function statementWatermark(pipeline: Pipeline): number | null {
  const root = pipeline.operators[0];
  let watermark: number | null;
  if (root) {
    watermark = Number.isFinite(root.watermark) ? root.watermark : null;
  } else {
    const partitions = topicSources(pipeline).flatMap((s) => s.partitionWatermarks());
    const marks = partitions.map((p) => p.watermark);
    watermark = marks.length > 0 && marks.every((m) => m !== null) ? Math.min(...(marks as number[])) : null;
  }
  return watermark !== null && watermark < Number.MAX_SAFE_INTEGER ? watermark : null;
}

/** High watermark per partition of a topic; undefined for a topic deleted under the statement. */
type HighWatermarkReader = (topic: string) => Promise<Map<number, number> | undefined>;

/** Describes each topic at most once per scrape, however many statements read it. */
function highWatermarkReader(log: Pick<LogClient, 'describeTopic'>): HighWatermarkReader {
  const described = new Map<string, Promise<Map<number, number> | undefined>>();
  return (topic) => {
    let ends = described.get(topic);
    if (!ends) {
      ends = log.describeTopic(topic).then(
        (d) => new Map(d.partitions.map((p) => [p.partition, p.highWatermark])),
        (error: unknown) => {
          if (isShiftleftError(error, 'TOPIC_NOT_FOUND')) return undefined;
          throw error;
        },
      );
      described.set(topic, ends);
    }
    return ends;
  };
}
