/**
 * Which topics are contract-enforced, stored durably in the log itself.
 *
 * Why a topic in the log rather than the registry: enforcement is a property of a *topic* (like
 * a topic config), not of a schema version; the registry may be any Confluent-compatible one in
 * distributed mode, which would not keep custom fields; and the log is what every producing
 * path already holds. So, as Kafka Connect and our registry do, the flags live in a compacted
 * single-partition internal topic, `_contract_enforcement`: key = topic name, value = JSON
 * `{ "enforced": true, "since": ISO time }`, and turning enforcement off writes a tombstone.
 * The latest record per key is the truth, on the embedded log and on Kafka alike.
 *
 * Readers follow the topic: `isEnforced` first reads what other processes appended since the
 * last look (usually nothing: one offset lookup), at most every `refreshIntervalMs` (default
 * 500 ms, so a produce path on Kafka does not pay a round trip per call). A flag set by
 * `shiftleft topic enforce` thus applies to a running platform within that interval; a flag set
 * through this store applies at once.
 */
import type { LogClient } from '../log/log-client.ts';
import { replayPartition } from '../log/replay.ts';

export const CONTRACT_ENFORCEMENT_TOPIC = '_contract_enforcement';

export interface EnforcementEntry {
  enforced: true;
  since: string;
}

type EnforcementLog = Pick<LogClient, 'createTopic' | 'produce' | 'fetch' | 'listOffsets' | 'listTopics'>;

export class ContractEnforcementStore {
  private readonly entries = new Map<string, EnforcementEntry>();
  private nextOffset = 0;
  /** Serializes refreshes so two concurrent callers never apply the same records twice. */
  private refreshing: Promise<void> | undefined;
  private refreshedAt = 0;

  private constructor(
    private readonly log: EnforcementLog,
    private exists: boolean,
    private readonly refreshIntervalMs: number,
  ) {}

  /** Reads the flags; creates the topic only on the first write, so reading has no side effect. */
  static async open(log: EnforcementLog, options: { refreshIntervalMs?: number } = {}): Promise<ContractEnforcementStore> {
    const exists = (await log.listTopics({ includeInternal: true })).includes(CONTRACT_ENFORCEMENT_TOPIC);
    const store = new ContractEnforcementStore(log, exists, options.refreshIntervalMs ?? 500);
    await store.refresh();
    return store;
  }

  async isEnforced(topic: string): Promise<boolean> {
    if (Date.now() - this.refreshedAt >= this.refreshIntervalMs) await this.refresh();
    return this.entries.has(topic);
  }

  async enforcedTopics(): Promise<Map<string, EnforcementEntry>> {
    await this.refresh();
    return new Map(this.entries);
  }

  /** Marks or unmarks a topic; resolves once the log acknowledged the change. */
  async setEnforced(topic: string, enforced: boolean): Promise<void> {
    if (!this.exists) {
      await this.log.createTopic(CONTRACT_ENFORCEMENT_TOPIC, {
        partitions: 1,
        config: { 'cleanup.policy': 'compact', 'retention.ms': -1 },
        ifNotExists: true,
      });
      this.exists = true;
    }
    const value: EnforcementEntry | null = enforced ? { enforced: true, since: new Date().toISOString() } : null;
    await this.log.produce(CONTRACT_ENFORCEMENT_TOPIC, [{ key: Buffer.from(topic), value: value ? Buffer.from(JSON.stringify(value)) : null, partition: 0 }]);
    await this.refresh();
  }

  /** Applies records appended since the last refresh (by this or any other process). */
  refresh(): Promise<void> {
    this.refreshing ??= this.readNewRecords().finally(() => {
      this.refreshing = undefined;
      this.refreshedAt = Date.now();
    });
    return this.refreshing;
  }

  private async readNewRecords(): Promise<void> {
    if (!this.exists) {
      this.exists = (await this.log.listTopics({ includeInternal: true })).includes(CONTRACT_ENFORCEMENT_TOPIC);
      if (!this.exists) return;
    }
    this.nextOffset = await replayPartition(
      this.log,
      { topic: CONTRACT_ENFORCEMENT_TOPIC, partition: 0 },
      (record) => {
        if (!record.key) return;
        const topic = record.key.toString('utf8');
        if (record.value === null) this.entries.delete(topic);
        else this.entries.set(topic, parseEntry(record.value));
      },
      this.nextOffset,
    );
  }
}

/** A value we cannot read still means "enforced": failing closed never lets data bypass a contract. */
function parseEntry(value: Buffer): EnforcementEntry {
  try {
    const parsed = JSON.parse(value.toString('utf8')) as Partial<EnforcementEntry>;
    return { enforced: true, since: typeof parsed.since === 'string' ? parsed.since : '' };
  } catch {
    return { enforced: true, since: '' };
  }
}
