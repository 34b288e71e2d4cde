/**
 * The sink's error topic: records it cannot decode are copied there unchanged (key, value,
 * headers) with headers saying where they came from and why, and the sink goes on.
 * They are produced before the batch's offsets are committed, so a crash can repeat an error
 * record (at-least-once) but never lose one.
 */
import type { LogClient, LogRecord, RecordHeader } from '../../log/log-client.ts';

export const ERROR_HEADERS = {
  topic: '__sink.topic',
  partition: '__sink.partition',
  offset: '__sink.offset',
  reason: '__sink.reason',
  connector: '__sink.connector',
} as const;

export class ErrorTopic {
  private created = false;

  constructor(
    private readonly log: LogClient,
    readonly topic: string,
    private readonly connector: string,
  ) {}

  async write(failures: { record: LogRecord; reason: string }[]): Promise<void> {
    if (failures.length === 0) return;
    if (!this.created) {
      await this.log.createTopic(this.topic, { partitions: 1, ifNotExists: true });
      this.created = true;
    }
    await this.log.produce(
      this.topic,
      failures.map(({ record, reason }) => ({
        key: record.key,
        value: record.value,
        timestamp: record.timestamp,
        partition: 0,
        headers: [...record.headers, ...this.headers(record, reason)],
      })),
    );
  }

  private headers(record: LogRecord, reason: string): RecordHeader[] {
    const header = (key: string, value: string): RecordHeader => ({ key, value: Buffer.from(value, 'utf8') });
    return [
      header(ERROR_HEADERS.topic, record.topic),
      header(ERROR_HEADERS.partition, String(record.partition)),
      header(ERROR_HEADERS.offset, String(record.offset)),
      header(ERROR_HEADERS.reason, reason),
      header(ERROR_HEADERS.connector, this.connector),
    ];
  }
}
