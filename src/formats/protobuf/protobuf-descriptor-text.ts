/**
 * Reading a schema given as a base64 `FileDescriptorProto` (what Confluent's Protobuf
 * serializers register and look up): the descriptor is printed back as .proto text, which the
 * usual parser then reads, so a schema registered as a descriptor and the same schema
 * registered as .proto text parse, normalize and compare identically.
 */
import { fromBinary, isFieldSet, type DescMessage, type Message } from '@bufbuild/protobuf';
import {
  FieldDescriptorProtoSchema,
  FieldOptionsSchema,
  FileDescriptorProtoSchema,
  FileOptionsSchema,
  MessageOptionsSchema,
  EnumOptionsSchema,
  type DescriptorProto,
  type EnumDescriptorProto,
  type FieldDescriptorProto,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';
import { invalidSchema } from '../format-common.ts';
import { SCALAR_TYPE_NUMBERS } from './protobuf-descriptor.ts';

const SCALAR_NAMES = new Map(Object.entries(SCALAR_TYPE_NUMBERS).map(([name, number]) => [number, name]));
const TYPE_GROUP = 10;
const LABEL_REQUIRED = 2;
const LABEL_REPEATED = 3;

/**
 * Whether a schema text is a base64 descriptor rather than .proto text: base64 has no spaces,
 * braces or semicolons, which every non-empty .proto file has.
 */
export function looksSerialized(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed);
}

export function decodeDescriptor(base64: string): FileDescriptorProto {
  try {
    return fromBinary(FileDescriptorProtoSchema, Buffer.from(base64.trim(), 'base64'));
  } catch (error) {
    throw invalidSchema('PROTOBUF', `the schema is neither .proto text nor a base64 FileDescriptorProto: ${(error as Error).message}`, {}, error);
  }
}

/** Options that are set on an options message, as `name = value` texts. */
function optionTexts(schema: DescMessage, options: Message | undefined, skip: ReadonlySet<string> = new Set()): string[] {
  if (!options) return [];
  const out: string[] = [];
  for (const field of schema.fields) {
    if (skip.has(field.name) || !isFieldSet(options as never, field)) continue;
    const value = (options as unknown as Record<string, unknown>)[field.localName];
    if (field.fieldKind === 'enum') {
      const name = field.enum.values.find((v) => v.number === value)?.name;
      if (name) out.push(`${field.name} = ${name}`);
    } else if (field.fieldKind === 'scalar') {
      out.push(`${field.name} = ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
    }
  }
  return out;
}

function defaultText(field: FieldDescriptorProto): string {
  const value = field.defaultValue;
  // Strings and bytes are quoted; numbers, booleans and enum constants are written as they are.
  return field.type === 9 || field.type === 12 ? JSON.stringify(value) : value;
}

class DescriptorPrinter {
  private readonly lines: string[] = [];

  constructor(private readonly file: FileDescriptorProto) {}

  print(): string {
    const { file } = this;
    const syntax = file.syntax || 'proto2';
    if (syntax === 'editions') throw invalidSchema('PROTOBUF', 'descriptors of editions files are not supported; register the .proto text');
    this.lines.push(`syntax = "${syntax}";`);
    if (file.package) this.lines.push(`package ${file.package};`);
    file.dependency.forEach((dep, i) => {
      const kind = file.publicDependency.includes(i) ? 'public ' : file.weakDependency.includes(i) ? 'weak ' : '';
      this.lines.push(`import ${kind}"${dep}";`);
    });
    for (const option of optionTexts(FileOptionsSchema, file.options)) this.lines.push(`option ${option};`);
    for (const message of file.messageType) this.message(message, '', syntax);
    for (const e of file.enumType) this.enumeration(e, '');
    this.extensions(file.extension, '', syntax);
    for (const service of file.service) {
      this.lines.push(`service ${service.name} {`);
      for (const m of service.method) {
        this.lines.push(`  rpc ${m.name} (${m.clientStreaming ? 'stream ' : ''}${m.inputType}) returns (${m.serverStreaming ? 'stream ' : ''}${m.outputType});`);
      }
      this.lines.push('}');
    }
    return `${this.lines.join('\n')}\n`;
  }

  private typeOf(field: FieldDescriptorProto): string {
    if (field.type === TYPE_GROUP) throw invalidSchema('PROTOBUF', `field '${field.name}' is a group, which is not supported`);
    return field.typeName || SCALAR_NAMES.get(field.type) || 'bytes';
  }

  private fieldLine(field: FieldDescriptorProto, syntax: string, inOneof: boolean, maps: Map<string, DescriptorProto>): string {
    const options = optionTexts(FieldOptionsSchema, field.options);
    if (field.defaultValue !== '' && isFieldSet(field, descriptorField('default_value'))) options.unshift(`default = ${defaultText(field)}`);
    const suffix = options.length > 0 ? ` [${options.join(', ')}]` : '';
    const entry = field.label === LABEL_REPEATED ? maps.get(field.typeName) : undefined;
    if (entry) {
      const [key, value] = [entry.field.find((f) => f.number === 1)!, entry.field.find((f) => f.number === 2)!];
      return `map<${this.typeOf(key)}, ${this.typeOf(value)}> ${field.name} = ${field.number}${suffix};`;
    }
    let label = '';
    if (field.label === LABEL_REPEATED) label = 'repeated ';
    else if (field.label === LABEL_REQUIRED) label = 'required ';
    else if (field.proto3Optional || (syntax === 'proto2' && !inOneof)) label = 'optional ';
    return `${label}${this.typeOf(field)} ${field.name} = ${field.number}${suffix};`;
  }

  private message(message: DescriptorProto, indent: string, syntax: string, scope = this.file.package ? `.${this.file.package}` : ''): void {
    const inner = `${indent}  `;
    const fullName = `${scope}.${message.name}`;
    const maps = new Map(message.nestedType.filter((n) => n.options?.mapEntry === true).map((n) => [`${fullName}.${n.name}`, n]));
    // Map entries are also found by their relative names (descriptors by hand may use them).
    for (const n of message.nestedType.filter((t) => t.options?.mapEntry === true)) maps.set(n.name, n);
    this.lines.push(`${indent}message ${message.name} {`);
    for (const option of optionTexts(MessageOptionsSchema, message.options, new Set(['map_entry']))) this.lines.push(`${inner}option ${option};`);
    const ranges = message.reservedRange.map((r) => (r.end - 1 === r.start ? `${r.start}` : `${r.start} to ${r.end >= 536870912 ? 'max' : r.end - 1}`));
    if (ranges.length > 0) this.lines.push(`${inner}reserved ${ranges.join(', ')};`);
    if (message.reservedName.length > 0) this.lines.push(`${inner}reserved ${message.reservedName.map((n) => JSON.stringify(n)).join(', ')};`);
    const extensionRanges = message.extensionRange.map((r) => (r.end - 1 === r.start ? `${r.start}` : `${r.start} to ${r.end >= 536870912 ? 'max' : r.end - 1}`));
    if (extensionRanges.length > 0) this.lines.push(`${inner}extensions ${extensionRanges.join(', ')};`);
    const printedOneofs = new Set<number>();
    for (const field of message.field) {
      const realOneof = isFieldSet(field, descriptorField('oneof_index')) && !field.proto3Optional;
      if (!realOneof) {
        this.lines.push(`${inner}${this.fieldLine(field, syntax, false, maps)}`);
        continue;
      }
      if (printedOneofs.has(field.oneofIndex)) continue;
      printedOneofs.add(field.oneofIndex);
      this.lines.push(`${inner}oneof ${message.oneofDecl[field.oneofIndex]?.name ?? `oneof_${field.oneofIndex}`} {`);
      for (const member of message.field.filter((f) => isFieldSet(f, descriptorField('oneof_index')) && f.oneofIndex === field.oneofIndex && !f.proto3Optional)) {
        this.lines.push(`${inner}  ${this.fieldLine(member, syntax, true, maps)}`);
      }
      this.lines.push(`${inner}}`);
    }
    for (const nested of message.nestedType) if (nested.options?.mapEntry !== true) this.message(nested, inner, syntax, fullName);
    for (const e of message.enumType) this.enumeration(e, inner);
    this.extensions(message.extension, inner, syntax);
    this.lines.push(`${indent}}`);
  }

  private extensions(fields: FieldDescriptorProto[], indent: string, syntax: string): void {
    for (const field of fields) {
      this.lines.push(`${indent}extend ${field.extendee} {`, `${indent}  ${this.fieldLine(field, syntax, false, new Map())}`, `${indent}}`);
    }
  }

  private enumeration(e: EnumDescriptorProto, indent: string): void {
    const inner = `${indent}  `;
    this.lines.push(`${indent}enum ${e.name} {`);
    for (const option of optionTexts(EnumOptionsSchema, e.options)) this.lines.push(`${inner}option ${option};`);
    const ranges = e.reservedRange.map((r) => (r.end === r.start ? `${r.start}` : `${r.start} to ${r.end}`));
    if (ranges.length > 0) this.lines.push(`${inner}reserved ${ranges.join(', ')};`);
    if (e.reservedName.length > 0) this.lines.push(`${inner}reserved ${e.reservedName.map((n) => JSON.stringify(n)).join(', ')};`);
    for (const value of e.value) this.lines.push(`${inner}${value.name} = ${value.number};`);
    this.lines.push(`${indent}}`);
  }
}

/** A field of FieldDescriptorProto, for presence checks (oneof_index 0 and an unset index look alike). */
function descriptorField(name: string) {
  const field = FieldDescriptorProtoSchema.fields.find((f) => f.name === name);
  if (!field) throw new Error(`descriptor.proto without FieldDescriptorProto.${name}`);
  return field;
}

/** The .proto text of a descriptor. */
export function descriptorToProtoText(file: FileDescriptorProto): string {
  return new DescriptorPrinter(file).print();
}
