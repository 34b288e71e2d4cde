/**
 * The Protobuf format of the registry: .proto text parsed with protobufjs (`protobuf.parse`),
 * names resolved, imports satisfied by references (a reference's `name` is the import path,
 * e.g. `import "customer.proto";` needs a reference named `customer.proto`) or by the built-in
 * well-known files (google/protobuf/*.proto, confluent/meta.proto, confluent/type/decimal.proto).
 *
 * The schema's main message is its first top-level message (Confluent's default for the
 * serializers); `ParsedProtobufSchema.root` holds every type, for encoding and for SQL mapping.
 */
import protobuf from 'protobufjs';
import type { ParsedSchema, ResolvedReference, SchemaProvider } from '../schema-provider.ts';
import { DIFFERENT_SCHEMA_TYPE, flattenReferences, invalidSchema, type ReaderRole } from '../format-common.ts';
import { addBuiltinProto, isBuiltinProto } from './protobuf-builtins.ts';
import {
  PROTOBUF_COMPATIBLE_CHANGES,
  formatProtobufDifference,
  protobufDifferences,
  type ProtobufDifference,
  type ProtobufSide,
} from './protobuf-diff.ts';
import { printProtoFile, RawOptionValue } from './protobuf-print.ts';
import { DEFAULT_DESCRIPTOR_FILE, serializeDescriptor } from './protobuf-descriptor.ts';
import { decodeDescriptor, descriptorToProtoText, looksSerialized } from './protobuf-descriptor-text.ts';

const MAIN_FILE = '<schema>';
const PARSE_OPTIONS: protobuf.IParseOptions = { keepCase: true, alternateCommentMode: true };

/** The text without comments and string contents (for scanning statements). */
function stripComments(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/\/\/[^\n]*/g, '');
}

function syntaxOf(text: string): string {
  const clean = stripComments(text);
  const syntax = /^\s*syntax\s*=\s*["']([^"']+)["']/m.exec(clean);
  if (syntax) return syntax[1]!;
  const edition = /^\s*edition\s*=\s*["']([^"']+)["']/m.exec(clean);
  return edition ? edition[1]! : 'proto2';
}

/** `option x = y;` statements outside any block. */
function fileOptions(text: string): Record<string, unknown> {
  const clean = stripComments(text);
  const out: Record<string, unknown> = {};
  let depth = 0;
  let statementStart = 0;
  for (let i = 0; i < clean.length; i++) {
    const ch = clean[i];
    if (ch === '"' || ch === "'") {
      const end = clean.indexOf(ch, i + 1);
      i = end < 0 ? clean.length : end;
    } else if (ch === '{' && /[=:]\s*$/.test(clean.slice(statementStart, i))) {
      // An aggregate option value: skip to its closing brace.
      let nesting = 0;
      for (; i < clean.length; i++) {
        if (clean[i] === '{') nesting++;
        else if (clean[i] === '}' && --nesting === 0) break;
      }
    } else if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      statementStart = i + 1;
    } else if (ch === ';') {
      if (depth === 0) {
        const m = /^\s*option\s+([\w.()]+)\s*=\s*([\s\S]+)$/.exec(clean.slice(statementStart, i));
        if (m) {
          const raw = m[2]!.trim();
          let value: unknown = new RawOptionValue(raw);
          if (/^["']/.test(raw)) value = raw.slice(1, -1);
          else if (raw === 'true' || raw === 'false') value = raw === 'true';
          else if (/^-?\d+(\.\d+)?$/.test(raw)) value = Number(raw);
          out[m[1]!] = value;
        }
      }
      statementStart = i + 1;
    }
  }
  return out;
}

function parseInto(root: protobuf.Root, text: string, filename: string): protobuf.IParserResult {
  const parse = protobuf.parse as unknown as { filename: string | null };
  parse.filename = filename;
  try {
    return protobuf.parse(text, root, PARSE_OPTIONS);
  } finally {
    parse.filename = null;
  }
}

function topLevelDefinitions(root: protobuf.Root, filename: string): protobuf.ReflectionObject[] {
  const out: protobuf.ReflectionObject[] = [];
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const obj of ns.nestedArray) {
      const isExtension = obj instanceof protobuf.Field && obj.extend !== undefined;
      if (obj instanceof protobuf.Type || obj instanceof protobuf.Enum || obj instanceof protobuf.Service || isExtension) {
        if (obj.filename === filename) out.push(obj);
      } else if (obj instanceof protobuf.Namespace) {
        visit(obj);
      }
    }
  };
  visit(root);
  return out;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ParsedProtobufSchema implements ParsedSchema {
  readonly schemaType = 'PROTOBUF' as const;
  private normalizedText: string | undefined;
  private serializedText: string | undefined;
  /** The .proto text (the given text, or the text printed from a given descriptor). */
  protoText: string;
  /** The file name of the descriptor the schema was given as, if it was. */
  descriptorFile: string | undefined;

  constructor(
    readonly text: string,
    /** Every type: this schema's, its references' and the built-ins it imports. */
    readonly root: protobuf.Root,
    readonly syntax: string,
    readonly packageName: string,
    readonly imports: readonly string[],
    /** Top-level messages, enums and services of this schema's own file, in order. */
    readonly definitions: readonly protobuf.ReflectionObject[],
    readonly references: readonly ResolvedReference[],
    private readonly packageOfFile: ReadonlyMap<string, string>,
    private readonly referenceOfFile: ReadonlyMap<string, string>,
  ) {
    this.protoText = text;
  }

  /**
   * Confluent's `format=serialized`: the base64 FileDescriptorProto of this schema's file (named
   * as the client named it, when it registered a descriptor).
   */
  serialized(): string {
    this.serializedText ??= serializeDescriptor(
      { syntax: this.syntax, packageName: this.packageName, imports: this.imports, fileOptions: fileOptions(this.protoText), definitions: this.definitions },
      this.descriptorFile ?? DEFAULT_DESCRIPTOR_FILE,
    );
    return this.serializedText;
  }

  /** Top-level messages of the file, in order (message indexes of the wire format follow this). */
  get messages(): protobuf.Type[] {
    return this.definitions.filter((d): d is protobuf.Type => d instanceof protobuf.Type);
  }

  /** The first message: what Confluent's serializers use by default. */
  get messageType(): protobuf.Type | undefined {
    return this.messages[0];
  }

  /** Confluent's name of a Protobuf schema: the full name of its first message. */
  get name(): string | undefined {
    return this.messageType?.fullName.replace(/^\./, '');
  }

  normalized(): string {
    this.normalizedText ??= printProtoFile({
      syntax: this.syntax,
      package: this.packageName,
      imports: [...this.imports],
      fileOptions: fileOptions(this.protoText),
      definitions: [...this.definitions],
    });
    return this.normalizedText;
  }

  /** The view of this schema that the compatibility check needs. */
  side(): ProtobufSide {
    return {
      package: this.packageName,
      types: this.definitions.filter(
        (d): d is protobuf.Type | protobuf.Enum => d instanceof protobuf.Type || d instanceof protobuf.Enum,
      ),
      origin: (type) => {
        const file = type.filename ?? MAIN_FILE;
        return { package: this.packageOfFile.get(file) ?? '', reference: this.referenceOfFile.get(file) };
      },
    };
  }
}

export function parseProtobufSchema(text: string, references: ResolvedReference[] = []): ParsedProtobufSchema {
  const root = new protobuf.Root();
  const packageOfFile = new Map<string, string>();
  const referenceOfFile = new Map<string, string>();
  const builtins = new Set<string>();
  const provided = new Set<string>();
  const satisfy = (imports: string[] | undefined, where: string): void => {
    for (const path of imports ?? []) {
      if (provided.has(path)) continue;
      if (isBuiltinProto(path)) {
        addBuiltinProto(root, path, builtins);
        continue;
      }
      throw invalidSchema('PROTOBUF', `${where}imports "${path}", which no reference provides (a reference's name must be the import path)`, {
        import: path,
      });
    }
  };
  for (const ref of flattenReferences(references)) {
    const where = `reference '${ref.name}' (subject '${ref.subject}' version ${ref.version})`;
    if (ref.schemaType !== 'PROTOBUF') {
      throw invalidSchema('PROTOBUF', `${where} is a ${ref.schemaType} schema; a Protobuf schema can only import Protobuf schemas`, {
        reference: ref.name,
      });
    }
    if (provided.has(ref.name)) continue;
    let result: protobuf.IParserResult;
    try {
      result = parseInto(root, ref.schema, ref.name);
    } catch (error) {
      throw invalidSchema('PROTOBUF', `${where}: ${reasonOf(error)}`, { reference: ref.name }, error);
    }
    satisfy([...(result.imports ?? []), ...(result.weakImports ?? [])], `${where} `);
    provided.add(ref.name);
    packageOfFile.set(ref.name, result.package ?? '');
    referenceOfFile.set(ref.name, `${ref.subject}\u0000${ref.version}`);
  }
  let result: protobuf.IParserResult;
  try {
    result = parseInto(root, text, MAIN_FILE);
  } catch (error) {
    const reason = reasonOf(error).replace(`${MAIN_FILE}, `, '');
    const line = /line (\d+)/.exec(reason);
    throw invalidSchema('PROTOBUF', reason, line ? { line: Number(line[1]) } : {}, error);
  }
  const imports = [...(result.imports ?? []), ...(result.weakImports ?? [])];
  satisfy(imports, 'the schema ');
  packageOfFile.set(MAIN_FILE, result.package ?? '');
  try {
    root.resolveAll();
  } catch (error) {
    throw invalidSchema('PROTOBUF', reasonOf(error).replace(/ in (Type|Service|Namespace) \./, ' in $1 '), {}, error);
  }
  const definitions = topLevelDefinitions(root, MAIN_FILE);
  for (const builtin of builtins) packageOfFile.set(builtin, builtin.startsWith('confluent/type') ? 'confluent.type' : builtin.startsWith('confluent') ? 'confluent' : 'google.protobuf');
  return new ParsedProtobufSchema(
    text,
    root,
    syntaxOf(text),
    result.package ?? '',
    imports,
    definitions,
    references,
    packageOfFile,
    referenceOfFile,
  );
}

/**
 * Parses a schema given as .proto text or as a base64 FileDescriptorProto; a descriptor is
 * printed as .proto text first, so both spellings of one schema normalize the same.
 */
export function parseProtobufSchemaOrDescriptor(text: string, references: ResolvedReference[] = []): ParsedProtobufSchema {
  if (!looksSerialized(text)) return parseProtobufSchema(text, references);
  const descriptor = decodeDescriptor(text);
  const parsed = parseProtobufSchema(descriptorToProtoText(descriptor), references);
  parsed.descriptorFile = descriptor.name || undefined;
  return parsed;
}

export class ProtobufSchemaProvider implements SchemaProvider {
  readonly schemaType = 'PROTOBUF' as const;

  /** Parses .proto text, or a base64 FileDescriptorProto (what Confluent's serializers send). */
  parse(text: string, references: ResolvedReference[]): ParsedProtobufSchema {
    return parseProtobufSchemaOrDescriptor(text, references);
  }

  /** `?format=serialized`: the base64 FileDescriptorProto; other formats are not this provider's. */
  formatSchema(parsed: ParsedSchema, format: string): string | undefined {
    if (format !== 'serialized' || !(parsed instanceof ParsedProtobufSchema)) return undefined;
    return parsed.serialized();
  }

  /** Confluent's messages; `readerRole` says whether the reader is the new schema (BACKWARD). */
  readerIncompatibilities(reader: ParsedSchema, writer: ParsedSchema, readerRole: ReaderRole = 'new'): string[] {
    if (!(reader instanceof ParsedProtobufSchema) || !(writer instanceof ParsedProtobufSchema)) {
      return [DIFFERENT_SCHEMA_TYPE];
    }
    return this.incompatibilities(reader, writer).map((d) => formatProtobufDifference(d, readerRole));
  }

  /** The incompatible differences, structured (type and path). */
  incompatibilities(reader: ParsedProtobufSchema, writer: ParsedProtobufSchema): ProtobufDifference[] {
    return protobufDifferences(writer.side(), reader.side()).filter((d) => !PROTOBUF_COMPATIBLE_CHANGES.has(d.type));
  }
}
