/**
 * Protobuf schemas as `FileDescriptorProto`s, the "serialized" form Confluent's Protobuf serdes
 * exchange with the registry (base64 of the descriptor's bytes, `?format=serialized`).
 *
 * We build the descriptor ourselves from the parsed protobufjs types with @bufbuild/protobuf
 * (what Confluent's JavaScript serdes read it with) rather than with protobufjs's
 * `ext/descriptor`: that one writes relative type names, invents file names, drops the imports
 * and names map entries differently from protoc, which the serdes' descriptor resolution trips
 * over. Type references are written fully qualified (leading dot), map entries follow protoc's
 * `<CamelName>Entry` convention, and proto3 `optional` fields get their synthetic oneofs after
 * the real ones, as protoc does.
 *
 * Custom options (e.g. `(confluent.field_meta)`) are not carried into descriptors yet.
 */
import protobuf from 'protobufjs';
import { create, ScalarType, toBinary, type DescMessage, type Message } from '@bufbuild/protobuf';
import {
  DescriptorProto_ExtensionRangeSchema,
  DescriptorProto_ReservedRangeSchema,
  DescriptorProtoSchema,
  EnumDescriptorProto_EnumReservedRangeSchema,
  EnumDescriptorProtoSchema,
  EnumValueDescriptorProtoSchema,
  FieldDescriptorProtoSchema,
  MethodDescriptorProtoSchema,
  OneofDescriptorProtoSchema,
  ServiceDescriptorProtoSchema,
  EnumOptionsSchema,
  FieldOptionsSchema,
  FileDescriptorProtoSchema,
  FileOptionsSchema,
  MessageOptionsSchema,
  type DescriptorProto,
  type EnumDescriptorProto,
  type FieldDescriptorProto,
  type FileDescriptorProto,
  type ServiceDescriptorProto,
} from '@bufbuild/protobuf/wkt';

/** The file name a schema's descriptor gets when the client gave none. */
export const DEFAULT_DESCRIPTOR_FILE = 'schema.proto';

/** FieldDescriptorProto.Type numbers of the scalar types. */
export const SCALAR_TYPE_NUMBERS: Readonly<Record<string, number>> = {
  double: 1,
  float: 2,
  int64: 3,
  uint64: 4,
  int32: 5,
  fixed64: 6,
  fixed32: 7,
  bool: 8,
  string: 9,
  bytes: 12,
  uint32: 13,
  sfixed32: 15,
  sfixed64: 16,
  sint32: 17,
  sint64: 18,
};
const TYPE_MESSAGE = 11;
const TYPE_ENUM = 14;
const LABEL_OPTIONAL = 1;
const LABEL_REQUIRED = 2;
const LABEL_REPEATED = 3;

/** protoc's name of a map field's entry type: `counters_by_id` → `CountersByIdEntry`. */
export function mapEntryName(fieldName: string): string {
  return `${fieldName
    .split('_')
    .filter((p) => p !== '')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('')}Entry`;
}

/**
 * Options given by name (`java_package`, `deprecated`, ...) as an options message of `schema`;
 * names the options message does not know (custom options) are left out.
 */
function optionsMessage<T extends Message>(schema: DescMessage, options: Record<string, unknown> | undefined): T | undefined {
  if (!options) return undefined;
  const init: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    const field = schema.fields.find((f) => f.name === name);
    if (!field || value === undefined || value === null) continue;
    // Values the .proto scanner kept as written (unquoted identifiers) carry their text.
    const plain = typeof value === 'object' && 'text' in value ? String((value as { text: unknown }).text) : value;
    if (field.fieldKind === 'enum') {
      const number = typeof plain === 'number' ? plain : field.enum.values.find((v) => v.name === String(plain))?.number;
      if (number !== undefined) init[field.localName] = number;
    } else if (field.fieldKind === 'scalar') {
      init[field.localName] = field.scalar === ScalarType.BOOL ? plain === true || plain === 'true' : plain;
    }
  }
  return Object.keys(init).length > 0 ? (create(schema, init) as T) : undefined;
}

/** Oneofs in descriptor order: real oneofs first, then proto3 `optional`'s synthetic ones. */
function orderedOneofs(type: protobuf.Type): protobuf.OneOf[] {
  const synthetic = (o: protobuf.OneOf): boolean => o.fieldsArray.length > 0 && o.fieldsArray.every((f) => f.options?.proto3_optional === true);
  const oneofs = type.oneofsArray;
  return [...oneofs.filter((o) => !synthetic(o)), ...oneofs.filter(synthetic)];
}

function typeRef(obj: protobuf.ReflectionObject): string {
  return obj.fullName.startsWith('.') ? obj.fullName : `.${obj.fullName}`;
}

function fieldProto(field: protobuf.Field, type: protobuf.Type | null, oneofs: protobuf.OneOf[], syntax: string, entryName?: string): FieldDescriptorProto {
  field.resolve();
  const resolved = field.resolvedType;
  const proto3Optional = field.options?.proto3_optional === true;
  const label = field.repeated || entryName ? LABEL_REPEATED : field.required && syntax === 'proto2' ? LABEL_REQUIRED : LABEL_OPTIONAL;
  const init: Record<string, unknown> = {
    name: field.name,
    number: field.id,
    label,
  };
  if (entryName && type) {
    init.type = TYPE_MESSAGE;
    init.typeName = `${typeRef(type)}.${entryName}`;
  } else if (resolved) {
    init.type = resolved instanceof protobuf.Enum ? TYPE_ENUM : TYPE_MESSAGE;
    init.typeName = typeRef(resolved);
  } else {
    init.type = SCALAR_TYPE_NUMBERS[field.type];
  }
  if (field.extend !== undefined) {
    const extendee = field.extensionField?.parent ?? null;
    init.extendee = extendee instanceof protobuf.Type ? typeRef(extendee) : field.extend.startsWith('.') ? field.extend : `.${field.extend}`;
  }
  const oneofIndex = field.partOf ? oneofs.indexOf(field.partOf) : -1;
  if (oneofIndex >= 0) init.oneofIndex = oneofIndex;
  if (proto3Optional) init.proto3Optional = true;
  const defaultValue = field.options?.default as unknown;
  if (defaultValue !== undefined && syntax === 'proto2') init.defaultValue = String(defaultValue);
  const { default: _ignored, proto3_optional: _synthetic, ...rest } = (field.options ?? {}) as Record<string, unknown>;
  const options = optionsMessage(FieldOptionsSchema, rest);
  if (options) init.options = options;
  return create(FieldDescriptorProtoSchema, init as never);
}

function enumProto(e: protobuf.Enum): EnumDescriptorProto {
  const reserved = (e.reserved ?? []) as Array<number[] | string>;
  const options = optionsMessage(EnumOptionsSchema, e.options);
  return create(EnumDescriptorProtoSchema, {
    name: e.name,
    value: Object.entries(e.values).map(([name, number]) => create(EnumValueDescriptorProtoSchema, { name, number })),
    // Enum reserved ranges are end-inclusive, like protobufjs's.
    reservedRange: reserved.filter(Array.isArray).map(([start, end]) => create(EnumDescriptorProto_EnumReservedRangeSchema, { start, end })),
    reservedName: reserved.filter((r): r is string => typeof r === 'string'),
    ...(options ? { options } : {}),
  } as never);
}

/** The synthetic `<Name>Entry { key = 1; value = 2; }` message protoc makes for a map field. */
function mapEntryProto(field: protobuf.MapField, entryName: string): DescriptorProto {
  const valueType = field.resolvedType;
  const value: Record<string, unknown> = { name: 'value', number: 2, label: LABEL_OPTIONAL };
  if (valueType) {
    value.type = valueType instanceof protobuf.Enum ? TYPE_ENUM : TYPE_MESSAGE;
    value.typeName = typeRef(valueType);
  } else {
    value.type = SCALAR_TYPE_NUMBERS[field.type];
  }
  return create(DescriptorProtoSchema, {
    name: entryName,
    field: [
      create(FieldDescriptorProtoSchema, { name: 'key', number: 1, label: LABEL_OPTIONAL, type: SCALAR_TYPE_NUMBERS[field.keyType] } as never),
      create(FieldDescriptorProtoSchema, value as never),
    ],
    options: create(MessageOptionsSchema, { mapEntry: true }),
  });
}

function messageProto(type: protobuf.Type, syntax: string): DescriptorProto {
  const oneofs = orderedOneofs(type);
  const fields: FieldDescriptorProto[] = [];
  const mapEntries: DescriptorProto[] = [];
  for (const field of type.fieldsArray) {
    // protobufjs also lists `extend` fields inside the extended message; they belong to the extension's scope.
    if (field.declaringField) continue;
    if (field instanceof protobuf.MapField) {
      const entry = mapEntryName(field.name);
      fields.push(fieldProto(field, type, oneofs, syntax, entry));
      mapEntries.push(mapEntryProto(field, entry));
      continue;
    }
    fields.push(fieldProto(field, type, oneofs, syntax));
  }
  const nested = type.nestedArray;
  const reserved = (type.reserved ?? []) as Array<number[] | string>;
  const options = optionsMessage(MessageOptionsSchema, type.options);
  return create(DescriptorProtoSchema, {
    name: type.name,
    field: fields,
    nestedType: [...mapEntries, ...nested.filter((n): n is protobuf.Type => n instanceof protobuf.Type).map((t) => messageProto(t, syntax))],
    enumType: nested.filter((n): n is protobuf.Enum => n instanceof protobuf.Enum).map(enumProto),
    extension: nested.filter((n): n is protobuf.Field => n instanceof protobuf.Field && n.extend !== undefined).map((f) => fieldProto(f, null, [], syntax)),
    oneofDecl: oneofs.map((o) => create(OneofDescriptorProtoSchema, { name: o.name })),
    // Descriptor ranges are end-exclusive; protobufjs keeps them inclusive.
    reservedRange: reserved.filter(Array.isArray).map(([start, end]) => create(DescriptorProto_ReservedRangeSchema, { start, end: end! + 1 })),
    reservedName: reserved.filter((r): r is string => typeof r === 'string'),
    extensionRange: ((type.extensions ?? []) as number[][]).map(([start, end]) => create(DescriptorProto_ExtensionRangeSchema, { start, end: Math.min(end! + 1, 536870912) })),
    ...(options ? { options } : {}),
  } as never) as DescriptorProto;
}

function serviceProto(service: protobuf.Service): ServiceDescriptorProto {
  return create(ServiceDescriptorProtoSchema, {
    name: service.name,
    method: service.methodsArray.map((m) => {
      m.resolve();
      return create(MethodDescriptorProtoSchema, {
        name: m.name,
        inputType: m.resolvedRequestType ? typeRef(m.resolvedRequestType) : m.requestType,
        outputType: m.resolvedResponseType ? typeRef(m.resolvedResponseType) : m.responseType,
        clientStreaming: m.requestStream === true,
        serverStreaming: m.responseStream === true,
      });
    }),
  }) as ServiceDescriptorProto;
}

export interface DescribableSchema {
  syntax: string;
  packageName: string;
  imports: readonly string[];
  fileOptions: Record<string, unknown>;
  definitions: readonly protobuf.ReflectionObject[];
}

/** The FileDescriptorProto of a parsed schema's own file. */
export function toFileDescriptorProto(schema: DescribableSchema, fileName = DEFAULT_DESCRIPTOR_FILE): FileDescriptorProto {
  const { definitions, syntax } = schema;
  const options = optionsMessage(FileOptionsSchema, schema.fileOptions);
  return create(FileDescriptorProtoSchema, {
    name: fileName,
    package: schema.packageName,
    dependency: [...schema.imports],
    messageType: definitions.filter((d): d is protobuf.Type => d instanceof protobuf.Type).map((t) => messageProto(t, syntax)),
    enumType: definitions.filter((d): d is protobuf.Enum => d instanceof protobuf.Enum).map(enumProto),
    service: definitions.filter((d): d is protobuf.Service => d instanceof protobuf.Service).map(serviceProto),
    extension: definitions.filter((d): d is protobuf.Field => d instanceof protobuf.Field && d.extend !== undefined).map((f) => fieldProto(f, null, [], syntax)),
    // protoc leaves `syntax` empty for proto2 files.
    syntax: syntax === 'proto2' ? '' : syntax,
    ...(options ? { options } : {}),
  } as never);
}

/** Base64 of the descriptor's bytes: Confluent's `format=serialized`. */
export function serializeDescriptor(schema: DescribableSchema, fileName?: string): string {
  return Buffer.from(toBinary(FileDescriptorProtoSchema, toFileDescriptorProto(schema, fileName))).toString('base64');
}
