/**
 * Canonical printing of a parsed .proto file (the normalized text of a Protobuf schema):
 * comments and formatting dropped; syntax, package, imports (sorted) and file options (sorted)
 * first; then messages, enums, services and extensions (each kind in definition order, the order
 * of a FileDescriptorProto). Inside a message: options
 * (sorted), reserved ranges and names (sorted), fields in field-number order (a oneof printed
 * where its lowest-numbered field falls), then nested types. Type references are written as
 * fully-qualified names with a leading dot, so `Item`, `Sale.Item` and `.shop.Sale.Item` print
 * the same. The output parses again with protobufjs.
 */
import protobuf from 'protobufjs';

const IDENT = /^[A-Z][A-Z0-9_]*$/;
/** Built-in options whose values are enum constants (written unquoted). */
const ENUM_OPTIONS = new Set(['optimize_for', 'ctype', 'jstype', 'retention', 'targets', 'idempotency_level']);

/** An option value to print as written (unquoted identifiers, aggregates), whitespace collapsed. */
export class RawOptionValue {
  constructor(readonly text: string) {}
}

/** An option value in .proto syntax; strings are quoted except enum constants of known options. */
function printValue(value: unknown, optionName = ''): string {
  if (value instanceof RawOptionValue) return value.text.replace(/\s+/g, ' ');
  if (typeof value === 'string') return ENUM_OPTIONS.has(optionName) && IDENT.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => printValue(v)).join(', ')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${k}: ${printValue((value as Record<string, unknown>)[k])}`);
    return `{ ${entries.join(', ')} }`;
  }
  return String(value);
}

/** Options as `name = value` pairs, sorted (from protobufjs's parsedOptions or options). */
function optionPairs(
  obj: protobuf.ReflectionObject,
  skip: ReadonlySet<string> = new Set(),
  enumValued: ReadonlySet<string> = new Set(),
): string[] {
  const value = (name: string, v: unknown): string =>
    enumValued.has(name) && typeof v === 'string' && /^[A-Za-z_]\w*$/.test(v) ? v : printValue(v, name);
  const parsed = (obj as unknown as { parsedOptions?: Array<Record<string, unknown>> | null }).parsedOptions;
  const pairs: string[] = [];
  if (parsed && parsed.length > 0) {
    for (const option of parsed) {
      for (const [name, v] of Object.entries(option)) if (!skip.has(name)) pairs.push(`${name} = ${value(name, v)}`);
    }
  } else if (obj.options) {
    for (const [name, v] of Object.entries(obj.options)) {
      if (!skip.has(name) && !name.includes(').')) pairs.push(`${name} = ${value(name, v)}`);
    }
  }
  return pairs.sort();
}

const FIELD_OPTION_SKIP = new Set(['proto3_optional']);
const DEFAULT = new Set(['default']);
const NONE = new Set<string>();

function typeName(field: protobuf.Field): string {
  const resolved = field.resolvedType;
  return resolved ? resolved.fullName : field.type;
}

function printField(field: protobuf.Field, edition: string, indent: string): string {
  let label = '';
  if (field.repeated && !(field instanceof protobuf.MapField)) label = 'repeated ';
  else if (field.required && edition === 'proto2') label = 'required ';
  else if (field.options?.proto3_optional === true || (edition === 'proto2' && !field.partOf)) label = 'optional ';
  const type =
    field instanceof protobuf.MapField ? `map<${field.keyType}, ${typeName(field)}>` : typeName(field);
  const options = optionPairs(field, FIELD_OPTION_SKIP, field.resolvedType instanceof protobuf.Enum ? DEFAULT : NONE);
  const suffix = options.length > 0 ? ` [${options.join(', ')}]` : '';
  return `${indent}${label}${type} ${field.name} = ${field.id}${suffix};`;
}

function printReserved(reserved: Array<number[] | string> | undefined, indent: string): string[] {
  if (!reserved || reserved.length === 0) return [];
  const ranges = reserved.filter((r): r is number[] => Array.isArray(r)).sort((a, b) => a[0]! - b[0]!);
  const names = reserved.filter((r): r is string => typeof r === 'string').sort();
  const out: string[] = [];
  if (ranges.length > 0) {
    const text = ranges.map(([a, b]) => (a === b ? String(a) : b === 536870911 ? `${a} to max` : `${a} to ${b}`));
    out.push(`${indent}reserved ${text.join(', ')};`);
  }
  if (names.length > 0) out.push(`${indent}reserved ${names.map((n) => JSON.stringify(n)).join(', ')};`);
  return out;
}

function printEnum(e: protobuf.Enum, indent: string): string[] {
  const inner = `${indent}  `;
  const lines = [`${indent}enum ${e.name} {`];
  for (const option of optionPairs(e)) lines.push(`${inner}option ${option};`);
  lines.push(...printReserved(e.reserved as Array<number[] | string> | undefined, inner));
  const entries = Object.entries(e.values).sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  for (const [name, number] of entries) {
    const valueOptions = (e.valuesOptions?.[name] ?? {}) as Record<string, unknown>;
    const opts = Object.keys(valueOptions)
      .sort()
      .map((k) => `${k} = ${printValue(valueOptions[k])}`);
    lines.push(`${inner}${name} = ${number}${opts.length > 0 ? ` [${opts.join(', ')}]` : ''};`);
  }
  lines.push(`${indent}}`);
  return lines;
}

function printMessage(type: protobuf.Type, edition: string, indent: string): string[] {
  const inner = `${indent}  `;
  const lines = [`${indent}message ${type.name} {`];
  for (const option of optionPairs(type)) lines.push(`${inner}option ${option};`);
  lines.push(...printReserved(type.reserved as Array<number[] | string> | undefined, inner));
  const extensions = [...((type.extensions as number[][] | undefined) ?? [])].sort((a, b) => a[0]! - b[0]!);
  if (extensions.length > 0) {
    const text = extensions.map(([a, b]) => (a === b ? String(a) : b === 536870911 ? `${a} to max` : `${a} to ${b}`));
    lines.push(`${inner}extensions ${text.join(', ')};`);
  }
  const realOneof = (f: protobuf.Field): protobuf.OneOf | null =>
    f.partOf && !f.partOf.fieldsArray.every((x) => x.options?.proto3_optional === true) ? f.partOf : null;
  const printedOneofs = new Set<protobuf.OneOf>();
  // protobufjs also lists `extend` fields inside the extended message (declaringField set): they
  // are printed with their `extend` block, not as fields of the message.
  for (const field of [...type.fieldsArray].filter((f) => !f.declaringField).sort((a, b) => a.id - b.id)) {
    const oneof = realOneof(field);
    if (!oneof) {
      lines.push(printField(field, edition, inner));
      continue;
    }
    if (printedOneofs.has(oneof)) continue;
    printedOneofs.add(oneof);
    lines.push(`${inner}oneof ${oneof.name} {`);
    for (const option of optionPairs(oneof)) lines.push(`${inner}  option ${option};`);
    for (const member of [...oneof.fieldsArray].sort((a, b) => a.id - b.id)) {
      lines.push(printField(member, 'proto3', `${inner}  `));
    }
    lines.push(`${inner}}`);
  }
  for (const nested of descriptorOrder(type.nestedArray)) lines.push(...printNested(nested, edition, inner));
  lines.push(`${indent}}`);
  return lines;
}

function printService(service: protobuf.Service, indent: string): string[] {
  const inner = `${indent}  `;
  const lines = [`${indent}service ${service.name} {`];
  for (const option of optionPairs(service)) lines.push(`${inner}option ${option};`);
  for (const method of service.methodsArray) {
    method.resolve();
    const req = method.resolvedRequestType?.fullName ?? method.requestType;
    const res = method.resolvedResponseType?.fullName ?? method.responseType;
    const options = optionPairs(method);
    const head = `${inner}rpc ${method.name} (${method.requestStream ? 'stream ' : ''}${req}) returns (${method.responseStream ? 'stream ' : ''}${res})`;
    if (options.length === 0) lines.push(`${head};`);
    else lines.push(`${head} {`, ...options.map((o) => `${inner}  option ${o};`), `${inner}}`);
  }
  lines.push(`${indent}}`);
  return lines;
}

function printExtension(field: protobuf.Field, edition: string, indent: string): string[] {
  // The extended type by its full name once resolved, so `Order` and `.pkg.Order` print the same.
  const extended = field.extensionField?.parent;
  const name = extended instanceof protobuf.Type ? extended.fullName : (field.extend ?? '');
  return [`${indent}extend ${name} {`, printField(field, edition, `${indent}  `), `${indent}}`];
}

function printNested(obj: protobuf.ReflectionObject, edition: string, indent: string): string[] {
  if (obj instanceof protobuf.Field && obj.extend !== undefined) return printExtension(obj, edition, indent);
  if (obj instanceof protobuf.Type) return printMessage(obj, edition, indent);
  if (obj instanceof protobuf.Enum) return printEnum(obj, indent);
  if (obj instanceof protobuf.Service) return printService(obj, indent);
  return [];
}

/**
 * Definitions in the order a FileDescriptorProto keeps them: messages, then enums, then
 * services, then extensions, each kind in definition order. A descriptor cannot say how the kinds
 * were interleaved in the text, so the canonical form does not either: the same schema sent as
 * .proto text or as a descriptor (Confluent's serializers) normalizes the same. Message indexes
 * only count messages, so this order changes no meaning.
 */
function descriptorOrder(objects: readonly protobuf.ReflectionObject[]): protobuf.ReflectionObject[] {
  const rank = (o: protobuf.ReflectionObject): number =>
    o instanceof protobuf.Type ? 0 : o instanceof protobuf.Enum ? 1 : o instanceof protobuf.Service ? 2 : 3;
  return objects.map((o, i) => ({ o, i })).sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i).map((x) => x.o);
}

export interface PrintableFile {
  syntax: string;
  package: string;
  imports: string[];
  fileOptions: Record<string, unknown>;
  /** Top-level definitions of the file, in order. */
  definitions: protobuf.ReflectionObject[];
}

export function printProtoFile(file: PrintableFile): string {
  const lines: string[] = [];
  if (/^\d+$/.test(file.syntax)) lines.push(`edition = "${file.syntax}";`);
  else lines.push(`syntax = "${file.syntax}";`);
  if (file.package) lines.push(`package ${file.package};`);
  const imports = [...new Set(file.imports)].sort();
  if (imports.length > 0) lines.push('', ...imports.map((i) => `import "${i}";`));
  const options = Object.keys(file.fileOptions)
    .sort()
    .map((k) => `option ${k} = ${printValue(file.fileOptions[k], k)};`);
  if (options.length > 0) lines.push('', ...options);
  for (const definition of descriptorOrder(file.definitions)) lines.push('', ...printNested(definition, file.syntax, ''));
  return `${lines.join('\n')}\n`;
}
