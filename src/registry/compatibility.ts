/**
 * Confluent's compatibility levels, composed from one question each format answers:
 * "can `reader` read data written with `writer`?" (SchemaProvider.readerIncompatibilities).
 *
 * BACKWARD: consumers on the new schema read old data (reader = new, writer = old).
 * FORWARD: consumers on an old schema read new data (reader = old, writer = new).
 * FULL: both. The plain levels compare with the latest version; *_TRANSITIVE with all of them.
 */
import type { ParsedSchema, SchemaProvider } from '../formats/schema-provider.ts';

/**
 * Providers may take a third argument saying which side is the schema being registered, so
 * their messages can say "the new schema" / "the old schema" as Confluent's do; passing it to
 * a provider that ignores it is harmless.
 */
type ReaderRole = 'new' | 'old';
type RoleAwareCheck = (reader: ParsedSchema, writer: ParsedSchema, readerRole: ReaderRole) => string[];
import type { CompatibilityLevel } from './types.ts';

export interface PreviousVersion {
  version: number;
  parsed: ParsedSchema;
}

function directions(level: CompatibilityLevel): { backward: boolean; forward: boolean; transitive: boolean } {
  return {
    backward: level.startsWith('BACKWARD') || level.startsWith('FULL'),
    forward: level.startsWith('FORWARD') || level.startsWith('FULL'),
    transitive: level.endsWith('_TRANSITIVE'),
  };
}

/**
 * Every incompatibility of `candidate` with the versions the level compares against (given
 * oldest first), as Confluent's verbose messages: the reason, then which version and level.
 * An empty list means compatible.
 */
export function findIncompatibilities(
  provider: SchemaProvider,
  level: CompatibilityLevel,
  candidate: ParsedSchema,
  previous: PreviousVersion[],
): string[] {
  if (level === 'NONE' || previous.length === 0) return [];
  const { backward, forward, transitive } = directions(level);
  const compared = transitive ? previous : previous.slice(-1);
  const messages: string[] = [];
  // Newest first: the most relevant conflict is reported first.
  for (const old of [...compared].reverse()) {
    const reasons: string[] = [];
    if (old.parsed.schemaType !== candidate.schemaType) {
      reasons.push('Incompatible because of different schema type');
    } else {
      const check = provider.readerIncompatibilities.bind(provider) as RoleAwareCheck;
      if (backward) reasons.push(...check(candidate, old.parsed, 'new'));
      if (forward) reasons.push(...check(old.parsed, candidate, 'old'));
    }
    if (reasons.length > 0) {
      messages.push(...reasons, `{oldSchemaVersion: ${old.version}}`, `{oldSchema: '${old.parsed.text}'}`, `{compatibility: '${level}'}`);
    }
  }
  return messages;
}
