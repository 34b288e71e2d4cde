/**
 * Small helpers shared by the three schema formats: the INVALID_SCHEMA error, JSON text parsing
 * with line/column positions, canonical JSON printing, and the wording of compatibility messages.
 */
import { ShiftleftError } from '../common/errors.ts';
import type { ResolvedReference, SchemaType } from './schema-provider.ts';

/**
 * Which of the two schemas of a compatibility check is the one being registered. Confluent's
 * messages say "the new schema ... the old schema": for BACKWARD the reader is the new schema, for
 * FORWARD the reader is the old one. Providers accept it as an optional third argument of
 * `readerIncompatibilities` (default 'new', i.e. a BACKWARD check).
 */
export type ReaderRole = 'new' | 'old';

export function roleWords(readerRole: ReaderRole): { reader: string; writer: string } {
  return readerRole === 'new' ? { reader: 'new', writer: 'old' } : { reader: 'old', writer: 'new' };
}

const FORMAT_NAMES: Record<SchemaType, string> = { AVRO: 'Avro', JSON: 'JSON', PROTOBUF: 'Protobuf' };

export function invalidSchema(
  schemaType: SchemaType,
  reason: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): ShiftleftError {
  return new ShiftleftError('INVALID_SCHEMA', `Invalid ${FORMAT_NAMES[schemaType]} schema: ${reason}`, {
    details: { schemaType, ...details },
    hint: HINTS[schemaType],
    cause,
  });
}

const HINTS: Record<SchemaType, string> = {
  AVRO: 'Fix the schema so that it follows the Avro specification (https://avro.apache.org/docs/current/specification/).',
  JSON: 'Fix the schema so that it is a valid JSON Schema document (drafts 4, 6, 7, 2019-09 or 2020-12).',
  PROTOBUF: 'Fix the .proto text; every import must be given as a schema reference named by its import path.',
};

/** Line and column (1-based) of a character offset in a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** JSON.parse that reports malformed text as INVALID_SCHEMA with a line and column. */
export function parseJsonText(schemaType: SchemaType, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const offset = position ? Number(position[1]) : jsonErrorOffset(text);
    const details: Record<string, unknown> = {};
    let where = '';
    if (offset !== undefined) {
      const { line, column } = lineColumn(text, offset);
      details.line = line;
      details.column = column;
      where = ` (line ${line}, column ${column})`;
    }
    return fail(schemaType, `malformed JSON${where}: ${message}`, details, error);
  }
}

/**
 * Where JSON.parse gave up, for the messages of Node versions that do not say it: a minimal
 * scanner of the JSON grammar that returns the offset of the first character it cannot accept.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const bad = (): never => {
    throw i;
  };
  const literal = (word: string): void => {
    for (const ch of word) {
      if (text[i] !== ch) bad();
      i++;
    }
  };
  const string = (): void => {
    if (text[i] !== '"') bad();
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) bad();
      if (text[i] === '\\') i++;
      i++;
    }
    if (i >= text.length) bad();
    i++;
  };
  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0].length === 0) bad();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        string();
        ws();
        if (text[i] !== ':') bad();
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        bad();
      }
    } else if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        bad();
      }
    } else if (ch === '"') string();
    else if (ch === 't') literal('true');
    else if (ch === 'f') literal('false');
    else if (ch === 'n') literal('null');
    else number();
  };
  try {
    value();
    ws();
    if (i < text.length) bad();
    return undefined;
  } catch (offset) {
    return typeof offset === 'number' ? Math.min(offset, text.length) : undefined;
  }
}

function fail(schemaType: SchemaType, reason: string, details: Record<string, unknown>, cause: unknown): never {
  throw invalidSchema(schemaType, reason, details, cause);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted at every level (for defaults and other free-form values). */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeysDeep(value[key]);
    return out;
  }
  return value;
}

/** Deep structural equality of JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeysDeep(a)) === JSON.stringify(sortKeysDeep(b));
}

/**
 * The references in dependency order (a reference's own references before it), each once,
 * identified by subject and version.
 */
export function flattenReferences(references: ResolvedReference[]): ResolvedReference[] {
  const out: ResolvedReference[] = [];
  const seen = new Set<string>();
  const visit = (ref: ResolvedReference): void => {
    const key = `${ref.subject}\u0000${ref.version}\u0000${ref.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    for (const inner of ref.references) visit(inner);
    out.push(ref);
  };
  for (const ref of references) visit(ref);
  return out;
}

export const DIFFERENT_SCHEMA_TYPE = 'Incompatible because of different schema type';
