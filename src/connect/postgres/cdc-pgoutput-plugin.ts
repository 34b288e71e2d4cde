/**
 * pg-logical-replication's pgoutput plugin, adjusted for a CDC source:
 * - values stay PostgreSQL text: the library would parse them with `pg`'s global type parsers
 *   (timestamps in the process's local zone, numerics to strings, json to objects); our own
 *   converters need the exact text. The parser applies each Relation column's `parser` to the
 *   values of later tuples, so we replace it as soon as the Relation message is parsed.
 * - a message the parser cannot read becomes a value instead of an exception thrown inside the
 *   socket's data handler (which would be uncaught).
 */
import { PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';

export interface UnreadableMessage {
  tag: 'unreadable';
  error: Error;
}

const keepText = (raw: unknown): unknown => raw;

export class TextPgoutputPlugin extends PgoutputPlugin {
  override parse(buffer: Buffer): Pgoutput.Message {
    try {
      const message = super.parse(buffer);
      if (message.tag === 'relation') for (const column of message.columns) column.parser = keepText;
      return message;
    } catch (error) {
      const unreadable: UnreadableMessage = { tag: 'unreadable', error: error instanceof Error ? error : new Error(String(error)) };
      return unreadable as unknown as Pgoutput.Message;
    }
  }
}
