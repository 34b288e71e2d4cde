/**
 * Consumer-group offsets on Kafka's group coordinator, used as a "simple consumer": OffsetCommit
 * with generation -1 and no member id, so no group membership, heartbeats or rebalances are
 * involved (shiftleft consumers assign partitions themselves, like the embedded log's). The
 * offsets live in __consumer_offsets and are visible to any Kafka tool (kafka-consumer-groups).
 */
import { deleteGroupsV2, findCoordinatorV4, listGroupsV5, offsetCommitV8, offsetFetchV8 } from '@platformatic/kafka';
import { ShiftleftError } from '../../common/errors.ts';
import type { TopicPartition, TopicPartitionOffset } from '../log-client.ts';
import { validateTopicName } from '../topic-config.ts';
import type { MapContext } from './kafka-errors.ts';
import { errorFromCode, errorIdOf, type KafkaWire } from './kafka-wire.ts';

const KEY_TYPE_GROUP = 0;
const COORDINATOR_RETRY = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']);

function isNonNegativeInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

export function validateGroupId(groupId: unknown): asserts groupId is string {
  if (typeof groupId !== 'string' || groupId.length === 0 || groupId.length > 255) {
    throw new ShiftleftError('INVALID_ARGUMENT', `invalid consumer group id '${String(groupId)}'`, { hint: 'a group id is a non-empty string of at most 255 characters' });
  }
}

export class KafkaGroups {
  readonly #wire: KafkaWire;
  readonly #checkPartition: (tp: TopicPartition) => Promise<unknown>;

  /** `checkPartition` validates a topic-partition (name, existence, range) before a commit. */
  constructor(wire: KafkaWire, checkPartition: (tp: TopicPartition) => Promise<unknown>) {
    this.#wire = wire;
    this.#checkPartition = checkPartition;
  }

  async #coordinator(groupId: string, action: string): Promise<{ nodeId: number; broker: string }> {
    const ctx: MapContext = { action, broker: this.#wire.bootstrapName, details: { groupId } };
    const connection = await this.#wire.anyConnection(this.#wire.control, action);
    for (let attempt = 0; ; attempt++) {
      const r = await this.#wire.call<{ coordinators: { key: string; nodeId: number; host: string; port: number; errorCode: number; errorMessage: string | null }[] }>(
        findCoordinatorV4.api,
        connection,
        ctx,
        KEY_TYPE_GROUP,
        [groupId],
      );
      const c = r.coordinators[0];
      if (c && c.errorCode === 0) {
        // Make sure the coordinator's address is known for connectionTo().
        if (!this.#wire.broker(c.nodeId)) await this.#wire.metadata([]);
        return { nodeId: c.nodeId, broker: `${c.host}:${c.port}` };
      }
      const id = c ? errorIdOf(c.errorCode) : 'COORDINATOR_NOT_AVAILABLE';
      // The offsets topic is created on first use: the coordinator is briefly unavailable.
      if (COORDINATOR_RETRY.has(id) && attempt < 50) {
        await new Promise((res) => setTimeout(res, 100));
        continue;
      }
      throw errorFromCode(c?.errorCode ?? 15, c?.errorMessage, ctx);
    }
  }

  async commit(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    this.#wire.checkOpen();
    validateGroupId(groupId);
    if (offsets.length === 0) return;
    const byTopic = new Map<string, offsetCommitV8.OffsetCommitRequestPartition[]>();
    for (const o of offsets) {
      await this.#checkPartition(o);
      if (!isNonNegativeInt(o.offset)) {
        throw new ShiftleftError('INVALID_OFFSET_COMMIT', `invalid offset '${String(o.offset)}' to commit for ${o.topic}/${o.partition} in group '${groupId}'`, {
          hint: 'commit the next offset to read, a non-negative integer',
          details: { groupId, ...o },
        });
      }
      const list = byTopic.get(o.topic) ?? [];
      list.push({ partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedLeaderEpoch: -1, committedMetadata: null });
      byTopic.set(o.topic, list);
    }
    const action = `committing offsets of group '${groupId}'`;
    for (let attempt = 0; ; attempt++) {
      const coordinator = await this.#coordinator(groupId, action);
      const ctx = { action, broker: coordinator.broker, details: { groupId } };
      const connection = await this.#wire.connectionTo(this.#wire.control, coordinator.nodeId, action);
      const response = await this.#wire.call<offsetCommitV8.OffsetCommitResponse>(
        offsetCommitV8.api,
        connection,
        ctx,
        groupId,
        -1,
        '',
        null,
        [...byTopic].map(([name, partitions]) => ({ name, partitions })),
      );
      const failed = response.topics.flatMap((t) => t.partitions.filter((p) => p.errorCode !== 0).map((p) => ({ topic: t.name, ...p })));
      if (failed.length === 0) return;
      const id = errorIdOf(failed[0]!.errorCode);
      if (COORDINATOR_RETRY.has(id) && attempt < 20) {
        await new Promise((res) => setTimeout(res, 100));
        continue;
      }
      const f = failed[0]!;
      if (id === 'UNKNOWN_MEMBER_ID' || id === 'ILLEGAL_GENERATION' || id === 'REBALANCE_IN_PROGRESS' || id === 'STALE_MEMBER_EPOCH') {
        throw new ShiftleftError('INVALID_OFFSET_COMMIT', `cannot commit offsets for group '${groupId}' on Kafka broker ${coordinator.broker}: the group has active Kafka consumers (${id})`, {
          hint: 'a group used through shiftleft must not also be joined by Kafka consumers with group membership',
          details: { groupId, topic: f.topic, partition: f.partitionIndex, kafkaError: id },
        });
      }
      throw errorFromCode(f.errorCode, null, { ...ctx, topic: f.topic, details: { groupId, partition: f.partitionIndex } });
    }
  }

  async fetchCommitted(groupId: string, topics?: string[]): Promise<TopicPartitionOffset[]> {
    this.#wire.checkOpen();
    validateGroupId(groupId);
    for (const t of topics ?? []) validateTopicName(t);
    const action = `reading committed offsets of group '${groupId}'`;
    for (let attempt = 0; ; attempt++) {
      const coordinator = await this.#coordinator(groupId, action);
      const ctx = { action, broker: coordinator.broker, details: { groupId } };
      const connection = await this.#wire.connectionTo(this.#wire.control, coordinator.nodeId, action);
      const response = await this.#wire.call<offsetFetchV8.OffsetFetchResponse>(offsetFetchV8.api, connection, ctx, [{ groupId, memberId: null, memberEpoch: -1, topics: null }], false);
      const group = response.groups[0];
      if (!group) return [];
      if (group.errorCode !== 0) {
        const id = errorIdOf(group.errorCode);
        if (COORDINATOR_RETRY.has(id) && attempt < 20) {
          await new Promise((res) => setTimeout(res, 100));
          continue;
        }
        if (id === 'GROUP_ID_NOT_FOUND') return [];
        throw errorFromCode(group.errorCode, null, ctx);
      }
      const wanted = topics ? new Set(topics) : undefined;
      const out: TopicPartitionOffset[] = [];
      for (const t of group.topics) {
        if (wanted && !wanted.has(t.name)) continue;
        for (const p of t.partitions) {
          if (p.errorCode !== 0 || p.committedOffset < 0n) continue;
          out.push({ topic: t.name, partition: p.partitionIndex, offset: Number(p.committedOffset) });
        }
      }
      return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
    }
  }

  async list(): Promise<string[]> {
    this.#wire.checkOpen();
    const meta = await this.#wire.metadata([]);
    const ids = new Set<string>();
    await Promise.all(
      meta.brokers.map(async (b) => {
        const action = 'listing consumer groups';
        const connection = await this.#wire.connectionTo(this.#wire.control, b.nodeId, action);
        const response = await this.#wire.call<listGroupsV5.ListGroupsResponse>(listGroupsV5.api, connection, { action, broker: `${b.host}:${b.port}` }, [], []);
        if (response.errorCode !== 0) throw errorFromCode(response.errorCode, null, { action, broker: `${b.host}:${b.port}` });
        for (const g of response.groups) ids.add(g.groupId);
      }),
    );
    return [...ids].sort();
  }

  async delete(groupId: string): Promise<void> {
    this.#wire.checkOpen();
    validateGroupId(groupId);
    const action = `deleting consumer group '${groupId}'`;
    for (let attempt = 0; ; attempt++) {
      const coordinator = await this.#coordinator(groupId, action);
      const ctx = { action, broker: coordinator.broker, details: { groupId } };
      const connection = await this.#wire.connectionTo(this.#wire.control, coordinator.nodeId, action);
      const response = await this.#wire.call<deleteGroupsV2.DeleteGroupsResponse>(deleteGroupsV2.api, connection, ctx, [groupId]);
      const r = response.results[0];
      if (!r || r.errorCode === 0) return;
      const id = errorIdOf(r.errorCode);
      if (COORDINATOR_RETRY.has(id) && attempt < 20) {
        await new Promise((res) => setTimeout(res, 100));
        continue;
      }
      if (id === 'GROUP_ID_NOT_FOUND') {
        throw new ShiftleftError('GROUP_NOT_FOUND', `consumer group '${groupId}' does not exist on Kafka cluster ${this.#wire.bootstrapName}`, { details: { groupId } });
      }
      if (id === 'NON_EMPTY_GROUP') {
        throw new ShiftleftError('CONFLICT', `consumer group '${groupId}' has active members on Kafka broker ${coordinator.broker} and cannot be deleted`, {
          hint: "stop the group's consumers first",
          details: { groupId, kafkaError: id },
        });
      }
      throw errorFromCode(r.errorCode, null, ctx);
    }
  }
}
