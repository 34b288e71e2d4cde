/**
 * Option lists — `WITH ('k' = 'v', ...)`, `ALTER TABLE ... SET (...)`, `SET 'k' = 'v'`, and the
 * key-value form of hints. Keys and values are strings in Flink.
 */
import type { Property } from '../ast.ts';
import type { Cursor } from './cursor.ts';

/** A value in single quotes; bare numbers and TRUE/FALSE are accepted too, as Flink's SQL client does. */
export function parseOptionValue(cursor: Cursor, what: string, hint?: string): string {
  const token = cursor.peek();
  if (token.type === 'number' || (token.type === 'word' && (token.upper === 'TRUE' || token.upper === 'FALSE'))) {
    cursor.next();
    return token.type === 'word' ? token.upper.toLowerCase() : token.value;
  }
  return cursor.expectString(what, hint);
}

/** `'key' = 'value'` */
export function parseProperty(cursor: Cursor): Property {
  const start = cursor.peek();
  const key = cursor.expectString("an option key in single quotes ('key' = 'value')");
  cursor.expectOperator('=', "options are written 'key' = 'value'");
  const value = parseOptionValue(cursor, "an option value in single quotes ('key' = 'value')");
  return { kind: 'Property', key, value, span: cursor.spanFrom(start) };
}

/** `('k' = 'v', ...)` */
export function parsePropertyList(cursor: Cursor): Property[] {
  cursor.expectOperator('(');
  const properties: Property[] = [];
  if (!cursor.isOperator(')')) {
    do {
      properties.push(parseProperty(cursor));
    } while (cursor.acceptOperator(','));
  }
  cursor.expectClosing();
  return properties;
}
