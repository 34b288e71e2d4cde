/**
 * Topic configuration: the Kafka config keys we support, their defaults, and validation.
 *
 * We use Kafka's key names and meanings so that a topic created embedded can be created with the
 * same configs on a Kafka cluster. Values arrive either typed (API) or as strings (CLI `k=v`,
 * Kafka's DescribeConfigs); `parseTopicConfig` accepts both and names the bad key on failure.
 */
import { ShiftleftError } from '../common/errors.ts';

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';
export type TimestampType = 'CreateTime' | 'LogAppendTime';

export interface TopicConfig {
  'cleanup.policy': CleanupPolicy;
  /** -1 keeps records forever. */
  'retention.ms': number;
  /** Per partition; -1 means no size limit. */
  'retention.bytes': number;
  /** Largest record batch accepted, in bytes. */
  'max.message.bytes': number;
  'message.timestamp.type': TimestampType;
  /** A segment rolls when it reaches this size. */
  'segment.bytes': number;
  /** A segment rolls when its first record is older than this. */
  'segment.ms': number;
  /** How long compaction keeps tombstones. */
  'delete.retention.ms': number;
  /** Records younger than this are never compacted. */
  'min.compaction.lag.ms': number;
}

export const DEFAULT_TOPIC_CONFIG: Readonly<TopicConfig> = Object.freeze({
  'cleanup.policy': 'delete',
  'retention.ms': 7 * 24 * 3600 * 1000,
  'retention.bytes': -1,
  'max.message.bytes': 1024 * 1024 + 12,
  'message.timestamp.type': 'CreateTime',
  'segment.bytes': 128 * 1024 * 1024,
  'segment.ms': 7 * 24 * 3600 * 1000,
  'delete.retention.ms': 24 * 3600 * 1000,
  'min.compaction.lag.ms': 0,
});

type Kind = { type: 'long'; min: number } | { type: 'enum'; values: readonly string[] };

const SCHEMA: Record<keyof TopicConfig, Kind> = {
  'cleanup.policy': { type: 'enum', values: ['delete', 'compact', 'compact,delete'] },
  'retention.ms': { type: 'long', min: -1 },
  'retention.bytes': { type: 'long', min: -1 },
  'max.message.bytes': { type: 'long', min: 0 },
  'message.timestamp.type': { type: 'enum', values: ['CreateTime', 'LogAppendTime'] },
  'segment.bytes': { type: 'long', min: 14 },
  'segment.ms': { type: 'long', min: 1 },
  'delete.retention.ms': { type: 'long', min: 0 },
  'min.compaction.lag.ms': { type: 'long', min: 0 },
};

export const TOPIC_CONFIG_KEYS = Object.keys(SCHEMA) as (keyof TopicConfig)[];

function isConfigKey(key: string): key is keyof TopicConfig {
  return Object.prototype.hasOwnProperty.call(SCHEMA, key);
}

/**
 * Validates a partial config given as typed values or strings. Unknown keys and ill-typed
 * values throw INVALID_TOPIC_CONFIG naming the key, the value and what is allowed.
 */
export function parseTopicConfig(input: Record<string, unknown>): Partial<TopicConfig> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(input)) {
    if (raw === undefined) continue;
    if (!isConfigKey(key)) {
      throw new ShiftleftError('INVALID_TOPIC_CONFIG', `unknown topic config '${key}'`, {
        hint: `supported configs: ${TOPIC_CONFIG_KEYS.join(', ')} (and 'partitions' at creation)`,
        details: { key },
      });
    }
    const kind = SCHEMA[key];
    if (kind.type === 'enum') {
      const value = String(raw).replace(/\s+/g, '');
      const normalized = value === 'delete,compact' ? 'compact,delete' : value;
      if (!kind.values.includes(normalized)) {
        throw new ShiftleftError('INVALID_TOPIC_CONFIG', `invalid value '${String(raw)}' for topic config '${key}'`, {
          hint: `use one of: ${kind.values.join(', ')}`,
          details: { key, value: raw },
        });
      }
      out[key] = normalized;
    } else {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(value) || value < kind.min) {
        throw new ShiftleftError('INVALID_TOPIC_CONFIG', `invalid value '${String(raw)}' for topic config '${key}'`, {
          hint: `'${key}' takes an integer >= ${kind.min}`,
          details: { key, value: raw },
        });
      }
      out[key] = value;
    }
  }
  return out as Partial<TopicConfig>;
}

export function resolveTopicConfig(partial: Partial<TopicConfig> = {}): TopicConfig {
  return { ...DEFAULT_TOPIC_CONFIG, ...parseTopicConfig(partial) };
}

/** Kafka's topic name rules: 1-249 characters of [a-zA-Z0-9._-], and not '.' or '..'. */
export function validateTopicName(name: unknown): asserts name is string {
  const fix = 'topic names use 1-249 characters of a-z, A-Z, 0-9, ".", "_" and "-", and are not "." or ".."';
  if (typeof name !== 'string' || name.length === 0) {
    throw new ShiftleftError('INVALID_TOPIC_NAME', 'topic name is empty', { hint: fix });
  }
  if (name === '.' || name === '..') {
    throw new ShiftleftError('INVALID_TOPIC_NAME', `topic name '${name}' is not allowed`, { hint: fix, details: { topic: name } });
  }
  if (name.length > 249) {
    throw new ShiftleftError('INVALID_TOPIC_NAME', `topic name is ${name.length} characters long, more than 249`, {
      hint: fix,
      details: { topic: name.slice(0, 40) + '...' },
    });
  }
  const bad = /[^a-zA-Z0-9._-]/.exec(name);
  if (bad) {
    throw new ShiftleftError('INVALID_TOPIC_NAME', `topic name '${name}' contains '${bad[0]}' at position ${bad.index + 1}`, {
      hint: fix,
      details: { topic: name },
    });
  }
}

export function validatePartitionCount(partitions: unknown): asserts partitions is number {
  if (typeof partitions !== 'number' || !Number.isInteger(partitions) || partitions < 1 || partitions > 10_000) {
    throw new ShiftleftError('INVALID_TOPIC_CONFIG', `invalid partition count '${String(partitions)}'`, {
      hint: 'a topic has between 1 and 10000 partitions',
      details: { partitions },
    });
  }
}

/** Internal topics are the platform's own state; listings hide them unless asked. */
export function isInternalTopic(name: string): boolean {
  return name.startsWith('_');
}
