/**
 * Server-side contract enforcement: the producer every platform path uses (CLI `topic produce`,
 * REST produce, connectors), so that a contract cannot be bypassed by skipping the serializer.
 *
 * For a topic that is not enforced, records go to the log unchanged. For an enforced topic
 * (see enforcement-store.ts for where the flag lives), each record is checked by a
 * ContractChecker (wire format, schema id under `<topic>-value`, decoding, CONDITION rules with
 * their DLQ; see enforcement-check.ts); accepted records are written as they came, refused ones
 * are reported with the reason (and went to the DLQ when their rule says so).
 *
 * `asLogClient()` gives the same enforcement behind the LogClient interface, for code that only
 * knows LogClient (the contract serdes, connectors): its `produce` writes what passes and then
 * throws RULE_FAILED naming the refused records, since LogClient has no way to report them.
 */
import { ShiftleftError } from '../common/errors.ts';
import type { LogClient, ProduceRecord, RecordMetadata } from '../log/log-client.ts';
import { ContractChecker } from './enforcement-check.ts';
import { ContractEnforcementStore } from './enforcement-store.ts';

export interface EnforcedProduceOutcome {
  /** Metadata of written records, by input index. */
  sent: { index: number; metadata: RecordMetadata }[];
  /** Records refused by the contract, with the reason and the DLQ topic when one took them. */
  refused: { index: number; reason: string; rule?: string; dlqTopic?: string }[];
  /** Whether the topic was contract-enforced when the records were checked. */
  enforced: boolean;
}

export interface EnforcingProducerOptions {
  log: LogClient;
  registryUrl: string;
  /** How stale the enforcement flags may be (see enforcement-store.ts); default 500 ms. */
  refreshIntervalMs?: number;
}

export class EnforcingProducer {
  private checker: ContractChecker | undefined;

  private constructor(
    private readonly options: EnforcingProducerOptions,
    readonly store: ContractEnforcementStore,
  ) {}

  static async open(options: EnforcingProducerOptions): Promise<EnforcingProducer> {
    return new EnforcingProducer(options, await ContractEnforcementStore.open(options.log, { refreshIntervalMs: options.refreshIntervalMs }));
  }

  isEnforced(topic: string): Promise<boolean> {
    return this.store.isEnforced(topic);
  }

  /** Marks a topic contract-enforced (or not); the topic must exist. */
  async setEnforced(topic: string, enforced: boolean): Promise<void> {
    await this.options.log.describeTopic(topic);
    await this.store.setEnforced(topic, enforced);
  }

  async produce(topic: string, records: ProduceRecord[]): Promise<EnforcedProduceOutcome> {
    const log = this.options.log;
    if (!(await this.store.isEnforced(topic))) {
      const metadata = await log.produce(topic, records);
      return { sent: metadata.map((m, index) => ({ index, metadata: m })), refused: [], enforced: false };
    }
    // Fail on a missing topic before any DLQ write happens for its records.
    await log.describeTopic(topic);
    this.checker ??= new ContractChecker({ registryUrl: this.options.registryUrl, log });
    const outcome: EnforcedProduceOutcome = { sent: [], refused: [], enforced: true };
    const accepted: { index: number; record: ProduceRecord }[] = [];
    for (let index = 0; index < records.length; index++) {
      const record = records[index]!;
      const verdict = await this.checker.check(topic, record.value, record.key ?? null, record.headers ?? []);
      if (verdict.ok) accepted.push({ index, record });
      else outcome.refused.push({ index, reason: verdict.reason, ...(verdict.rule && { rule: verdict.rule }), ...(verdict.dlqTopic && { dlqTopic: verdict.dlqTopic }) });
    }
    if (accepted.length > 0) {
      const metadata = await log.produce(
        topic,
        accepted.map((a) => a.record),
      );
      accepted.forEach((a, i) => outcome.sent.push({ index: a.index, metadata: metadata[i]! }));
    }
    return outcome;
  }

  /** The producer's log with enforcement on `produce`; every other call goes to the log unchanged. */
  asLogClient(): LogClient {
    return this.wrap(this.options.log);
  }

  /**
   * `log` (the producer's own log, or a richer view of it such as the platform's PlatformLog)
   * with enforcement on `produce`; every other member is the log's own.
   */
  wrap<L extends LogClient>(log: L): L {
    const produce = async (topic: string, records: ProduceRecord[]): Promise<RecordMetadata[]> => {
      const outcome = await this.produce(topic, records);
      if (outcome.refused.length > 0) throw refusedError(topic, outcome);
      return outcome.sent.map((s) => s.metadata);
    };
    return new Proxy(log, {
      get(target, property, receiver) {
        if (property === 'produce') return produce;
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  close(): void {
    this.checker?.close();
  }
}

/** One error for a batch with refused records, naming each (by its index in the batch) and why. */
export function refusedError(topic: string, outcome: EnforcedProduceOutcome): ShiftleftError {
  const first = outcome.refused.slice(0, 5).map((r) => `record ${r.index}: ${r.reason}`);
  const more = outcome.refused.length > first.length ? `; and ${outcome.refused.length - first.length} more` : '';
  return new ShiftleftError(
    'RULE_FAILED',
    `topic '${topic}' is contract-enforced: ${outcome.refused.length} record(s) refused (${outcome.sent.length} written): ${first.join('; ')}${more}`,
    {
      hint: `serialize records with the latest schema of '${topic}-value' (e.g. shiftleft topic produce ${topic} --format avro) so they satisfy its rules`,
      details: { topic, refused: outcome.refused, sent: outcome.sent.length },
    },
  );
}
