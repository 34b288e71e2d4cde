/**
 * The platform's internal topics on a Kafka cluster (`_schemas`, `_table_metadata`,
 * `_connectors`, ...): created when missing, and checked when they exist, before anything
 * reads them. On the embedded log shiftleft creates these topics itself; on a shared cluster
 * someone may have created one by hand, with Kafka's defaults (cleanup.policy=delete, several
 * partitions), and the platform would then lose schemas to retention or read them out of
 * order. So a topic whose configs contradict what its owner needs stops the start, with the
 * broker, the topic, what is wrong and the command that fixes it.
 *
 * Creation is idempotent: `ifNotExists` accepts an existing topic without asking Kafka to
 * create it (so restarts do not need the CREATE permission) and a concurrent creation by
 * another shiftleft process is not an error.
 */
import { ShiftleftError } from '../../common/errors.ts';
import type { LogClient, TopicDescription } from '../log-client.ts';
import type { TopicConfig } from '../topic-config.ts';

export interface InternalTopicSpec {
  name: string;
  /** Who needs it, for messages: `the schema registry`. */
  owner: string;
  /** Exact partition count required (1 for every ordered, replayed history). */
  partitions: number;
  /** Configs to create the topic with. */
  config: Partial<TopicConfig>;
  /** Keys of `config` an existing topic must match; the others are only creation defaults. */
  required: (keyof TopicConfig)[];
}

/** What differs between an existing topic and its spec: `cleanup.policy is delete, needs compact`. */
export function topicMismatches(spec: InternalTopicSpec, description: TopicDescription): string[] {
  const problems: string[] = [];
  if (description.partitions.length !== spec.partitions) {
    problems.push(`it has ${description.partitions.length} partitions, needs ${spec.partitions}`);
  }
  for (const key of spec.required) {
    const wanted = spec.config[key];
    if (wanted !== undefined && description.config[key] !== wanted) problems.push(`${key} is ${String(description.config[key])}, needs ${String(wanted)}`);
  }
  return problems;
}

function fixCommand(spec: InternalTopicSpec, bootstrap: string, problems: string[]): string {
  const configs = spec.required.filter((k) => spec.config[k] !== undefined).map((k) => `${k}=${String(spec.config[k])}`);
  const alter = `kafka-configs.sh --bootstrap-server ${bootstrap} --alter --entity-type topics --entity-name ${spec.name} --add-config ${configs.join(',')}`;
  const partitionProblem = problems.some((p) => p.includes('partitions'));
  return partitionProblem
    ? `a topic's partitions cannot be reduced: if it holds nothing you need, delete it (kafka-topics.sh --bootstrap-server ${bootstrap} --delete --topic ${spec.name}) and shiftleft recreates it`
    : `fix it with: ${alter}`;
}

/**
 * Ensures every internal topic exists with the configs its owner needs; throws
 * INVALID_TOPIC_CONFIG (all wrong topics at once) or the log's own error (FORBIDDEN for missing
 * ACLs, BROKER_UNAVAILABLE, ...) with the topic and its owner added to the message.
 */
export async function ensureInternalTopics(log: LogClient, specs: InternalTopicSpec[], bootstrap: string): Promise<void> {
  const wrong: { spec: InternalTopicSpec; problems: string[] }[] = [];
  for (const spec of specs) {
    let description: TopicDescription;
    try {
      description = await log.createTopic(spec.name, { partitions: spec.partitions, config: spec.config, ifNotExists: true });
    } catch (error) {
      if (!(error instanceof ShiftleftError)) throw error;
      const create = `kafka-topics.sh --bootstrap-server ${bootstrap} --create --topic ${spec.name} --partitions ${spec.partitions} ${Object.entries(spec.config)
        .map(([k, v]) => `--config ${k}=${String(v)}`)
        .join(' ')}`;
      throw new ShiftleftError(error.code, `cannot prepare internal topic '${spec.name}' (used by ${spec.owner}) on Kafka cluster ${bootstrap}: ${error.message}`, {
        hint: error.code === 'FORBIDDEN' ? `${error.hint ?? 'grant the ACLs'}; or let an administrator create it: ${create}` : error.hint,
        details: { ...error.details, topic: spec.name, broker: bootstrap },
        cause: error,
      });
    }
    const problems = topicMismatches(spec, description);
    if (problems.length > 0) wrong.push({ spec, problems });
  }
  if (wrong.length === 0) return;
  const lines = wrong.map(({ spec, problems }) => `'${spec.name}' (used by ${spec.owner}): ${problems.join('; ')}`);
  throw new ShiftleftError('INVALID_TOPIC_CONFIG', `internal topic${wrong.length > 1 ? 's' : ''} on Kafka cluster ${bootstrap} ${wrong.length > 1 ? 'have' : 'has'} the wrong configuration: ${lines.join(' | ')}`, {
    hint: wrong.map(({ spec, problems }) => fixCommand(spec, bootstrap, problems)).join('; '),
    details: { broker: bootstrap, topics: Object.fromEntries(wrong.map(({ spec, problems }) => [spec.name, problems])) },
  });
}
