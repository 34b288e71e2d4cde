/**
 * Topics in /metrics, read from the LogClient at scrape time: how many topics, and per
 * partition the high watermark, the log start offset and the stored bytes (when the log knows
 * them: the embedded log does, a Kafka cluster does not through this API). Internal topics
 * (`_schemas`, `__consumer_offsets`, ...) are included with `internal="true"`.
 */
import { isShiftleftError } from '../../common/errors.ts';
import type { LogClient, TopicDescription } from '../../log/log-client.ts';
import { areaSnapshot, snapshotGauge, type MetricsContext, type Sample } from './snapshot-metrics.ts';

/** Every topic with its partitions; a topic deleted between listing and describing is left out. */
export async function describeAllTopics(log: LogClient): Promise<TopicDescription[]> {
  const names = await log.listTopics({ includeInternal: true });
  const described = await Promise.all(
    names.map((name) =>
      log.describeTopic(name).catch((error: unknown) => {
        if (isShiftleftError(error, 'TOPIC_NOT_FOUND')) return undefined;
        throw error;
      }),
    ),
  );
  return described.filter((d): d is TopicDescription => d !== undefined);
}

type PartitionLabel = 'topic' | 'partition' | 'internal';

export function registerTopicMetrics(context: MetricsContext, log: LogClient): void {
  const snapshot = areaSnapshot(context, 'topics', () => describeAllTopics(log), []);
  const perPartition = (value: (p: TopicDescription['partitions'][number]) => number | undefined) =>
    function* (topics: TopicDescription[]): Iterable<Sample<PartitionLabel>> {
      for (const topic of topics) {
        for (const p of topic.partitions) {
          const v = value(p);
          if (v !== undefined) yield [{ topic: topic.name, partition: p.partition, internal: String(topic.internal) }, v];
        }
      }
    };
  const partitionLabels = ['topic', 'partition', 'internal'] as const;

  snapshotGauge(context, { name: 'shiftleft_topics', help: 'Number of topics, internal ones apart', labelNames: ['internal'] as const }, snapshot, (topics) => {
    const internal = topics.filter((t) => t.internal).length;
    return [
      [{ internal: 'false' }, topics.length - internal],
      [{ internal: 'true' }, internal],
    ];
  });
  snapshotGauge(context, { name: 'shiftleft_topic_partitions', help: 'Number of partitions of a topic', labelNames: ['topic', 'internal'] as const }, snapshot, (topics) =>
    topics.map((t) => [{ topic: t.name, internal: String(t.internal) }, t.partitions.length] as const),
  );
  snapshotGauge(context, { name: 'shiftleft_topic_high_watermark', help: 'Offset the next record of the partition will get (one past the last readable record)', labelNames: partitionLabels }, snapshot, perPartition((p) => p.highWatermark));
  snapshotGauge(context, { name: 'shiftleft_topic_log_start_offset', help: 'First offset still stored in the partition (moves forward with retention)', labelNames: partitionLabels }, snapshot, perPartition((p) => p.logStartOffset));
  snapshotGauge(context, { name: 'shiftleft_topic_size_bytes', help: 'Bytes stored for the partition (only when the log reports it)', labelNames: partitionLabels }, snapshot, perPartition((p) => p.sizeBytes));
}
